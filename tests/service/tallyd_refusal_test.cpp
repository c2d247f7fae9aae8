// [service] tallyd refuses a data dir that is not its cluster's (issue #10): another cluster
// id or audit key exits 3, another store schema version exits 4, each with a clear message on
// stderr, and the data dir is left exactly as it was (same files, bytes and mtimes).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/store/layout.hpp"
#include "core/store/schema_version.hpp"
#include "native/keyfile/audit_key_file.hpp"
#include "native/sqlite/sqlite_store.hpp"
#include "tests/service/processes.hpp"
#include "tests/support/store_fixtures.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

namespace fs = std::filesystem;

struct FileState {
  std::string bytes;
  fs::file_time_type mtime;
  bool operator==(const FileState&) const = default;
};

// Every file under dir with its bytes and mtime (the data dir is small: one node, a ledger).
std::map<std::string, FileState> snapshot(const std::string& dir) {
  std::map<std::string, FileState> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    files[entry.path().string()] = {bytes.str(), fs::last_write_time(entry.path())};
  }
  return files;
}

// The files whose bytes or mtime differ, or that appeared or went, for the failure message.
std::string changes(const std::map<std::string, FileState>& before,
                    const std::map<std::string, FileState>& after) {
  std::string out;
  for (const auto& [path, state] : before) {
    auto found = after.find(path);
    if (found == after.end()) {
      out += "gone: " + path + "\n";
    } else if (found->second.bytes != state.bytes) {
      out += "bytes changed: " + path + "\n";
    } else if (found->second.mtime != state.mtime) {
      out += "mtime changed: " + path + "\n";
    }
  }
  for (const auto& [path, state] : after) {
    if (before.count(path) == 0) out += "new: " + path + "\n";
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A data dir that one tallyd wrote and left cleanly: cluster "tally", DIR/audit.key.
struct StoppedNode {
  TempDir dir;
  int base = free_base_port(1);
  std::string cluster = dir.file("c");
  std::string data_dir = cluster + "/node-1";
  std::string key_file = cluster + "/audit.key";

  StoppedNode() {
    REQUIRE(base != 0);
    auto up = run_command(tally_binary() + " cluster up 1 --dir " + cluster + " --base-port " +
                          std::to_string(base) + " --tallyd " + tallyd_binary());
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    const std::string http = "http://127.0.0.1:" + std::to_string(base + 101);
    auto created = send_json("POST", http, "/v3/main", "");
    auto down = run_command(tally_binary() + " cluster down --dir " + cluster);
    INFO(down.output);
    REQUIRE(created.status == 204);
    REQUIRE(down.exit_code == 0);
    REQUIRE(fs::exists(data_dir + "/store.db"));
  }

  // Runs tallyd in the foreground on the data dir with extra flags; stderr into a file.
  CommandResult start(const std::string& flags) {
    const std::string port = std::to_string(base + 1), http = std::to_string(base + 101);
    return run_command(tallyd_binary() + " --id=1 --raft-address=127.0.0.1:" + port +
                       " --http-address=127.0.0.1:" + http + " --data-dir=" + data_dir + " " +
                       flags + " 2>" + dir.file("stderr.txt"));
  }
  std::string stderr_text() { return read_file(dir.file("stderr.txt")); }
};

TEST_CASE("tallyd refuses a data dir of another cluster id, with exit code 3", "[service]") {
  StoppedNode node;
  auto before = snapshot(node.cluster);
  auto run = node.start("--audit-key-file=" + node.key_file + " --cluster-id=elsewhere");
  INFO(node.stderr_text());
  CHECK(run.exit_code == 3);
  CHECK_THAT(node.stderr_text(), Catch::Contains("data_dir_refused") &&
                                     Catch::Contains("elsewhere") && Catch::Contains("tally"));
  CHECK(changes(before, snapshot(node.cluster)) == "");
}

TEST_CASE("tallyd refuses a data dir written under another audit key, with exit code 3",
          "[service]") {
  StoppedNode node;
  const std::string other_key = node.dir.file("other.key");
  REQUIRE(keyfile::create_audit_key_file(other_key).ok());
  auto before = snapshot(node.cluster);
  auto run = node.start("--audit-key-file=" + other_key);
  INFO(node.stderr_text());
  CHECK(run.exit_code == 3);
  CHECK_THAT(node.stderr_text(),
             Catch::Contains("data_dir_refused") && Catch::Contains("keyed by key id"));
  CHECK(changes(before, snapshot(node.cluster)) == "");
}

TEST_CASE("tallyd refuses a data dir with no key file for its store, with exit code 3",
          "[service]") {
  StoppedNode node;
  auto before = snapshot(node.cluster);
  auto run = node.start("--audit-key-file=" + node.dir.file("absent.key"));
  INFO(node.stderr_text());
  CHECK(run.exit_code == 3);
  CHECK_THAT(node.stderr_text(), Catch::Contains("audit_key_refused"));
  CHECK_FALSE(fs::exists(node.dir.file("absent.key")));  // not created for an existing store
  CHECK(changes(before, snapshot(node.cluster)) == "");
}

TEST_CASE("tallyd refuses a store of another schema version, with exit code 4", "[service]") {
  StoppedNode node;
  {
    auto store = sqlite::SqliteStore::open(node.data_dir + "/store.db");
    REQUIRE(store.ok());
    store::Batch batch;
    Bytes version;
    put_u32_le(version, store::kSchemaVersion + 1);
    batch.put(store::schema_version_key(), version);
    commit(**store, batch);
  }
  auto before = snapshot(node.cluster);
  auto run = node.start("--audit-key-file=" + node.key_file);
  INFO(node.stderr_text());
  CHECK(run.exit_code == 4);
  CHECK_THAT(node.stderr_text(),
             Catch::Contains("data_dir_refused") && Catch::Contains("SCHEMA_MISMATCH"));
  CHECK(changes(before, snapshot(node.cluster)) == "");
}

}  // namespace
}  // namespace tally::testing
