// [cli] The `tally` CLI against a running node (one tallyd started with `tally cluster up 1`):
// create, read, list, bulk, and --json output that parses.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

TEST_CASE("the CLI creates, reads, lists and bulks against a node", "[cli]") {
  TempDir dir;
  LocalCluster cluster(1, dir.file("c"));
  REQUIRE(cluster.base_port != 0);
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);
  const std::string tally = "XDG_STATE_HOME=" + dir.file("state") + " " + tally_binary() +
                            " --node " + api_scheme(cluster.dir) +
                            "127.0.0.1:" + std::to_string(cluster.base_port + 101);

  CHECK(run_command(tally + " ledger create main --metadata team=ops").exit_code == 0);
  auto created = run_command(tally +
                             " --json tx create main -p 'world users:1 100 USD/2' "
                             "-p 'world users:2 5 USD/2' --reference r1 --metadata k=3");
  INFO(created.output);
  REQUIRE(created.exit_code == 0);
  auto tx = json::parse_json(created.output);
  REQUIRE(tx.ok());
  CHECK(tx.value().find("data")->find("postings")->items.size() == 2);
  CHECK(tx.value().find("data")->find("metadata")->find("k")->text == "3");

  auto got = run_command(tally + " --json tx get main 0");
  REQUIRE(got.exit_code == 0);
  REQUIRE(json::parse_json(got.output).ok());
  auto readable = run_command(tally + " tx get main 0");
  CHECK(readable.output.find("reference: r1") != std::string::npos);

  auto account = run_command(tally + " --json account get main users:1");
  auto parsed_account = json::parse_json(account.output);
  REQUIRE(parsed_account.ok());
  CHECK(
      parsed_account.value().find("data")->find("volumes")->find("USD/2")->find("balance")->text ==
      "100");

  std::ofstream(dir.file("bulk.json"))
      << R"([{"action":"CREATE_TRANSACTION","data":{"postings":[{"source":"users:1",)"
         R"("destination":"users:3","amount":40,"asset":"USD/2"}]}},)"
         R"({"action":"ADD_METADATA","data":{"targetType":"ACCOUNT","targetId":"users:3",)"
         R"("metadata":{"vip":true}}}])";
  auto bulk = run_command(tally + " --json bulk main " + dir.file("bulk.json") + " --atomic");
  INFO(bulk.output);
  REQUIRE(bulk.exit_code == 0);
  auto bulk_json = json::parse_json(bulk.output);
  REQUIRE(bulk_json.ok());
  CHECK(bulk_json.value().find("data")->items.size() == 2);

  auto list = run_command(tally + " --json tx list main --page-size 1");
  auto list_json = json::parse_json(list.output);
  REQUIRE(list_json.ok());
  CHECK(list_json.value().find("cursor")->find("data")->items.size() == 1);
  CHECK(list_json.value().find("cursor")->find("hasMore")->boolean);
  auto table = run_command(tally + " account list main");
  CHECK(table.output.find("users:3") != std::string::npos);
  CHECK(table.output.find("address") != std::string::npos);

  CHECK(run_command(tally + " metadata set main --account users:1 tier=gold").exit_code == 0);
  CHECK(run_command(tally + " metadata delete main tier --account users:1").exit_code == 0);
  auto refused = run_command(tally + " tx create main -p 'users:9 users:1 5 USD/2' 2>/dev/null");
  CHECK(refused.exit_code == 1);

  auto info = run_command(tally + " --json info");
  auto info_json = json::parse_json(info.output);
  REQUIRE(info_json.ok());
  CHECK(info_json.value().find("data")->find("role")->text == "leader");
  auto check = run_command(tally + " --json check");
  auto check_json = json::parse_json(check.output);
  REQUIRE(check_json.ok());
  CHECK(check_json.value().find("data")->find("ok")->boolean);
  auto again = json::parse_json(run_command(tally + " --json check").output);
  REQUIRE(again.ok());
  CHECK(again.value().find("data")->find("mode")->text == "incremental");
  auto full = json::parse_json(run_command(tally + " --json check --full").output);
  REQUIRE(full.ok());
  CHECK(full.value().find("data")->find("mode")->text == "full");
  CHECK(full.value().find("data")->find("ok")->boolean);
  // A cluster started with the defaults records no apply trace: export says how to get one.
  auto exported = run_command(tally + " trace export --out " + dir.file("trace.json") + " 2>&1");
  CHECK(exported.exit_code == 1);
  CHECK(exported.output.find("--trace-records") != std::string::npos);
  auto status = run_command(tally_binary() + " cluster status --dir " + dir.file("c"));
  CHECK(status.output.find("leader") != std::string::npos);
  // Each node's last known digest and the index it covers, or "none yet": never a "?".
  CHECK(status.output.find("digest ") != std::string::npos);
  CHECK(status.output.find("digest ?") == std::string::npos);
}

