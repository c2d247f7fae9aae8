// [raft-uv] The production backends in one process: three nodes on 127.0.0.1 (libraft's uv
// disk I/O and TCP transport, SQLite stores) on one libuv loop; 5,000 requests; one node
// stopped and restarted from its data directory (libraft replays the log tail, the node skips
// what its store holds) while the others keep writing; it catches up and every digest agrees.

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <catch2/catch.hpp>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/audit/audit_key.hpp"
#include "native/raft/store_digest.hpp"
#include "native/raft/uv_host.hpp"
#include "tests/cluster/replica_checks.hpp"
#include "tests/cluster/uv_cluster.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

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

  // Restart it from its data directory: when the leader has compacted its log past it, it
  // catches up by installing a snapshot while requests keep coming (whether the leader's
  // snapshot finished in time is up to the machine; both paths end in equal digests).
  cluster.start(follower);
  replica::Node& restarted = *cluster.node(follower);
  REQUIRE(restarted.applied_index() == stopped_at);  // the store survived, nothing lost
  cluster.write(500);
  cluster.converge();
  REQUIRE(restarted.applied_index() > stopped_at);
  std::printf(
      "[raft-uv] node %llu after 1500 entries down: %llu snapshots installed (%llu staged off "
      "the loop), %llu kept out as older, %llu entries skipped\n",
      static_cast<unsigned long long>(restarted.id()),
      static_cast<unsigned long long>(restarted.stats().snapshots_installed),
      static_cast<unsigned long long>(restarted.stats().snapshots_installed_staged),
      static_cast<unsigned long long>(restarted.stats().snapshots_kept),
      static_cast<unsigned long long>(restarted.stats().entries_skipped));
  // Every install from the leader was staged on the thread pool, its state machine prepared
  // there; restore only swapped the file in and adopted it, and said so in its event.
  CHECK(restarted.stats().snapshots_installed_staged == restarted.stats().snapshots_installed);
  CHECK(restarted.stats().snapshots_refused == 0);
  const auto installs = cluster.events_of(follower, "snapshot_installed");
  CHECK(installs.size() == restarted.stats().snapshots_installed);
  for (const auto& install : installs)
    CHECK(install.field("staged") == "true");

  // Kill the other follower briefly: on restart libraft replays its log tail after its last
  // snapshot; the node skips every entry its store already holds and applies the rest.
  unsigned other = 0;
  while (other == follower || cluster.node(other)->is_leader())
    ++other;
  // Its store must hold entries past its last snapshot, or the replay (which starts after the
  // snapshot) has nothing to skip: a snapshot taken at the last applied entry is written
  // past by a few more.
  std::size_t written_past_snapshot = 0;
  while (cluster.node(other)->durable_index() <= cluster.node(other)->snapshot_index()) {
    REQUIRE(written_past_snapshot < 64);
    cluster.write(8);
    cluster.converge();
    written_past_snapshot += 8;
  }
  // It dies with whatever group it has open: the store holds the durable index, and the log
  // replays the rest.
  const std::uint64_t other_durable_at = cluster.node(other)->durable_index();
  cluster.stop(other, /*commit=*/false);
  cluster.write(50);
  cluster.start(other);
  replica::Node& replayed = *cluster.node(other);
  REQUIRE(replayed.applied_index() == other_durable_at);
  const std::uint64_t other_stopped_at = other_durable_at;
  cluster.write(950 - written_past_snapshot);
  cluster.converge();
  std::printf(
      "[raft-uv] node %llu after 50 entries down: %llu entries skipped on replay, %llu "
      "snapshots installed (%zu written past its last snapshot first)\n",
      static_cast<unsigned long long>(replayed.id()),
      static_cast<unsigned long long>(replayed.stats().entries_skipped),
      static_cast<unsigned long long>(replayed.stats().snapshots_installed), written_past_snapshot);
  REQUIRE(replayed.stats().entries_skipped > 0);
  REQUIRE(replayed.applied_index() > other_stopped_at);
  REQUIRE(cluster.acknowledged() == 5000);
  REQUIRE(cluster.business_failures == 0);

  const std::string reference = digest_hex_of(*cluster.node(0));
  for (unsigned i = 0; i < 3; ++i)
    require_replica_sound(*cluster.node(i), reference);
}

// The process's connected TCP sockets with one end on a port of ports, each with whether it
// has TCP_NODELAY set.
std::vector<bool> nodelay_of_links(const std::set<int>& ports) {
  std::vector<bool> links;
  DIR* fds = ::opendir("/proc/self/fd");
  REQUIRE(fds != nullptr);
  while (dirent* entry = ::readdir(fds)) {
    const int fd = std::atoi(entry->d_name);
    sockaddr_in local{}, peer{};
    socklen_t local_size = sizeof local, peer_size = sizeof peer;
    if (entry->d_name[0] == '.' || fd == ::dirfd(fds)) continue;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0) continue;
    if (local.sin_family != AF_INET) continue;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) continue;
    if (ports.count(ntohs(local.sin_port)) == 0 && ports.count(ntohs(peer.sin_port)) == 0) continue;
    int on = 0;
    socklen_t size = sizeof on;
    REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &size) == 0);
    links.push_back(on != 0);
  }
  ::closedir(fds);
  return links;
}

TEST_CASE("libraft's plaintext TCP links between nodes run with Nagle off", "[raft-uv]") {
  UvCluster cluster(16);  // no Configure hook: libraft's own TCP transport
  cluster.write(50);
  cluster.converge();
  std::set<int> ports;
  for (unsigned i = 0; i < cluster.size(); ++i) {
    const std::string& address = cluster.peer(i).address;
    ports.insert(std::stoi(address.substr(address.rfind(':') + 1)));
  }
  const std::vector<bool> links = nodelay_of_links(ports);
  // The leader sends to both followers and each answers it on a connection of its own: four
  // connections at least, both ends of each in this process.
  REQUIRE(links.size() >= 8);
  for (bool nodelay : links)
    CHECK(nodelay);
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
  const std::string reference = digest_hex_of(*cluster.node(0));
  for (unsigned i = 0; i < 3; ++i)
    require_replica_sound(*cluster.node(i), reference);
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
  // The failure went to the node's event sink, with its code.
  const auto failures = cluster.events_of(follower, "node_failed");
  REQUIRE(failures.size() == 1);
  CHECK(failures.front().field("code") == "STORAGE");
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
  const std::string reference = digest_hex_of(*cluster.node(0));
  for (unsigned i = 0; i < 3; ++i)
    require_replica_sound(*cluster.node(i), reference);
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

  std::optional<std::string> reference;
  for (unsigned i = 0; i < cluster.size(); ++i) {
    if (!cluster.active(i)) continue;
    if (!reference) reference = digest_hex_of(*cluster.node(i));
    require_replica_sound(*cluster.node(i), *reference);
  }
  REQUIRE(cluster.acknowledged() == 600);
}

}  // namespace
}  // namespace tally::testing
