// A cluster of replica::Node on libraft's in-memory fixture (raft/fixture.h): virtual time,
// deterministic for a seed, with kills, revivals and network partitions. The [raft] tests
// drive it with the simulator's seeded workload and check, after each scenario, that every
// node agrees (digest, parity, checker) and that no acknowledged request is missing.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include <raft.h>
#include <raft/fixture.h>
}

#include "core/sim/prng.hpp"
#include "core/sim/workload.hpp"
#include "native/raft/append_pacer.hpp"
#include "native/raft/node.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {

struct FixtureOptions {
  unsigned voters = 3;
  std::uint64_t rotation_threshold = 5;
  std::size_t in_flight_max = 8;
  std::size_t batch_entries_max = 256;  // leader batching (native/raft/node.hpp)
  std::size_t batch_bytes_max = std::size_t{4} << 20;
  std::size_t batches_in_flight_max = 1;
  bool pace_appends = false;          // an AppendPacer on each io (native/raft/append_pacer.hpp)
  std::size_t group_entries_max = 1;  // group commit: entries per store write
  unsigned snapshot_threshold = 64;
  unsigned snapshot_trailing = 16;
  std::uint64_t snapshot_chunk_bytes = 64 * 1024;  // small: images span several chunks
  const TempDir* sqlite_dir = nullptr;  // SQLite stores in this folder; memory stores if null
};

class FixtureCluster {
 public:
  explicit FixtureCluster(const FixtureOptions& options);
  ~FixtureCluster();
  FixtureCluster(const FixtureCluster&) = delete;
  FixtureCluster& operator=(const FixtureCluster&) = delete;

  unsigned size() const { return static_cast<unsigned>(nodes_.size()); }
  replica::Node& node(unsigned i) { return *nodes_[i]; }
  // Node i's in-memory store, for fault injection (null with SQLite stores).
  store::MemoryStore* memory(unsigned i) { return memory_[i]; }
  struct raft_fixture& fixture() {
    return fixture_;
  }
  bool alive(unsigned i) { return raft_fixture_alive(&fixture_, i); }
  // The index of the leader, or size() when there is none.
  unsigned leader();
  void step() { raft_fixture_step(&fixture_); }
  void kill(unsigned i) { raft_fixture_kill(&fixture_, i); }
  void revive(unsigned i) { raft_fixture_revive(&fixture_, i); }
  // A new, empty server (id size() + 1) started and connected, not yet in the configuration:
  // the leader adds it (Node::add_server) and promotes it (assign_role). Returns its index.
  unsigned grow();
  // Node i left the configuration and is shut down (left running, its elections would
  // disturb the cluster): it is no longer expected to converge or agree.
  void retire(unsigned i) {
    retired_[i] = true;
    kill(i);
  }
  void isolate(unsigned i);    // cut every link to and from i
  void reconnect(unsigned i);  // restore them

  // Heals everything and steps until every live node has applied the leader's last index;
  // then brings each state machine to libraft's applied index. Fails the test otherwise.
  void converge();
  // Equal applied index and digest on every live node, parity and the checker clean on each,
  // and every acknowledged index audited on each.
  void require_agreement(const std::set<std::uint64_t>& acknowledged);

 private:
  struct raft_fixture fixture_ {};
  std::vector<std::unique_ptr<replica::Node>> nodes_;
  std::vector<std::unique_ptr<replica::AppendPacer>> pacers_;  // outlive raft_fixture_close
  std::vector<store::MemoryStore*> memory_;
  std::vector<bool> retired_;
  FixtureOptions options_;
  void add_node();
};

// Drives a seeded workload through whichever node leads.
class WorkloadDriver {
 public:
  WorkloadDriver(FixtureCluster& cluster, std::uint64_t seed, std::size_t depth);
  // Submits while the leader has room, then steps the fixture once.
  void tick();
  // Ticks until `count` more requests are acknowledged (fails the test past max_steps).
  void run_until_acknowledged(std::size_t count, std::size_t max_steps = 200000);

  const std::set<std::uint64_t>& acknowledged() const { return acknowledged_; }
  std::size_t retried = 0, unknown = 0, not_leader = 0, rejected = 0, business_failures = 0;
  std::map<std::string, std::size_t> reasons;  // every answer but kApplied, by reason

 private:
  void submit(unsigned leader);
  FixtureCluster* cluster_;
  sim::Prng prng_;
  sim::Workload workload_;
  std::vector<plan::Request> setup_;
  std::size_t depth_;
  std::set<std::uint64_t> acknowledged_;
};

}  // namespace tally::testing