TEST_CASE("the CLI reads its own writes through a follower, and --no-wait opts out", "[cli]") {
  TempDir dir;
  // The CLI's state file goes to the test's directory, not the user's.
  const std::string state = dir.file("state");
  const std::string tally = "XDG_STATE_HOME=" + state + " " + tally_binary();
  LocalCluster cluster(3, dir.file("c"), "", "XDG_STATE_HOME=" + state);
  REQUIRE(cluster.base_port != 0);
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);
  const auto nodes = read_cluster(dir.file("c"));
  REQUIRE(nodes.size() == 3);
  auto info = get_json(nodes[0].http, "/_tally/info");
  REQUIRE(info.status == 200);
  const std::string leader_id = info.json.find("data")->find("leaderId")->text;
  std::string leader, follower;
  for (const auto& node : nodes)
    (std::to_string(node.id) == leader_id ? leader : follower) = node.http;
  REQUIRE_FALSE(leader.empty());
  REQUIRE_FALSE(follower.empty());
  const std::string on_leader = tally + " --node " + leader;
  const std::string on_follower = tally + " --node " + follower;

  REQUIRE(run_command(on_leader + " ledger create main").exit_code == 0);
  // Each write is read back through the follower at once: it sees every one (the follower
  // waits for the index the leader answered with, which the CLI recorded and sent back).
  for (int i = 1; i <= 10; ++i) {
    REQUIRE(run_command(on_leader + " tx create main -p 'world users:1 1 USD/2' >/dev/null")
                .exit_code == 0);
    auto read = run_command(on_follower + " --json account get main users:1");
    INFO(read.output);
    REQUIRE(read.exit_code == 0);
    auto json = json::parse_json(read.output);
    REQUIRE(json.ok());
    CHECK(json.value().find("data")->find("volumes")->find("USD/2")->find("balance")->text ==
          std::to_string(i));
  }
  std::ifstream recorded_file(state + "/tally/last-write.json");
  std::string recorded((std::istreambuf_iterator<char>(recorded_file)), {});
  auto record = json::parse_json(recorded);
  REQUIRE(record.ok());
  CHECK(record.value().find("clusterId")->text == read_cluster_id(dir.file("c")));
  const auto follower_info = get_json(follower, "/_tally/info");
  CHECK(record.value().find("appliedIndex")->text ==
        follower_info.json.find("data")->find("appliedIndex")->text);

  // A recorded index the cluster has not reached: a read waits, then fails (so the CLI does
  // send it); --no-wait and TALLY_NO_WAIT=1 read at once; another cluster's record is ignored.
  std::ofstream(state + "/tally/last-write.json")
      << R"({"clusterId":")" << read_cluster_id(dir.file("c")) << R"(","appliedIndex":999999})";
  CHECK(run_command(on_follower + " account get main users:1 2>/dev/null").exit_code == 1);
  CHECK(run_command(on_follower + " --no-wait account get main users:1").exit_code == 0);
  CHECK(run_command("TALLY_NO_WAIT=1 " + on_follower + " account get main users:1").exit_code == 0);
  std::ofstream(state + "/tally/last-write.json")
      << R"({"clusterId":"another","appliedIndex":999999})";
  CHECK(run_command(on_follower + " account get main users:1").exit_code == 0);
  // A state file that does not parse is ignored, never fatal; the next write replaces it.
  std::ofstream(state + "/tally/last-write.json") << "{not json";
  CHECK(run_command(on_follower + " account get main users:1").exit_code == 0);
  CHECK(run_command(on_leader + " tx create main -p 'world users:1 1 USD/2'").exit_code == 0);
  auto last =
      json::parse_json(run_command(on_follower + " --json account get main users:1").output);
  REQUIRE(last.ok());
  CHECK(last.value().find("data")->find("volumes")->find("USD/2")->find("balance")->text == "11");
}

}  // namespace
}  // namespace tally::testing
