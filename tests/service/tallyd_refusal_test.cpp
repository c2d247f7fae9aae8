// [service] tallyd refuses a data dir that is not its cluster's: another cluster
// id or audit key exits 3, another store schema version exits 4, a damaged Raft directory
// (garbage metadata, a truncated segment) exits 5, each with a clear message on stderr, and the
// data dir is left exactly as it was (same files, bytes and mtimes). And a running tallyd
// whose node fails (its store cannot commit) stops with exit code 1.
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

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

// A data dir that one tallyd wrote and left cleanly: the cluster id `cluster up` chose,
// DIR/audit.key.
struct StoppedNode {
  TempDir dir;
  int base = free_base_port(1);
  std::string cluster = dir.file("c");
  std::string data_dir = cluster + "/node-1";
  std::string key_file = cluster + "/audit.key";
  std::string cluster_id;

  StoppedNode() {
    REQUIRE(base != 0);
    auto up = run_command(tally_binary() + " cluster up 1 --dir " + cluster + " --base-port " +
                          std::to_string(base) + " --tallyd " + tallyd_binary());
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    use_cluster_token(cluster);
    const std::string http = api_scheme(cluster) + "127.0.0.1:" + std::to_string(base + 101);
    auto created = send_json("POST", http, "/v2/main", "");
    auto down = run_command(tally_binary() + " cluster down --dir " + cluster);
    INFO(down.output);
    REQUIRE(created.status == 204);
    REQUIRE(down.exit_code == 0);
    REQUIRE(fs::exists(data_dir + "/store.db"));
    cluster_id = read_cluster_id(cluster);
    REQUIRE_FALSE(cluster_id.empty());
  }

  // Runs tallyd in the foreground on the data dir with extra flags (and the cluster's id
  // unless they name one, its peer certificates unless they ask for plaintext peers, and its
  // API certificate);
  // stderr into a file.
  CommandResult start(const std::string& flags) {
    const std::string port = std::to_string(base + 1), http = std::to_string(base + 101);
    const std::string id_flag = flags.find("--cluster-id") == std::string::npos
                                    ? " --cluster-id=" + cluster_id
                                    : std::string();
    const std::string tls_flags =
        (flags.find("--insecure-peers") == std::string::npos ? peer_tls_flags(cluster, 1) : "") +
        api_tls_flags(cluster, 1);
    return run_command(tallyd_binary() + " --id=1 --raft-address=127.0.0.1:" + port +
                       " --http-address=127.0.0.1:" + http + " --data-dir=" + data_dir + id_flag +
                       tls_flags + token_key_flag(cluster) + " " + flags + " 2>" +
                       dir.file("stderr.txt"));
  }
  std::string stderr_text() { return read_file(dir.file("stderr.txt")); }
  std::string raft_dir() const { return data_dir + "/raft"; }
  // The Raft log's segment files, in name order (closed "0000…-0000…" before "open-N").
  std::vector<std::string> segments() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(raft_dir())) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("open-", 0) == 0 || (!name.empty() && name[0] >= '0' && name[0] <= '9'))
        names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  REQUIRE(out.good());
}

