// [service][security] Revoking a client token before it expires: `tally token revoke` adds its
// id to the cluster's list (DIR/revoked-tokens) and tells the running nodes, and every node
// refuses the token from then on; a damaged list read on SIGHUP changes nothing
// (native/auth/revoked_tokens.hpp, docs/security.md).
#include <signal.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

int status_with(const std::string& node, const std::string& token) {
  return send_json("GET", node, "/v2/main/accounts", "", {{"Authorization", "Bearer " + token}})
      .status;
}

// Polls until the node's answer to token is (refused) or is not (accepted) 401; the nodes
// read the list when the signal reaches them.
bool becomes(const std::string& node, const std::string& token, bool refused) {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    const int status = status_with(node, token);
    if (status != 0 && (status == 401) == refused) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// The node's /_tally/info "revokedTokens": "count digest" ("" when it does not answer).
std::string revoked_of(const std::string& node) {
  auto info = get_json(node, "/_tally/info");
  const json::Json* data = info.json.find("data");
  const json::Json* revoked = data == nullptr ? nullptr : data->find("revokedTokens");
  if (info.status != 200 || revoked == nullptr) return "";
  return revoked->find("count")->text + " " + revoked->find("digest")->text;
}

bool log_says(const std::string& log, const std::string& event, std::size_t times) {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    const std::string text = read_text(log);
    std::size_t count = 0;
    for (std::size_t at = text.find(event); at != std::string::npos; at = text.find(event, at + 1))
      ++count;
    if (count >= times) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_CASE(
    "a revoked token is refused by every node, others pass, and a damaged list changes nothing",
    "[service][security]") {
  TempDir dir;
  LocalCluster cluster(3, dir.file("c"));
  REQUIRE(cluster.base_port != 0);
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);
  const std::vector<ClusterNode> nodes = read_cluster(cluster.dir);
  REQUIRE(nodes.size() == 3);
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  std::uint64_t leader = 0;
  while (leader == 0 && Clock::now() < deadline)
    leader = leader_of(nodes);
  REQUIRE(leader != 0);
  REQUIRE(send_json("POST", nodes[leader - 1].http, "/v2/main", "").status == 204);

  auto mint = [&] {
    auto minted = run_command(tally_binary() + " token create --dir " + cluster.dir +
                              " --ledger main --scope write --ttl 1h");
    REQUIRE(minted.exit_code == 0);
    return first_line(minted.output);
  };
  const std::string stolen = mint(), other = mint();
  for (const ClusterNode& node : nodes) {
    REQUIRE(status_with(node.http, stolen) != 401);
    REQUIRE(status_with(node.http, other) != 401);
  }

  // The token from stdin (--token -), as one keeps it out of shell history.
  auto revoked = run_command("printf '%s\\n' " + stolen + " | " + tally_binary() +
                             " token revoke --dir " + cluster.dir + " --token -");
  INFO(revoked.output);
  REQUIRE(revoked.exit_code == 0);
  CHECK_THAT(revoked.output, Catch::Contains("3 running nodes"));
  for (const ClusterNode& node : nodes) {
    INFO("node " << node.id);
    CHECK(becomes(node.http, stolen, true));
    auto refused = send_json("GET", node.http, "/v2/main/accounts", "",
                             {{"Authorization", "Bearer " + stolen}});
    CHECK_THAT(refused.body, Catch::Contains("revoked"));
    CHECK(status_with(node.http, other) != 401);
    CHECK(get_json(node.http, "/v2/main/accounts").status == 200);  // the admin token
  }
  // Every node says which list it holds: the same one.
  const std::string listed = revoked_of(nodes[0].http);
  CHECK(listed.rfind("1 ", 0) == 0);
  for (const ClusterNode& node : nodes)
    CHECK(revoked_of(node.http) == listed);
  auto status = run_command(tally_binary() + " cluster status --dir " + cluster.dir + " 2>&1");
  INFO(status.output);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.output, Catch::Contains("revoked 1 ("));
  CHECK_THAT(status.output, !Catch::Contains("different revoked-token lists"));
  // A write with the revoked token changes nothing.
  CHECK(send_json("POST", nodes[leader - 1].http, "/v2/main/transactions",
                  R"({"postings":[{"source":"world","destination":"a","amount":1,"asset":"USD"}]})",
                  {{"Authorization", "Bearer " + stolen}})
            .status == 401);

  SECTION("a damaged list read on SIGHUP is logged and the list in force stays") {
    {
      std::ofstream out(cluster.dir + "/revoked-tokens", std::ios::app);
      out << "not an id\n";
    }
    for (const ClusterNode& node : nodes)
      REQUIRE(::kill(static_cast<pid_t>(node.pid), SIGHUP) == 0);
    for (const ClusterNode& node : nodes) {
      INFO("node " << node.id);
      CHECK(log_says(cluster.dir + "/node-" + std::to_string(node.id) + ".log",
                     "event=revoked_tokens_refused", 1));
      CHECK(process_running(node.pid));
      CHECK(status_with(node.http, stolen) == 401);
      CHECK(status_with(node.http, other) != 401);
      CHECK(revoked_of(node.http) == listed);  // the list in force
    }
    // The CLI refuses to extend a damaged list, and tells no node.
    auto refused =
        run_command(tally_binary() + " token revoke --dir " + cluster.dir + " --jti 0011 2>&1");
    CHECK(refused.exit_code != 0);
    CHECK_THAT(refused.output, Catch::Contains("line"));
  }
  SECTION("a list without the id lets the token in again") {
    {
      std::ofstream out(cluster.dir + "/revoked-tokens", std::ios::trunc);
      out << "# emptied\n";
    }
    auto again =
        run_command(tally_binary() + " token revoke --dir " + cluster.dir + " --jti someone-else");
    REQUIRE(again.exit_code == 0);
    for (const ClusterNode& node : nodes) {
      INFO("node " << node.id);
      CHECK(becomes(node.http, stolen, false));
    }
    // One node reads a list the others have not: cluster status names it and fails.
    const std::string others = revoked_of(nodes[1].http);
    {
      std::ofstream out(cluster.dir + "/revoked-tokens", std::ios::app);
      out << "only-node-one\n";
    }
    REQUIRE(::kill(static_cast<pid_t>(nodes[0].pid), SIGHUP) == 0);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (revoked_of(nodes[0].http).rfind("2 ", 0) != 0 && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(revoked_of(nodes[0].http).rfind("2 ", 0) == 0);
    REQUIRE(revoked_of(nodes[1].http) == others);
    auto split = run_command(tally_binary() + " cluster status --dir " + cluster.dir + " 2>&1");
    INFO(split.output);
    CHECK(split.exit_code == 1);
    CHECK_THAT(split.output, Catch::Contains("different revoked-token lists"));
    CHECK_THAT(split.output, Catch::Contains("node 1 holds 2 ("));
    CHECK_THAT(split.output, Catch::Contains("nodes 2, 3 hold 1 ("));
  }
}

}  // namespace
}  // namespace tally::testing
