// [raft-uv] The production backends in one process: three nodes on 127.0.0.1 (libraft's uv
// disk I/O and TCP transport, SQLite stores) on one libuv loop; 5,000 requests; one node
// stopped and restarted from its data directory (libraft replays the log tail, the node skips
// what its store holds) while the others keep writing; it catches up and every digest agrees.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sqlite3.h>
#include <catch2/catch.hpp>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "core/audit/audit_key.hpp"
#include "core/cache/parity.hpp"
#include "core/check/checker.hpp"
#include "native/raft/store_digest.hpp"
#include "native/raft/uv_host.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A port the kernel just handed out on 127.0.0.1 (free unless someone races us for it).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::uint64_t wall_clock_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

class UvCluster {
 public:
  explicit UvCluster(std::size_t depth) : depth_(depth) {
    REQUIRE(uv_loop_init(&loop_) == 0);
    for (std::uint64_t id = 1; id <= 3; ++id)
      voters_.push_back({id, "127.0.0.1:" + std::to_string(free_port())});
    hosts_.resize(3);
    for (unsigned i = 0; i < 3; ++i)
      start(i, voters_);
  }

  ~UvCluster() {
    for (auto& host : hosts_) {
      if (host && !host->closed()) host->close(nullptr);
    }
    run_until([&] {
      for (auto& host : hosts_)
        if (host && !host->closed()) return false;
      return true;
    });
    uv_run(&loop_, UV_RUN_DEFAULT);  // lets the closed handles finish
    graveyard_.clear();
    hosts_.clear();
    uv_loop_close(&loop_);
  }

  // voters: the bootstrap configuration; empty for a server joining the running cluster.
  void start(unsigned i, const std::vector<replica::Peer>& voters) {
    std::optional<Error> error = try_start(i, voters);
    INFO((error ? error->message : std::string()));
    REQUIRE(!error);
  }
  // Starts node i, or hands back the error of a start that fails (the node stays down).
  std::optional<Error> try_start(unsigned i, const std::vector<replica::Peer>& voters) {
    replica::UvConfig config;
    config.address = voters_[i].address;
    config.data_dir = data_dir(i);
    config.voters = voters;
    config.snapshot_threshold = 512;
    config.snapshot_trailing = 128;
    config.heartbeat_ms = 50;
    config.election_timeout_ms = 500;
    replica::NodeConfig node;
    node.id = voters_[i].id;
    node.in_flight_max = depth_;
    node.clock_us = wall_clock_us;
    node.fsm.audit_key = audit::public_demo_audit_key();
    node.fsm.group_entries_max = 32;        // group commit: by count, or every 10 ms
    node.snapshot_chunk_bytes = 64 * 1024;  // snapshots of several chunks through libraft's uv
    auto host = replica::UvHost::start(&loop_, config, std::move(node));
    if (!host.ok()) return std::move(host).error();
    hosts_[i] = std::move(host).value();
    return std::nullopt;
  }
  std::string data_dir(unsigned i) { return dir_.file("node-" + std::to_string(i + 1)); }

  // commit false: a crash with the open group not yet in the store.
  void stop(unsigned i, bool commit = true) {
    hosts_[i]->close(nullptr, commit);
    run_until([&] { return hosts_[i]->closed(); });
    graveyard_.push_back(std::move(hosts_[i]));  // freed once the loop is drained
  }

