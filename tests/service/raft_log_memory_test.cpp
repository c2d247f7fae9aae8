// A node under bulk writes keeps the Raft log it holds in memory near --raft-log-memory-mb
// (native/raft/log_memory_bound.hpp): it takes snapshots by bytes long before its threshold
// in entries, and keeps every write; without the bound it holds the whole log.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

// A bulk of 100 transfers with a note each: an entry of ~30 KB.
std::string noted_bulk(int n) {
  const std::string one = R"({"action":"CREATE_TRANSACTION","data":{"postings":[{"source":"world",)"
                          R"("destination":"users:)" +
                          std::to_string(n % 50) +
                          R"(","amount":1,"asset":"USD"}],"metadata":{"note":")" +
                          std::string(120, static_cast<char>('a' + n % 26)) + R"("}}})";
  std::string body = "[";
  for (int i = 0; i < 100; ++i)
    body += (i > 0 ? "," : "") + one;
  return body + "]";
}

struct LogFigures {
  std::uint64_t held_bytes = 0;
  std::uint64_t snapshots = 0;
};

LogFigures log_figures(const std::string& base) {
  auto info = get_json(base, "/_tally/info");
  REQUIRE(info.status == 200);
  const json::Json* data = info.json.find("data");
  REQUIRE(data != nullptr);
  REQUIRE(data->find("raftLogMemoryBytes") != nullptr);
  const std::uint64_t held = std::stoull(data->find("raftLogMemoryBytes")->text);
  // The metric operators watch says the same.
  auto metrics = get_json(base, "/_tally/metrics");
  REQUIRE(metrics.status == 200);
  const std::string metric = "\ntally_raft_log_memory_bytes ";
  const std::size_t at = metrics.body.find(metric);
  REQUIRE(at != std::string::npos);
  CHECK(std::stoull(metrics.body.substr(at + metric.size())) == held);
  return {held, std::stoull(data->find("snapshotsTaken")->text)};
}

// Writes 60 bulks (6,000 transfers, ~1.8 MB of log) to a 1-node cluster started with flags;
// the node's figures after them.
LogFigures after_bulks(const std::string& flags) {
  TempDir dir;
  LocalCluster cluster(1, dir.file("c"), flags);
  const std::string base = single_node_base(cluster);
  REQUIRE(send_json("POST", base, "/v2/main", "").status == 204);
  LogFigures worst;
  for (int n = 0; n < 60; ++n) {
    auto written = send_json("POST", base, "/v2/main/_bulk", noted_bulk(n));
    INFO(written.body.substr(0, 500));
    REQUIRE(written.status == 200);
    const LogFigures now = log_figures(base);
    worst.held_bytes = std::max(worst.held_bytes, now.held_bytes);
    worst.snapshots = now.snapshots;
  }
  // Every transfer is in the ledger: the snapshots dropped log, not writes.
  auto world = get_json(base, "/v2/main/accounts/world?expand=volumes");
  INFO(world.body);
  REQUIRE(world.status == 200);
  CHECK(world.json.find("data")->find("volumes")->find("USD")->find("output")->text == "6000");
  return worst;
}

TEST_CASE("bulk writes keep the Raft log in memory near --raft-log-memory-mb", "[service][raft]") {
  // 1 MiB: a snapshot once 512 KiB of entries follow the last, at least 16 entries behind it.
  const LogFigures bounded = after_bulks("--raft-log-memory-mb 1");
  CHECK(bounded.snapshots >= 2);
  CHECK(bounded.held_bytes > 0);
  CHECK(bounded.held_bytes <= 2 * (std::uint64_t{1} << 20));
  // The default threshold in entries (131,072) alone: no snapshot, no count.
  const LogFigures unbounded = after_bulks("--raft-log-memory-mb 0");
  CHECK(unbounded.snapshots == 0);
  CHECK(unbounded.held_bytes == 0);
}

}  // namespace
}  // namespace tally::testing
