// [compat] Formance's official TypeScript SDK, installed from npm at the version its lock file
// pins (tests/compat/package-lock.json; ./build.sh test runs `npm ci` there), drives a real
// 3-node cluster started with `tally cluster up 3`: sdk_compat_test.mjs calls every v2
// operation Tally supports and checks each result by value and each error by code, through
// a follower (so writes and reads follow its redirects to the leader), over HTTPS: Node
// trusts the cluster's CA through NODE_EXTRA_CA_CERTS.
#include <catch2/catch.hpp>

#include <filesystem>

#include "native/auth/cluster_credentials.hpp"
#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

const std::string kCompatDir = std::string(TALLY_SOURCE_DIR) + "/tests/compat";

// A follower's URL when the cluster has elected a leader, else the first node's.
std::string follower_url(const std::vector<ClusterNode>& nodes) {
  for (const ClusterNode& node : nodes) {
    auto info = get_json(node.http, "/_tally/info");
    const json::Json* data = info.json.find("data");
    if (info.status == 200 && data != nullptr && data->find("role") != nullptr &&
        data->find("role")->text == "follower" && data->find("leaderId")->text != "0") {
      return node.http;
    }
  }
  return nodes.front().http;
}

TEST_CASE("the official Formance SDK drives every supported operation of a 3-node cluster",
          "[compat]") {
  INFO("the SDK is installed by ./build.sh test, or: (cd tests/compat && npm ci)");
  REQUIRE(
      std::filesystem::exists(kCompatDir + "/node_modules/@formance/formance-sdk/package.json"));
  TempDir dir;
  LocalCluster cluster(3, dir.file("cluster"));
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);
  const std::vector<ClusterNode> nodes = read_cluster(cluster.dir);
  REQUIRE(nodes.size() == 3);
  const std::string url = follower_url(nodes);
  REQUIRE(url.rfind("https://", 0) == 0);
  auto run = run_command("NODE_EXTRA_CA_CERTS=" + auth::ca_certificate_path(cluster.dir) +
                         " node " + kCompatDir + "/sdk_compat_test.mjs " + url + " 2>&1");
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.output.find("checks passed") != std::string::npos);
  // Every node applied the same history: the checker is clean on each.
  for (const ClusterNode& node : nodes) {
    auto check = get_json(node.http, "/_tally/check");
    INFO(node.http << ": " << check.body.substr(0, 2000));
    CHECK(check.json.find("data")->find("ok")->boolean);
  }
}

}  // namespace
}  // namespace tally::testing