  void start(unsigned i) { start(i, voters_); }
  std::optional<Error> try_start(unsigned i) { return try_start(i, voters_); }
  // A new, empty server (not bootstrapped) on a new port; the leader adds it. Its index.
  unsigned start_joiner() {
    const auto id = static_cast<std::uint64_t>(voters_.size() + 1);
    voters_.push_back({id, "127.0.0.1:" + std::to_string(free_port())});
    hosts_.emplace_back();
    start(static_cast<unsigned>(hosts_.size() - 1), {});
    return static_cast<unsigned>(hosts_.size() - 1);
  }
  // Node i left the configuration: closed, and no longer expected to converge.
  void retire(unsigned i) {
    stop(i);
    retired_.insert(i);
  }
  const replica::Peer& peer(unsigned i) const { return voters_[i]; }
  unsigned size() const { return static_cast<unsigned>(hosts_.size()); }
  bool active(unsigned i) const { return hosts_[i] != nullptr && retired_.count(i) == 0; }
  replica::Node* node(unsigned i) { return hosts_[i] ? &hosts_[i]->node() : nullptr; }
  replica::UvHost* host(unsigned i) { return hosts_[i].get(); }
  std::string store_path(unsigned i) { return data_dir(i) + "/store.db"; }
  // A host that closed itself (its node failed): kept until the loop is drained.
  void bury(unsigned i) {
    REQUIRE(hosts_[i]->closed());
    graveyard_.push_back(std::move(hosts_[i]));
  }

  replica::Node* leader() {
    for (unsigned i = 0; i < size(); ++i) {
      if (node(i) != nullptr && !host(i)->closed() && node(i)->is_leader()) return node(i);
    }
    return nullptr;
  }

  // Runs the loop, submitting while the leader has room, until `count` more acknowledgements.
  void write(std::size_t count) {
    const std::size_t target = acknowledged_ + count;
    run_until([&] {
      if (replica::Node* lead = leader()) {
        // The ledger is created alone, before any transaction is admitted.
        while (lead->in_flight() < (ledger_created_ ? depth_ : 1) &&
               acknowledged_ + lead->in_flight() < target) {
          const std::size_t before = lead->in_flight();
          submit(*lead);
          if (lead->in_flight() == before) break;  // answered at once: let the loop run
        }
      }
      return acknowledged_ >= target;
    });
  }

  void run_until(const std::function<bool()>& done, int seconds = 600) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (!done()) {
      REQUIRE(Clock::now() < deadline);
      uv_run(&loop_, UV_RUN_NOWAIT);
      if (!done()) uv_run(&loop_, UV_RUN_ONCE);
    }
  }

  // Every node applies the leader's last index, then the state machines catch up.
  void converge() {
    run_until([&] {
      replica::Node* lead = leader();
      if (lead == nullptr) return false;
      for (unsigned i = 0; i < size(); ++i) {
        if (active(i) && node(i)->raft_applied_index() < lead->last_log_index()) return false;
      }
      return true;
    });
    for (unsigned i = 0; i < size(); ++i) {
      if (!active(i)) continue;
      REQUIRE(node(i)->catch_up().ok());
      REQUIRE(node(i)->commit_point().ok());
    }
  }

  std::size_t acknowledged() const { return acknowledged_; }
  std::size_t retries = 0, business_failures = 0;

 private:
  void submit(replica::Node& lead) {
    plan::Request request{{domain::CreateLedger{"main", {}}}, std::nullopt};
    const bool ledger = !ledger_created_;
    if (!ledger) {
      domain::CreateTransaction tx;
      tx.ledger = "main";
      tx.postings.push_back({"world", "users:" + std::to_string(submitted_ % 97),
                             domain::Amount(1 + submitted_ % 13), "USD"});
      request = {{tx}, std::nullopt};
    }
    ++submitted_;
    lead.submit(std::move(request), [this, ledger](replica::Reply reply) {
      if (reply.status == replica::Reply::Status::kApplied) {
        ++acknowledged_;
        if (ledger) ledger_created_ = true;
        if (!reply.report->outcome.ok()) ++business_failures;
      } else {
        ++retries;
      }
    });
  }

  TempDir dir_;
  uv_loop_t loop_{};
  std::vector<replica::Peer> voters_;
  std::vector<std::unique_ptr<replica::UvHost>> hosts_;
  std::vector<std::unique_ptr<replica::UvHost>> graveyard_;
  std::set<unsigned> retired_;
  std::size_t depth_;
  std::size_t submitted_ = 0, acknowledged_ = 0;
  bool ledger_created_ = false;
};

