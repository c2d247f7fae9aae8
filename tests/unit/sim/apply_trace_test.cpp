// What a node records applying each index for `tally trace export` (core/sim/apply_trace.hpp):
// the plan's keys with all four slots, a digest over them, the verdict; a bounded ring whose
// window says when it is partial.
#include <catch2/catch.hpp>

#include "core/sim/apply_trace.hpp"
#include "tests/support/ledger_node.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

domain::SetAccountMetadata set_alice() {
  return {"main", "alice", {{"k", true}}};
}

TEST_CASE("a node's apply trace records the plan's keys, the plan and the verdict", "[trace]") {
  TempDir dir;
  LedgerNode node("memory", dir, with_threshold(4));
  sim::ApplyTrace trace("node 1", 16);
  trace.opened(node.applied());  // a new store: the records start the history
  auto record = [&](const plan::Request& request) {
    auto proposal = node.admit(request);
    REQUIRE(proposal.ok());
    fsm::ApplyReport report = node.apply(*proposal);
    trace.record(node.applied(), &*proposal, &report, node.fsm());
  };
  record(plan::Request{{domain::CreateLedger{"main", {}}}, std::nullopt});
  record(plan::Request{{set_alice()}, std::nullopt});
  sim::TraceFile file = trace.window(1, 100);
  REQUIRE(file.steps.size() == 2);
  CHECK(file.complete);
  CHECK(file.digest_of == "rows");
  CHECK(file.node_names == std::vector<std::string>{"node 1"});
  const sim::TraceStepRecord& set = file.steps[1];
  CHECK(set.index == 2);
  REQUIRE(set.admitted.has_value());
  CHECK(set.admitted->id == 2);
  REQUIRE(set.verdicts.size() == 1);
  CHECK(set.verdicts[0].status == "applied");
  REQUIRE(set.nodes.size() == 1);
  REQUIRE(set.nodes[0].has_value());
  bool alice = false;
  for (const sim::RowChange& row : set.nodes[0]->rows) {
    if (row.key.kind() != "AccountMetadata") continue;
    alice = true;
    REQUIRE(row.memory_gen0.has_value());
    CHECK(row.memory_gen0->present);
    CHECK(*row.memory_gen0 == *row.disk_gen0);  // memory and its mirror row, as applied
  }
  CHECK(alice);
  CHECK(set.nodes[0]->digest == sim::rows_digest(set.nodes[0]->rows));
  bool named = false;  // the orders name the keys: "alice's metadata", not an id
  for (const auto& [key, label] : file.labels)
    named = named || label.find("alice") != std::string::npos;
  CHECK(named);
}

TEST_CASE("a node's apply trace keeps its latest records and says the window is partial",
          "[trace]") {
  TempDir dir;
  LedgerNode node("memory", dir, with_threshold(2));
  sim::ApplyTrace trace("node 1", 3);
  trace.opened(node.applied());
  for (int i = 0; i < 6; ++i) {
    node.noop();
    trace.record(node.applied(), nullptr, nullptr, node.fsm());
  }
  sim::TraceFile file = trace.window(1, 100);
  REQUIRE(file.steps.size() == 3);
  CHECK(file.steps.front().index == 4);
  CHECK_FALSE(file.complete);  // indexes 1 to 3 are forgotten
  bool rotated = false;
  for (const sim::TraceStepRecord& step : file.steps)
    rotated = rotated || step.nodes[0]->advance == "rotation";
  CHECK(rotated);  // K = 2: the generation moves within three indexes
  CHECK(trace.window(5, 5).steps.size() == 1);
  CHECK(sim::ApplyTrace("off", 0).size() == 0);

  sim::ApplyTrace restarted("node 1", 8);
  restarted.opened(node.applied());  // a store with history: what came before is unknown
  node.noop();
  restarted.record(node.applied(), nullptr, nullptr, node.fsm());
  CHECK_FALSE(restarted.window(1, 100).complete);
}

}  // namespace
}  // namespace tally::testing
