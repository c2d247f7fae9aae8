// [service][security] The security of real processes: `tally cluster up` runs its nodes over
// mutual TLS and mints tokens; tallyd will not start without peer TLS unless told to, out
// loud; refuses a certificate that is not its own; and refuses a store whose cache disagrees
// with the rows it stands for (exit 5), before it serves or votes.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/cache/cache_mirror.hpp"
#include "core/codec/value_codec.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/store/layout.hpp"
#include "native/auth/access.hpp"
#include "native/auth/cluster_credentials.hpp"
#include "native/keyfile/token_key_file.hpp"
#include "native/sqlite/sqlite_store.hpp"
#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

// tallyd in the foreground for node 1 of a one-node cluster on base, stderr into a file.
CommandResult run_tallyd(int base, const std::string& data_dir, const std::string& flags,
                         const std::string& stderr_file) {
  return run_command(tallyd_binary() +
                     " --id=1 --raft-address=127.0.0.1:" + std::to_string(base + 1) +
                     " --http-address=127.0.0.1:" + std::to_string(base + 101) +
                     " --data-dir=" + data_dir + " " + flags + " 2>" + stderr_file);
}

TEST_CASE(
    "tally cluster up runs its nodes over mutual TLS and mints tokens the nodes' key verifies",
    "[service][security]") {
  TempDir dir;
  LocalCluster cluster(3, dir.file("c"));
  REQUIRE(cluster.base_port != 0);
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);
  for (std::uint64_t id = 1; id <= 3; ++id) {
    const auth::PeerCredentials files = auth::node_credentials(cluster.dir, id);
    struct stat status {};
    REQUIRE(::stat(files.key.c_str(), &status) == 0);
    CHECK((status.st_mode & 0777) == 0600);
    const std::string log = read_text(cluster.dir + "/node-" + std::to_string(id) + ".log");
    CHECK(log.find("event=started") != std::string::npos);
    CHECK(log.find("insecure_peers") == std::string::npos);
    CHECK(log.find("peer_refused") == std::string::npos);
  }
  const std::string base =
      api_scheme(cluster.dir) + "127.0.0.1:" + std::to_string(cluster.base_port + 101);
  CHECK(send_json("POST", base, "/v2/main", "").status / 100 == 2);  // replicated over TLS

  auto token = run_command(tally_binary() + " token create --dir " + cluster.dir +
                           " --ledger main --scope write --ttl 1h");
  REQUIRE(token.exit_code == 0);
  while (!token.output.empty() && token.output.back() == '\n')
    token.output.pop_back();
  auto key = keyfile::read_token_key_file(auth::token_key_path(cluster.dir));
  REQUIRE(key.ok());
  auth::TokenGate gate(*key, read_cluster_id(cluster.dir));  // the token names this cluster
  const auto now =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  const std::string header = "Bearer " + token.output;
  auth::Decision write =
      gate.decide(header, {auth::RouteKind::kLedger, auth::MethodClass::kWrite, "main"}, now);
  INFO(write.reason);
  CHECK(write.outcome == auth::Decision::Outcome::kAllowed);
  CHECK(gate.decide(header, {auth::RouteKind::kLedger, auth::MethodClass::kWrite, "other"}, now)
            .outcome == auth::Decision::Outcome::kForbidden);
  CHECK(
      gate.decide(header, {auth::RouteKind::kLedger, auth::MethodClass::kWrite, "main"}, now + 3601)
          .outcome == auth::Decision::Outcome::kUnauthorized);
  auto refused = run_command(tally_binary() + " token create --dir " + cluster.dir +
                             " --scope root 2>/dev/null");
  CHECK(refused.exit_code == 2);
}