TEST_CASE("three uv nodes on 127.0.0.1 take 5,000 requests through a follower restart",
          "[raft-uv]") {
  constexpr std::size_t kDepth = 64;
  UvCluster cluster(kDepth);
  cluster.run_until([&] { return cluster.leader() != nullptr; });

  const auto started = Clock::now();
  cluster.write(2000);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf("[raft-uv] 3 nodes, in-flight depth %zu: 2000 requests in %.2f s = %.0f req/s\n",
              kDepth, seconds, 2000 / seconds);

  // Stop a follower; the others go on without it.
  unsigned follower = 0;
  while (cluster.node(follower)->is_leader())
    ++follower;
  const std::uint64_t stopped_at = cluster.node(follower)->applied_index();
  cluster.stop(follower);
  cluster.write(1500);

  // Restart it from its data directory: the leader has compacted its log past it, so it
  // catches up by installing a snapshot while requests keep coming.
  cluster.start(follower);
  replica::Node& restarted = *cluster.node(follower);
  REQUIRE(restarted.applied_index() == stopped_at);  // the store survived, nothing lost
  cluster.write(500);
  cluster.converge();
  REQUIRE(restarted.applied_index() > stopped_at);
  std::printf(
      "[raft-uv] node %llu after 1500 entries down: %llu snapshots installed, %llu "
      "refused as older, %llu entries skipped\n",
      static_cast<unsigned long long>(restarted.id()),
      static_cast<unsigned long long>(restarted.snapshots_installed()),
      static_cast<unsigned long long>(restarted.snapshots_refused()),
      static_cast<unsigned long long>(restarted.entries_skipped()));

  // Kill the other follower briefly: on restart libraft replays its log tail after its last
  // snapshot; the node skips every entry its store already holds and applies the rest.
  unsigned other = 0;
  while (other == follower || cluster.node(other)->is_leader())
    ++other;
  // It dies with its open group of applied entries not yet in its store: the store holds the
  // durable index, and the log replays the rest.
  const std::uint64_t other_durable_at = cluster.node(other)->durable_index();
  cluster.stop(other, /*commit=*/false);
  cluster.write(50);
  cluster.start(other);
  replica::Node& replayed = *cluster.node(other);
  REQUIRE(replayed.applied_index() == other_durable_at);
  const std::uint64_t other_stopped_at = other_durable_at;
  cluster.write(950);
  cluster.converge();
  std::printf(
      "[raft-uv] node %llu after 50 entries down: %llu entries skipped on replay, %llu "
      "snapshots installed\n",
      static_cast<unsigned long long>(replayed.id()),
      static_cast<unsigned long long>(replayed.entries_skipped()),
      static_cast<unsigned long long>(replayed.snapshots_installed()));
  REQUIRE(replayed.entries_skipped() > 0);
  REQUIRE(replayed.applied_index() > other_stopped_at);
  REQUIRE(cluster.acknowledged() == 5000);
  REQUIRE(cluster.business_failures == 0);

  auto reference = cluster.node(0)->digest();
  REQUIRE(reference.ok());
  for (unsigned i = 0; i < 3; ++i) {
    replica::Node& node = *cluster.node(i);
    INFO("node " << node.id());
    REQUIRE(!node.failed());
    REQUIRE(node.applied_index() == cluster.node(0)->applied_index());
    auto digest = node.digest();
    REQUIRE(digest.ok());
    REQUIRE(replica::digest_hex(*digest) == replica::digest_hex(*reference));
    auto parity =
        cache::check_parity(node.state_machine().cache(), node.state_machine().read_view());
    REQUIRE(parity.ok());
    REQUIRE(parity->ok);
    auto check = check::run_check({node.state_machine().read_view(), &node.state_machine().cache(),
                                   "tally", audit::public_demo_audit_key()});
    REQUIRE(check.ok());
    INFO(check->describe());
    REQUIRE(check->ok());
    REQUIRE(check->hashes_verified);
  }
}

// Every regular file directly in dir, by name, with its bytes (a raft dir is flat).
std::map<std::string, std::string> files_in(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files[entry.path().filename().string()] = {std::istreambuf_iterator<char>(in), {}};
  }
  return files;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  REQUIRE(out.good());
}

