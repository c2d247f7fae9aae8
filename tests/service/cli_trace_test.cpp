// [cli] `tally trace export` from a live cluster (core/sim/TRACE_FORMAT.md "A cluster's
// trace"): every node's column with the rows its applies touched, the plans, the verdicts
// and the checker; bounded by --from/--to and --bytes-max; GET /_tally/trace refuses a bad
// window.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/sim/trace_reader.hpp"
#include "core/sim/trace_timeline.hpp"
#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

sim::TraceFile read_trace_file(const std::string& path) {
  std::ifstream file(path);
  std::string text((std::istreambuf_iterator<char>(file)), {});
  auto read = sim::read_trace(text);
  INFO((read.ok() ? "" : read.error().message));
  REQUIRE(read.ok());
  return std::move(read).value();
}

// Writes that touch one account's metadata cache rows: set, delete, set again.
void write_some(const std::string& tally) {
  REQUIRE(run_command(tally + " ledger create main").exit_code == 0);
  REQUIRE(run_command(tally + " metadata set main --account alice k=1").exit_code == 0);
  REQUIRE(run_command(tally + " metadata delete main k --account alice").exit_code == 0);
  REQUIRE(run_command(tally + " tx create main -p 'world alice 10 USD'").exit_code == 0);
  REQUIRE(run_command(tally + " metadata set main --account alice k=2").exit_code == 0);
}

TEST_CASE("a cluster's trace shows every node's rows, plans and verdicts, and agrees",
          "[cli][trace]") {
  TempDir dir;
  CliCluster c(3, dir.file("c"), dir.file("state"), "--trace-records 4096");
  REQUIRE(c.cluster.base_port != 0);
  INFO(c.cluster.up.output);
  REQUIRE(c.cluster.up.exit_code == 0);
  write_some(c.cli + " --cluster-dir " + dir.file("c"));
  const std::string out = dir.file("cluster.trace.json");
  // Followers apply after the leader answers: export once every node holds the last write.
  CommandResult exported;
  sim::TraceFile file;
  for (int attempt = 0; attempt < 50; ++attempt) {
    exported =
        run_command(c.cli + " --cluster-dir " + dir.file("c") + " trace export --out " + out);
    REQUIRE(exported.exit_code == 0);
    file = read_trace_file(out);
    bool all = true;
    for (std::size_t i = 0; i < 3; ++i)
      all = all && file.steps.back().nodes[i].has_value();
    if (all) break;
    run_command("sleep 0.1");
  }
  INFO(exported.output);
  if (const char* keep = std::getenv("TALLY_CLUSTER_TRACE")) {  // for the [browser] test
    std::filesystem::copy_file(out, keep, std::filesystem::copy_options::overwrite_existing);
  }
  CHECK(file.source == "cluster");
  CHECK(file.node_names.size() == 3);
  CHECK(file.complete);
  std::size_t rows = 0, admitted = 0, three_verdicts = 0;
  for (const sim::TraceStepRecord& s : file.steps) {
    for (const auto& n : s.nodes)
      rows += n ? n->rows.size() : 0;
    admitted += s.admitted.has_value();
    three_verdicts += s.verdicts.size() == 3;
  }
  CHECK(admitted >= 5);
  CHECK(three_verdicts >= 5);
  CHECK(rows >= 3 * 5);
  REQUIRE(file.steps.back().checks.size() == 3);
  for (const sim::CheckRecord& check : file.steps.back().checks)
    CHECK(check.ok);
  bool saw_alice = false;
  for (const auto& [key, label] : file.labels)
    saw_alice = saw_alice || label.find("alice") != std::string::npos;
  CHECK(saw_alice);

  sim::TraceTimeline timeline(file);
  CHECK_FALSE(timeline.divergence().has_value());
  sim::StepState last = timeline.state_at(timeline.size() - 1);
  REQUIRE(last.nodes.size() == 3);
  for (const sim::NodeStep& node : last.nodes) {
    CHECK(node.keys_known);
    CHECK_FALSE(node.keys.empty());
    CHECK(node.digest == last.nodes[0].digest);
    for (const sim::KeyRow& row : node.keys)
      CHECK_FALSE(row.nodes_differ);
  }
}

TEST_CASE("a cluster's trace keeps to --from, --to and --bytes-max", "[cli][trace]") {
  TempDir dir;
  CliCluster c(1, dir.file("c"), dir.file("state"), "--trace-records 4096");
  REQUIRE(c.cluster.base_port != 0);
  REQUIRE(c.cluster.up.exit_code == 0);
  write_some(c.tally);
  const std::string out = dir.file("window.json");
  REQUIRE(run_command(c.tally + " trace export --from 3 --to 4 --out " + out).exit_code == 0);
  sim::TraceFile window = read_trace_file(out);
  REQUIRE(window.steps.size() == 2);
  CHECK(window.steps.front().index == 3);
  CHECK(window.steps.back().index == 4);
  CHECK_FALSE(window.complete);  // a window of a longer history: earlier slots are unknown
  CHECK_FALSE(window.truncated);

  REQUIRE(run_command(c.tally + " trace export --bytes-max 2000 --out " + out).exit_code == 0);
  sim::TraceFile cut = read_trace_file(out);
  CHECK(cut.truncated);
  CHECK(cut.steps.size() >= 1);
  std::ifstream file(out);
  std::string text((std::istreambuf_iterator<char>(file)), {});
  CHECK(text.size() < 2000 + 4096);  // one step past the limit at most, plus the checks

  CHECK(run_command(c.tally + " trace export --from 90 --out " + out + " 2>/dev/null").exit_code ==
        1);  // nothing recorded there
  const std::string node =
      api_scheme(c.cluster.dir) + "127.0.0.1:" + std::to_string(c.cluster.base_port + 101);
  CHECK(get_json(node, "/_tally/trace?from=0").status == 400);
  CHECK(get_json(node, "/_tally/trace?from=5&to=4").status == 400);
  CHECK(get_json(node, "/_tally/trace?from=x").status == 400);
}

}  // namespace
}  // namespace tally::testing