TEST_CASE("tallyd without peer TLS refuses to start, and with --insecure-peers warns",
          "[service][security]") {
  TempDir dir;
  const int base = free_base_port(1);
  REQUIRE(base != 0);
  auto refused = run_tallyd(base, dir.file("data"), "", dir.file("refused.txt"));
  CHECK(refused.exit_code == 2);
  CHECK_THAT(read_text(dir.file("refused.txt")),
             Catch::Contains("--peer-cert") && Catch::Contains("--insecure-peers"));

  // In the background until it answers, then SIGTERM.
  const std::string pid = dir.file("pid.txt");
  run_command(tallyd_binary() + " --id=1 --raft-address=127.0.0.1:" + std::to_string(base + 1) +
              " --http-address=127.0.0.1:" + std::to_string(base + 101) +
              " --data-dir=" + dir.file("data") + " --insecure-peers --auth=off >/dev/null 2>" +
              dir.file("insecure.txt") + " & echo $! >" + pid);
  const std::string http = "http://127.0.0.1:" + std::to_string(base + 101);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (get_json(http, "/_tally/info").status != 200 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const long process = std::stol(read_text(pid));
  ::kill(static_cast<pid_t>(process), SIGTERM);
  exited_by(process, deadline);
  const std::string log = read_text(dir.file("insecure.txt"));
  CHECK_THAT(log, Catch::Contains("level=warn") && Catch::Contains("event=insecure_peers"));
  // One warning line says the API takes requests without tokens.
  const std::size_t auth_off = log.find("event=auth_off");
  REQUIRE(auth_off != std::string::npos);
  const std::size_t line_start = log.rfind('\n', auth_off) + 1;  // npos + 1: the first line
  CHECK(log.substr(line_start, auth_off - line_start).find("level=warn") != std::string::npos);
  CHECK_THAT(log, Catch::Contains("event=started"));
}

TEST_CASE("tallyd refuses another node's certificate, with exit code 3", "[service][security]") {
  TempDir dir;
  REQUIRE(auth::ensure_cluster_credentials(dir.file("c"), "tally", {1, 2}).ok());
  const int base = free_base_port(1);
  REQUIRE(base != 0);
  auto refused =
      run_tallyd(base, dir.file("data"), peer_tls_flags(dir.file("c"), 2), dir.file("err.txt"));
  CHECK(refused.exit_code == 3);
  CHECK_THAT(read_text(dir.file("err.txt")), Catch::Contains("names urn:tally:node:2:tally"));
}

TEST_CASE("tallyd refuses a store whose cache disagrees with its rows, with exit code 5",
          "[service][security]") {
  TempDir dir;
  std::string cluster_dir = dir.file("c");
  int base = 0;
  {
    LocalCluster cluster(1, cluster_dir);
    REQUIRE(cluster.base_port != 0);
    INFO(cluster.up.output);
    REQUIRE(cluster.up.exit_code == 0);
    base = cluster.base_port;
    const std::string http = api_scheme(cluster_dir) + "127.0.0.1:" + std::to_string(base + 101);
    REQUIRE(send_json("POST", http, "/v2/main", "").status == 204);
    auto paid = send_json("POST", http, "/v2/main/transactions",
                          R"({"postings":[{"source":"world","destination":"users:a",)"
                          R"("amount":100,"asset":"USD"}]})");
    INFO(paid.body);
    REQUIRE(paid.status / 100 == 2);
  }  // cluster down: the store is closed cleanly
  const std::string data_dir = cluster_dir + "/node-1";
  {
    // The cached balance of users:a made 1,000 higher than its row: the mirror row rewritten.
    auto store = sqlite::SqliteStore::open(data_dir + "/store.db");
    REQUIRE(store.ok());
    const auto key = keys::volume_key("main", "users:a", "USD");
    const auto id = keys::attribute_id(key.canonical).to_bytes();
    std::optional<Bytes> row_key;
    REQUIRE(store::scan_range(
                **store, store::zone_begin(store::kZoneCache), store::zone_end(store::kZoneCache),
                [&](ByteView k, ByteView) {
                  if (k.size == cache::kCacheRowKeyBytes &&
                      ByteView(k.data + 3, id.size()) == ByteView(id.data(), id.size())) {
                    row_key = k.to_bytes();
                  }
                  return true;
                })
                .ok());
    REQUIRE(row_key.has_value());
    store::Batch tamper;
    tamper.put(*row_key, cache::cache_row_value(cache::live_entry(
                             keys::attribute_tag(key.canonical),
                             codec::ValueCodec<domain::Volume>::encode(
                                 {domain::Amount::from_u64(1100), domain::Amount()}))));
    REQUIRE((*store)->write(tamper).ok());
  }
  auto refused = run_tallyd(base, data_dir,
                            peer_tls_flags(cluster_dir, 1) + token_key_flag(cluster_dir) +
                                " --audit-key-file=" + cluster_dir +
                                "/audit.key --cluster-id=" + read_cluster_id(cluster_dir),
                            dir.file("err.txt"));
  const std::string log = read_text(dir.file("err.txt"));
  INFO(log);
  CHECK(refused.exit_code == 5);
  CHECK_THAT(log, Catch::Contains("code=CORRUPT") && Catch::Contains("cache entry Volume") &&
                      Catch::Contains("disagrees with attribute row"));
}

}  // namespace
}  // namespace tally::testing