// Puts dir back to exactly `files`: rewrites each, removes any other.
void restore_files(const std::string& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [name, bytes] : files_in(dir)) {
    if (files.count(name) == 0) std::filesystem::remove(dir + "/" + name);
  }
  for (const auto& [name, bytes] : files)
    write_file(dir + "/" + name, bytes);
}

TEST_CASE(
    "a node on a damaged raft directory is refused at start, files untouched, and once repaired "
    "it catches up",
    "[raft-uv]") {
  UvCluster cluster(16);
  cluster.run_until([&] { return cluster.leader() != nullptr; });
  cluster.write(200);  // below the snapshot threshold: the whole log is in segments
  unsigned follower = 0;
  while (cluster.node(follower)->is_leader())
    ++follower;
  cluster.stop(follower);
  const std::string raft_dir = cluster.data_dir(follower) + "/raft";
  const auto intact = files_in(raft_dir);
  std::vector<std::string> segments;  // "open-N" sorts after the closed "0000...-0000..."
  for (const auto& [name, bytes] : intact) {
    if (name.rfind("open-", 0) == 0 || (!name.empty() && name[0] >= '0' && name[0] <= '9'))
      segments.push_back(name);
  }
  REQUIRE(intact.count("metadata1") + intact.count("metadata2") > 0);
  REQUIRE(segments.size() >= 2);

  // Starts the follower on the damaged files: refused as unreadable, naming `file`, with
  // every file as it was (no segment moved aside, nothing truncated); then repairs them.
  auto expect_refused = [&](const std::string& file, bool libraft_leaks = false) {
    const auto damaged = files_in(raft_dir);
#if defined(__SANITIZE_ADDRESS__)
    // libraft 0.15 leaks the entries array of a closed segment that fails after its first
    // batch (uvSegmentLoadClosed; fixed upstream by f40cfd0, "fix leak in
    // uvLoadClosedSegment"): not ours, and once per refused start, so not reported.
    if (libraft_leaks) __lsan_disable();
#endif
    std::optional<Error> error = cluster.try_start(follower);
#if defined(__SANITIZE_ADDRESS__)
    if (libraft_leaks) __lsan_enable();
#endif
    REQUIRE(error);
    INFO(error->message);
    CHECK(error->code == Code::kCorrupt);
    CHECK_THAT(error->message, Catch::Contains(file) && Catch::Contains(raft_dir));
    CHECK(files_in(raft_dir) == damaged);
    restore_files(raft_dir, intact);
  };

  // Both metadata files overwritten with garbage of their own size (a shorter one would be
  // taken for a torn write and removed by libraft).
  for (const char* name : {"metadata1", "metadata2"}) {
    if (intact.count(name))
      write_file(raft_dir + "/" + name, std::string(intact.at(name).size(), '\xa5'));
  }
  expect_refused("metadata");

  // The first segment (the bootstrap configuration) cut in half: a short read.
  const std::string& first = segments.front();
  write_file(raft_dir + "/" + first, intact.at(first).substr(0, intact.at(first).size() / 2));
  expect_refused(first);

  // The last segment cut inside its last batch (an open segment is preallocated and
  // zero-filled: keep everything before its last non-zero byte). libraft forgives a torn
  // tail of an open segment only where the rest is zeros, never a batch cut short; a clean
  // stop has closed it, and a closed segment must be whole.
  const std::string& last = segments.back();
  const std::size_t end = intact.at(last).find_last_not_of('\0');
  REQUIRE(end != std::string::npos);
  write_file(raft_dir + "/" + last, intact.at(last).substr(0, end));
  expect_refused(last, /*libraft_leaks=*/last.rfind("open-", 0) != 0);

  // Repaired, the same node starts, catches up and agrees.
  REQUIRE(files_in(raft_dir) == intact);
  cluster.start(follower);
  cluster.write(50);
  cluster.converge();
  auto reference = cluster.node(0)->digest();
  REQUIRE(reference.ok());
  for (unsigned i = 0; i < 3; ++i) {
    INFO("node " << i + 1);
    REQUIRE(*cluster.node(i)->digest() == *reference);
  }
}

