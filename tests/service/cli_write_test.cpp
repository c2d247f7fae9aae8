// [cli] Writes through leader changes, on a 3-node cluster: a write sent through a follower
// right after the leader died is retried until a new leader takes it (once), --cluster-dir
// lets a write go around a node that is down, and a write no leader takes fails naming every
// node it tried.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

struct Three {
  explicit Three(const TempDir& dir) : cli(3, dir.file("c"), dir.file("state")) {}
  CliCluster cli;
  std::vector<ClusterNode> nodes;
  const ClusterNode* leader = nullptr;
  std::vector<const ClusterNode*> followers;
};

// The cluster up with a ledger "shop", its leader and followers found.
void require_ready(Three& three) {
  REQUIRE(three.cli.cluster.base_port != 0);
  INFO(three.cli.cluster.up.output);
  REQUIRE(three.cli.cluster.up.exit_code == 0);
  three.nodes = read_cluster(three.cli.cluster.dir);
  REQUIRE(three.nodes.size() == 3);
  const std::uint64_t leader = leader_of(three.nodes);
  REQUIRE(leader != 0);
  for (const auto& node : three.nodes) {
    if (node.id == leader)
      three.leader = &node;
    else
      three.followers.push_back(&node);
  }
  REQUIRE(three.followers.size() == 2);
  REQUIRE(run_command(three.cli.cli + " --node " + three.leader->http + " ledger create shop")
              .exit_code == 0);
}

// Returns once the node has exited: until then its listening socket may still take a
// connection, which then closes mid-handshake instead of being refused.
void kill_node(const ClusterNode& node) {
  REQUIRE(::kill(static_cast<pid_t>(node.pid), SIGKILL) == 0);
  REQUIRE(exited_by(node.pid, std::chrono::steady_clock::now() + std::chrono::seconds(10)));
}

std::string balance(const Three& three, const ClusterNode& node) {
  auto json = json::parse_json(
      run_command(three.cli.cli + " --node " + node.http + " --json account get shop users:1")
          .output);
  if (!json.ok() || json.value().find("data") == nullptr) return "?";
  const json::Json* value =
      json.value().find("data")->find("volumes")->find("USD/2")->find("balance");
  return value == nullptr ? "" : value->text;
}

TEST_CASE("a write through a follower right after the leader died waits for the next leader",
          "[cli]") {
  TempDir dir;
  Three three(dir);
  require_ready(three);
  const ClusterNode& follower = *three.followers[0];
  kill_node(*three.leader);
  // The follower still redirects to the dead leader until an election ends.
  auto write = run_command(three.cli.cli + " --node " + follower.http +
                           " tx create shop -p 'world users:1 7 USD/2' 2>&1");
  INFO(write.output);
  CHECK(write.exit_code == 0);
  CHECK(balance(three, follower) == "7");
}

TEST_CASE("with --cluster-dir a write goes around a node that is down", "[cli]") {
  TempDir dir;
  Three three(dir);
  require_ready(three);
  const ClusterNode& down = *three.followers[0];
  kill_node(down);
  const std::string command = " tx create shop -p 'world users:1 3 USD/2' 2>&1";
  auto alone = run_command(three.cli.cli + " --node " + down.http + command);
  INFO(alone.output);
  CHECK(alone.exit_code == 1);
  CHECK(alone.output.find("cannot connect to " + down.http) != std::string::npos);
  auto around = run_command(three.cli.cli + " --node " + down.http + " --cluster-dir " +
                            three.cli.cluster.dir + command);
  INFO(around.output);
  CHECK(around.exit_code == 0);
  CHECK(balance(three, *three.leader) == "3");
}

TEST_CASE("a write no leader takes fails naming every node it tried", "[cli]") {
  TempDir dir;
  Three three(dir);
  require_ready(three);
  const ClusterNode& survivor = *three.followers[1];
  kill_node(*three.leader);
  kill_node(*three.followers[0]);
  auto write =
      run_command(three.cli.cli + " --write-retry-ms 2500 --cluster-dir " + three.cli.cluster.dir +
                  " --node " + survivor.http + " tx create shop -p 'world users:1 1 USD/2' 2>&1");
  INFO(write.output);
  CHECK(write.exit_code == 1);
  CHECK(write.output.find("no leader took the write after") != std::string::npos);
  for (const auto& node : three.nodes)
    CHECK(write.output.find("  " + node.http + ": ") != std::string::npos);
  CHECK(write.output.find("--ik cli-") != std::string::npos);
}

}  // namespace
}  // namespace tally::testing