TEST_CASE("tallyd refuses a data dir of another cluster id, with exit code 3", "[service]") {
  StoppedNode node;
  auto before = snapshot(node.cluster);
  // Plaintext peers: the node certificates name the cluster's own id, which tallyd checks
  // before it opens the data dir.
  auto run =
      node.start("--audit-key-file=" + node.key_file + " --cluster-id=elsewhere --insecure-peers");
  INFO(node.stderr_text());
  CHECK(run.exit_code == 3);
  CHECK_THAT(node.stderr_text(), Catch::Contains("data_dir_refused") &&
                                     Catch::Contains("elsewhere") &&
                                     Catch::Contains(node.cluster_id));
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

TEST_CASE("tallyd refuses a revoked tokens file it cannot read or that holds a bad line, exit 3",
          "[service][security]") {
  StoppedNode node;
  auto before = snapshot(node.cluster);
  const std::string damaged = node.dir.file("revoked-tokens");
  write_file(damaged, "# revoked\n0123abcd\nnot an id\n");
  for (const std::string& file : {node.dir.file("absent"), damaged}) {
    INFO(file);
    auto run = node.start("--revoked-tokens-file=" + file);
    INFO(node.stderr_text());
    CHECK(run.exit_code == 3);
    CHECK_THAT(node.stderr_text(),
               Catch::Contains("client_auth_refused") && Catch::Contains("revoked tokens file"));
  }
  CHECK_THAT(node.stderr_text(), Catch::Contains("line 3"));
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

TEST_CASE("tallyd refuses a raft dir with garbage metadata, with exit code 5", "[service]") {
  StoppedNode node;
  for (const char* name : {"metadata1", "metadata2"}) {
    const std::string path = node.raft_dir() + "/" + name;
    // Garbage of the file's own size: a shorter file would be taken for a torn write.
    if (fs::exists(path)) write_file(path, std::string(fs::file_size(path), '\x5a'));
  }
  auto before = snapshot(node.cluster);
  auto run = node.start("--audit-key-file=" + node.key_file);
  INFO(node.stderr_text());
  CHECK(run.exit_code == 5);
  CHECK_THAT(node.stderr_text(), Catch::Contains("data_dir_refused") &&
                                     Catch::Contains("code=CORRUPT") &&
                                     Catch::Contains("metadata") && Catch::Contains("unreadable"));
  CHECK(changes(before, snapshot(node.cluster)) == "");
}

TEST_CASE("tallyd refuses a raft dir with a truncated segment, with exit code 5", "[service]") {
  StoppedNode node;
  const auto segments = node.segments();
  REQUIRE(!segments.empty());
  const std::string first = node.raft_dir() + "/" + segments.front();  // the bootstrap entry
  const std::string bytes = read_file(first);
  write_file(first, bytes.substr(0, bytes.size() / 2));
  auto before = snapshot(node.cluster);
  auto run = node.start("--audit-key-file=" + node.key_file);
  INFO(node.stderr_text());
  CHECK(run.exit_code == 5);
  CHECK_THAT(node.stderr_text(), Catch::Contains("data_dir_refused") &&
                                     Catch::Contains(segments.front()) &&
                                     Catch::Contains("unreadable"));
  const std::string text = node.stderr_text();
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);  // one line says it all
  CHECK(changes(before, snapshot(node.cluster)) == "");
}

TEST_CASE("tallyd whose node fails (its store cannot commit) stops with exit code 1", "[service]") {
  StoppedNode node;
  // In the background, its exit code into a file once it stops.
  const std::string port = std::to_string(node.base + 1), http = std::to_string(node.base + 101);
  const std::string rc = node.dir.file("rc.txt"), pid = node.dir.file("pid.txt");
  run_command("(" + tallyd_binary() + " --id=1 --raft-address=127.0.0.1:" + port +
              " --http-address=127.0.0.1:" + http + " --data-dir=" + node.data_dir +
              " --cluster-id=" + node.cluster_id + " --audit-key-file=" + node.key_file +
              // One entry per store commit, so the commit that fails is the write's own (under
              // group commit an acknowledged write waits in the Raft log for a later commit).
              " --group-entries-max=1" + peer_tls_flags(node.cluster, 1) +
              api_tls_flags(node.cluster, 1) + token_key_flag(node.cluster) + " 2>" +
              node.dir.file("stderr.txt") + " & echo $! >" + pid + "; wait $!; echo $? >" + rc +
              ") >/dev/null 2>&1 &");
  // A tallyd that never stops (the failure under test) is killed when the test ends.
  struct Reaper {
    std::string pid_file, rc_file;
    ~Reaper() {
      if (fs::exists(rc_file) && !read_file(rc_file).empty()) return;
      const std::string text = read_file(pid_file);
      if (!text.empty()) ::kill(static_cast<pid_t>(std::stol(text)), SIGKILL);
    }
  } reaper{pid, rc};
  const std::string base = api_scheme(node.cluster) + "127.0.0.1:" + http;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto wait_for = [&](const std::function<bool()>& done) {
    while (!done()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  // Up and leading (a single voter elects itself).
  wait_for([&] { return get_json(base, "/_tally/info").status == 200; });
  wait_for([&] { return send_json("POST", base, "/v2/first", "").status == 204; });

  // Another connection holds the store's write lock: the next commit fails (SQLITE_BUSY), a
  // storage error that fails the node; its host closes libraft and tallyd must stop.
  sqlite3* lock = nullptr;
  REQUIRE(sqlite3_open((node.data_dir + "/store.db").c_str(), &lock) == SQLITE_OK);
  REQUIRE(sqlite3_exec(lock, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto answer = send_json("POST", base, "/v2/second", "");
  wait_for([&] { return fs::exists(rc) && !read_file(rc).empty(); });
  sqlite3_exec(lock, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(lock);
  INFO(node.stderr_text());
  CHECK(answer.status != 204);  // never acknowledged as written
  CHECK(std::stoi(read_file(rc)) == 1);
  CHECK_THAT(node.stderr_text(), Catch::Contains("node failed") && Catch::Contains("exit_code=1"));
}

}  // namespace
}  // namespace tally::testing