TEST_CASE("a node whose store fails closes libraft by itself, and restarted it catches up",
          "[raft-uv]") {
  UvCluster cluster(16);
  cluster.run_until([&] { return cluster.leader() != nullptr; });
  cluster.write(100);
  unsigned follower = 0;
  while (cluster.node(follower)->is_leader())
    ++follower;
  bool closed_by_failure = false;
  cluster.host(follower)->on_failure_closed([&] { closed_by_failure = true; });

  // Another connection holds the follower's store's write lock: its next group commit fails
  // (SQLITE_BUSY), a storage error, so the node fails and its host closes raft.
  sqlite3* lock = nullptr;
  REQUIRE(sqlite3_open(cluster.store_path(follower).c_str(), &lock) == SQLITE_OK);
  REQUIRE(sqlite3_exec(lock, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  cluster.write(100);  // the leader and the other follower are a majority
  cluster.run_until([&] { return closed_by_failure; }, 30);
  REQUIRE(cluster.node(follower)->failed());
  REQUIRE(cluster.host(follower)->closed());
  REQUIRE(cluster.node(follower)->raft_applied_index() == 0);  // detached from libraft
  sqlite3_exec(lock, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(lock);
  cluster.write(50);

  // Restarted from its data directory, it replays what its store lacks and agrees.
  cluster.bury(follower);
  cluster.start(follower);
  REQUIRE(!cluster.node(follower)->failed());
  cluster.write(50);
  cluster.converge();
  auto reference = cluster.node(0)->digest();
  REQUIRE(reference.ok());
  for (unsigned i = 0; i < 3; ++i) {
    INFO("node " << i + 1);
    REQUIRE(cluster.node(i)->applied_index() == cluster.node(0)->applied_index());
    REQUIRE(*cluster.node(i)->digest() == *reference);
  }
}

TEST_CASE("a voter joins the uv cluster at runtime and catches up, then another is removed",
          "[raft-uv]") {
  UvCluster cluster(16);
  cluster.run_until([&] { return cluster.leader() != nullptr; });
  cluster.write(200);

  // Add a fourth server, empty and not bootstrapped, then promote it to voter.
  const unsigned added = cluster.start_joiner();
  int status = -1;
  REQUIRE(cluster.leader()->add_server(cluster.peer(added).id, cluster.peer(added).address,
                                       [&](int s) { status = s; }) == 0);
  cluster.run_until([&] { return status >= 0; }, 60);
  REQUIRE(status == 0);
  status = -1;
  REQUIRE(cluster.leader()->assign_role(cluster.peer(added).id, RAFT_VOTER,
                                        [&](int s) { status = s; }) == 0);
  cluster.run_until([&] { return status >= 0; }, 60);
  REQUIRE(status == 0);
  cluster.write(200);
  cluster.converge();
  REQUIRE(cluster.node(added)->applied_index() > 200);

  // Remove a follower that was there from the start; the other three go on.
  unsigned removed = 0;
  while (cluster.node(removed)->is_leader())
    ++removed;
  status = -1;
  REQUIRE(cluster.leader()->remove_server(cluster.peer(removed).id, [&](int s) { status = s; }) ==
          0);
  cluster.run_until([&] { return status >= 0; }, 60);
  REQUIRE(status == 0);
  cluster.retire(removed);
  cluster.write(200);
  cluster.converge();

  std::optional<crypto::Digest> reference;
  for (unsigned i = 0; i < cluster.size(); ++i) {
    if (!cluster.active(i)) continue;
    INFO("node " << i + 1);
    replica::Node& node = *cluster.node(i);
    REQUIRE(!node.failed());
    auto digest = node.digest();
    REQUIRE(digest.ok());
    if (!reference) reference = *digest;
    REQUIRE(*digest == *reference);
    auto check = check::run_check({node.state_machine().read_view(), &node.state_machine().cache(),
                                   "tally", audit::public_demo_audit_key()});
    REQUIRE(check.ok());
    INFO(check->describe());
    REQUIRE(check->ok());
  }
  REQUIRE(cluster.acknowledged() == 600);
}

}  // namespace
}  // namespace tally::testing
