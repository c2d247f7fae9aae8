// [raft] The replicated node on libraft's in-memory fixture: virtual time, deterministic per
// seed. After every scenario: equal applied index and store digest on every node, cache
// parity on every node (inv#1), the checker clean, every acknowledged request audited.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "native/codec/snapshot_codec.hpp"
#include "tests/cluster/fixture_cluster.hpp"

namespace tally::testing {
namespace {

// 50 seeds in CI: 3 and 5 voters alternate, each with a fault chosen by the seed.
// TALLY_RAFT_SEEDS=N TALLY_RAFT_FIRST_SEED=F run other seeds (a soak, or one failing seed).
constexpr std::uint64_t kSeeds = 50;

std::uint64_t from_environment(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value == nullptr ? fallback : std::strtoull(value, nullptr, 10);
}

struct SeedTotals {
  std::size_t acknowledged = 0, retried = 0, unknown = 0, business_failures = 0;
  std::uint64_t snapshots_installed = 0, leader_kills = 0;
  std::map<std::string, std::size_t> reasons;
};

void run_seed(std::uint64_t seed, SeedTotals& totals) {
  INFO("seed " << seed << " (reproduce: TALLY_RAFT_FIRST_SEED=" << seed
               << " TALLY_RAFT_SEEDS=1 tally_tests \"seeded workloads*\")");
  FixtureOptions options;
  options.voters = seed % 2 == 0 ? 3 : 5;
  options.rotation_threshold = 2 + seed % 7;
  options.in_flight_max = 1 + seed % 8;
  options.group_entries_max = 1 + seed % 5;  // groups stay open across steps and admissions
  options.batches_in_flight_max = 1 + (seed / 3) % 3;  // each fault case with 1, 2 and 3
  options.pace_appends = true;                         // as UvHost runs libraft
  options.snapshot_threshold = 32;
  options.snapshot_trailing = 8;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  WorkloadDriver driver(cluster, seed, options.in_flight_max);
  driver.run_until_acknowledged(20);
  sim::Prng faults(seed * 7919);
  switch (seed % 3) {
    case 0: {  // the leader dies with proposals in flight
      unsigned leader = cluster.leader();
      REQUIRE(leader < cluster.size());
      while (cluster.node(leader).in_flight() == 0)
        driver.tick();
      cluster.kill(leader);
      ++totals.leader_kills;
      raft_fixture_step_until_has_no_leader(&cluster.fixture(), 10000);
      driver.run_until_acknowledged(20);
      cluster.revive(leader);
      break;
    }
    case 1: {  // a follower is cut off, then reconnected
      unsigned leader = cluster.leader();
      unsigned follower =
          (leader + 1 + static_cast<unsigned>(faults.below(cluster.size() - 1))) % cluster.size();
      cluster.isolate(follower);
      driver.run_until_acknowledged(20);
      cluster.reconnect(follower);
      break;
    }
    default: {  // a follower sleeps past a snapshot and catches up by installing it
      unsigned leader = cluster.leader();
      unsigned follower = (leader + 1) % cluster.size();
      cluster.kill(follower);
      driver.run_until_acknowledged(80);
      cluster.revive(follower);
      driver.run_until_acknowledged(20);
      cluster.converge();
      REQUIRE(cluster.node(follower).stats().snapshots_installed >= 1);
      break;
    }
  }
  driver.run_until_acknowledged(20);
  cluster.converge();
  cluster.require_agreement(driver.acknowledged());
  totals.acknowledged += driver.acknowledged().size();
  totals.retried += driver.retried;
  totals.unknown += driver.unknown;
  totals.business_failures += driver.business_failures;
  for (const auto& [reason, count] : driver.reasons)
    totals.reasons[reason] += count;
  for (unsigned i = 0; i < cluster.size(); ++i)
    totals.snapshots_installed += cluster.node(i).stats().snapshots_installed;
}

TEST_CASE(
    "seeded workloads on 3 and 5 voters survive leader kills, partitions and lagging "
    "followers",
    "[raft]") {
  auto started = std::chrono::steady_clock::now();
  SeedTotals totals;
  const std::uint64_t first = from_environment("TALLY_RAFT_FIRST_SEED", 1);
  const std::uint64_t seeds = from_environment("TALLY_RAFT_SEEDS", kSeeds);
  for (std::uint64_t seed = first; seed < first + seeds; ++seed)
    run_seed(seed, totals);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started);
  std::printf(
      "[raft] %llu seeds in %lld ms: %zu acknowledged, %zu retryable, %zu unknown after "
      "%llu leader kills, %zu business failures, %llu snapshots installed\n",
      static_cast<unsigned long long>(seeds), static_cast<long long>(ms.count()),
      totals.acknowledged, totals.retried, totals.unknown,
      static_cast<unsigned long long>(totals.leader_kills), totals.business_failures,
      static_cast<unsigned long long>(totals.snapshots_installed));
  for (const auto& [reason, count] : totals.reasons)
    std::printf("[raft]   not applied, %s: %zu\n", reason.c_str(), count);
  REQUIRE(totals.leader_kills > 0);
  REQUIRE(totals.snapshots_installed > 0);
}

TEST_CASE("a lagging follower catches up by installing a snapshot into SQLite", "[raft]") {
  TempDir dir;
  FixtureOptions options;
  options.sqlite_dir = &dir;
  options.snapshot_threshold = 16;
  options.snapshot_trailing = 4;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  WorkloadDriver driver(cluster, 4242, 4);
  driver.run_until_acknowledged(10);
  unsigned follower = (cluster.leader() + 1) % cluster.size();
  cluster.kill(follower);
  std::uint64_t lagging_at = cluster.node(follower).applied_index();
  driver.run_until_acknowledged(60);
  cluster.revive(follower);
  cluster.converge();
  REQUIRE(cluster.node(follower).stats().snapshots_installed >= 1);
  REQUIRE(cluster.node(follower).applied_index() > lagging_at);
  cluster.require_agreement(driver.acknowledged());
}

TEST_CASE("the leader answers with the FSM's outcome at the entry's index, pipelined", "[raft]") {
  FixtureOptions options;
  options.in_flight_max = 4;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  unsigned leader = cluster.leader();
  std::vector<replica::Reply> replies;
  auto keep = [&](replica::Reply reply) { replies.push_back(std::move(reply)); };
  // Admission refuses orders on a ledger it does not see yet: create it first.
  cluster.node(leader).submit({{domain::CreateLedger{"main", {}}}, std::nullopt}, keep);
  while (replies.empty())
    cluster.step();
  REQUIRE(replies[0].status == replica::Reply::Status::kApplied);
  replies.clear();
  for (int i = 0; i < 4; ++i) {
    domain::CreateTransaction tx;
    tx.ledger = "main";
    tx.postings.push_back({"world", "users:" + std::to_string(i), domain::Amount(10), "USD"});
    cluster.node(leader).submit({{tx}, std::nullopt}, keep);
  }
  REQUIRE(cluster.node(leader).in_flight() == 4);
  // A fifth is refused as retryable: the pipeline is full.
  cluster.node(leader).submit({{domain::DeleteLedger{"main"}}, std::nullopt}, keep);
  REQUIRE(replies.size() == 1);
  REQUIRE(replies[0].status == replica::Reply::Status::kRetry);
  REQUIRE(replies[0].error->code == Code::kBusy);
  // A follower redirects.
  unsigned follower = (leader + 1) % cluster.size();
  cluster.node(follower).submit({{domain::DeleteLedger{"main"}}, std::nullopt}, keep);
  REQUIRE(replies.size() == 2);
  REQUIRE(replies[1].status == replica::Reply::Status::kNotLeader);
  REQUIRE(replies[1].error->code == Code::kNotLeader);
  REQUIRE(replies[1].leader_id == cluster.node(leader).id());
  while (replies.size() < 6)
    cluster.step();
  std::uint64_t previous = 0;
  for (std::size_t i = 2; i < 6; ++i) {
    REQUIRE(replies[i].status == replica::Reply::Status::kApplied);
    REQUIRE(replies[i].report->outcome.ok());
    REQUIRE(replies[i].index > previous);
    previous = replies[i].index;
  }
  cluster.converge();
  cluster.require_agreement({replies[2].index, replies[5].index});
}

TEST_CASE("admission two generations ahead is answered CACHE_HORIZON_EXCEEDED, retryable",
          "[raft]") {
  FixtureOptions options;
  options.rotation_threshold = 1;
  options.in_flight_max = 8;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  unsigned leader = cluster.leader();
  std::vector<replica::Reply> replies;
  auto keep = [&](replica::Reply reply) { replies.push_back(std::move(reply)); };
  // With K = 1, a proposal in flight behind another predicts an index two generations
  // ahead: "a" leaves alone, "b" and "c" leave as a batch once "a" applied, where "b" is one
  // generation ahead and "c" two.
  cluster.node(leader).submit({{domain::CreateLedger{"a", {}}}, std::nullopt}, keep);
  cluster.node(leader).submit({{domain::CreateLedger{"b", {}}}, std::nullopt}, keep);
  cluster.node(leader).submit({{domain::CreateLedger{"c", {}}}, std::nullopt}, keep);
  while (replies.size() < 3)
    cluster.step();
  bool horizon = false;
  for (const auto& reply : replies) {
    if (reply.status == replica::Reply::Status::kRetry && reply.error &&
        reply.error->code == Code::kCacheHorizonExceeded)
      horizon = true;
  }
  REQUIRE(horizon);
  while (cluster.node(leader).in_flight() > 0)
    cluster.step();
  cluster.converge();
  cluster.require_agreement({});
}

TEST_CASE("a follower whose state machine fails stops loudly and never applies past it", "[raft]") {
  FixtureOptions options;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  WorkloadDriver driver(cluster, 77, 4);
  driver.run_until_acknowledged(10);
  unsigned leader = cluster.leader();
  unsigned follower = (leader + 1) % cluster.size();
  replica::Node& broken = cluster.node(follower);
  cluster.memory(follower)->fail_next_writes(1000000);
  driver.run_until_acknowledged(10);
  REQUIRE(broken.failed());
  struct raft* raft = raft_fixture_get(&cluster.fixture(), follower);
  const std::uint64_t raft_applied = raft_last_applied(raft);
  const std::uint64_t fsm_applied = broken.applied_index();
  driver.run_until_acknowledged(10);
  // libraft keeps retrying the failed entry and the node keeps refusing it.
  REQUIRE(raft_last_applied(raft) == raft_applied);
  REQUIRE(broken.applied_index() == fsm_applied);
  REQUIRE(cluster.node(leader).applied_index() > raft_applied + 5);
  replica::Reply seen;
  broken.submit({{domain::DeleteLedger{"x"}}, std::nullopt},
                [&](replica::Reply reply) { seen = std::move(reply); });
  REQUIRE(seen.status == replica::Reply::Status::kFailed);
  // The driver's requests still in flight are answered before the driver goes.
  while (cluster.node(leader).in_flight() > 0)
    cluster.step();
}

TEST_CASE("leadership moves by transfer and membership changes through the node", "[raft]") {
  FixtureOptions options;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  WorkloadDriver driver(cluster, 99, 4);
  driver.run_until_acknowledged(10);
  unsigned leader = cluster.leader();
  unsigned target = (leader + 1) % cluster.size();
  bool transferred = false;
  REQUIRE(cluster.node(leader).transfer_leadership(cluster.node(target).id(),
                                                   [&] { transferred = true; }) == 0);
  for (int i = 0; i < 100000 && !transferred; ++i)
    cluster.step();
  REQUIRE(transferred);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  REQUIRE(cluster.leader() == target);
  // Demote a follower to standby and back to voter; both are configuration entries the FSM
  // sees as apply_noop.
  unsigned other = (target + 1) % cluster.size();
  int changed = -1;
  REQUIRE(cluster.node(target).assign_role(cluster.node(other).id(), RAFT_STANDBY,
                                           [&](int status) { changed = status; }) == 0);
  for (int i = 0; i < 100000 && changed < 0; ++i)
    cluster.step();
  REQUIRE(changed == 0);
  changed = -1;
  REQUIRE(cluster.node(target).assign_role(cluster.node(other).id(), RAFT_VOTER,
                                           [&](int status) { changed = status; }) == 0);
  for (int i = 0; i < 100000 && changed < 0; ++i)
    cluster.step();
  REQUIRE(changed == 0);
  driver.run_until_acknowledged(10);
  cluster.converge();
  cluster.require_agreement(driver.acknowledged());
}

}  // namespace
}  // namespace tally::testing

namespace tally::testing {
namespace {

// Runs the fixture until a change callback reports.
int wait_for_change(FixtureCluster& cluster, const int& status) {
  for (int i = 0; i < 200000 && status < 0; ++i)
    cluster.step();
  return status;
}

TEST_CASE("a voter is added at runtime, catches up, and another is removed", "[raft]") {
  FixtureOptions options;
  options.snapshot_threshold = 16;
  options.snapshot_trailing = 4;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  WorkloadDriver driver(cluster, 1234, 4);
  driver.run_until_acknowledged(30);

  unsigned added = cluster.grow();
  replica::Node& leader = cluster.node(cluster.leader());
  int status = -1;
  REQUIRE(leader.add_server(cluster.node(added).id(), std::to_string(added + 1),
                            [&](int s) { status = s; }) == 0);
  REQUIRE(wait_for_change(cluster, status) == 0);
  status = -1;
  REQUIRE(leader.assign_role(cluster.node(added).id(), RAFT_VOTER, [&](int s) { status = s; }) ==
          0);
  REQUIRE(wait_for_change(cluster, status) == 0);
  driver.run_until_acknowledged(20);
  cluster.converge();
  cluster.require_agreement(driver.acknowledged());
  REQUIRE(cluster.node(added).applied_index() > 30);

  unsigned removed = (cluster.leader() + 1) % cluster.size();
  status = -1;
  REQUIRE(cluster.node(cluster.leader()).remove_server(cluster.node(removed).id(), [&](int s) {
    status = s;
  }) == 0);
  REQUIRE(wait_for_change(cluster, status) == 0);
  cluster.retire(removed);
  driver.run_until_acknowledged(20);
  cluster.converge();
  cluster.require_agreement(driver.acknowledged());
}

}  // namespace
}  // namespace tally::testing

namespace tally::testing {
namespace {

// node's snapshot as libraft takes it (snapshot on the loop, snapshot_async, finalize) and
// hands it to a restoring node: the buffers concatenated into one raft_malloc buffer.
struct raft_buffer snapshot_of(replica::Node& node, unsigned* chunks = nullptr) {
  struct raft_buffer* bufs = nullptr;
  unsigned n = 0;
  REQUIRE(node.fsm()->snapshot(node.fsm(), &bufs, &n) == 0);
  REQUIRE(node.fsm()->snapshot_async(node.fsm(), &bufs, &n) == 0);
  REQUIRE(n >= 2);  // the envelope, then at least one chunk
  if (chunks != nullptr) *chunks = n - 1;
  struct raft_buffer copy;
  copy.len = 0;
  for (unsigned i = 0; i < n; ++i)
    copy.len += bufs[i].len;
  copy.base = raft_malloc(copy.len);
  std::size_t at = 0;
  for (unsigned i = 0; i < n; ++i) {
    std::memcpy(static_cast<std::uint8_t*>(copy.base) + at, bufs[i].base, bufs[i].len);
    at += bufs[i].len;
  }
  REQUIRE(node.fsm()->snapshot_finalize(node.fsm(), &bufs, &n) == 0);
  return copy;
}

TEST_CASE("a snapshot not newer than the local store is kept out, a damaged one refused",
          "[raft]") {
  FixtureOptions options;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  WorkloadDriver driver(cluster, 31, 4);
  driver.run_until_acknowledged(10);
  cluster.converge();
  replica::Node& source = cluster.node(0);
  replica::Node& target = cluster.node(1);
  auto before = target.digest();
  REQUIRE(before.ok());

  // The same applied index: the store is kept (restore reports success, nothing changes).
  struct raft_buffer same = snapshot_of(source);
  REQUIRE(target.fsm()->restore(target.fsm(), &same) == 0);
  REQUIRE(target.stats().snapshots_kept == 1);
  REQUIRE(target.stats().snapshots_refused == 0);
  REQUIRE(target.stats().snapshots_installed == 0);
  REQUIRE(*target.digest() == *before);

  // A damaged envelope: refused as corrupt, the buffer stays libraft's to free.
  struct raft_buffer damaged = snapshot_of(source);
  static_cast<std::uint8_t*>(damaged.base)[8] ^= 0x40;  // the envelope's root pointer
  REQUIRE(target.fsm()->restore(target.fsm(), &damaged) == RAFT_CORRUPT);
  REQUIRE(target.stats().snapshots_refused == 1);
  raft_free(damaged.base);
  REQUIRE(*target.digest() == *before);
  REQUIRE(!target.failed());

  // An older one, taken before more entries applied: kept out too.
  struct raft_buffer older = snapshot_of(source);
  driver.run_until_acknowledged(10);
  cluster.converge();
  auto newer = target.digest();
  REQUIRE(target.fsm()->restore(target.fsm(), &older) == 0);
  REQUIRE(target.stats().snapshots_kept == 2);
  REQUIRE(target.stats().snapshots_refused == 1);
  REQUIRE(*target.digest() == *newer);
  cluster.require_agreement(driver.acknowledged());
}

// A follower that slept through many entries, in SQLite: node 0's snapshot, 4 KiB chunks.
struct LaggingSqlite {
  TempDir dir;
  FixtureOptions options;
  std::unique_ptr<FixtureCluster> cluster;
  std::unique_ptr<WorkloadDriver> driver;
  unsigned follower = 0, source = 0;

  LaggingSqlite() {
    options.sqlite_dir = &dir;
    options.snapshot_chunk_bytes = 4096;
    options.snapshot_threshold = 1000;  // the test takes the snapshot itself
    cluster = std::make_unique<FixtureCluster>(options);
    REQUIRE(raft_fixture_step_until_has_leader(&cluster->fixture(), 10000));
    driver = std::make_unique<WorkloadDriver>(*cluster, 77, 4);
    driver->run_until_acknowledged(10);
    follower = (cluster->leader() + 1) % cluster->size();
    cluster->kill(follower);
    driver->run_until_acknowledged(60);
    source = cluster->leader();
    REQUIRE(cluster->node(source).catch_up().ok());
  }
};

TEST_CASE(
    "a snapshot spanning many chunks installs on a lagging follower, and a damaged chunk, a "
    "wrong digest or a missing chunk is refused with the store untouched",
    "[raft]") {
  LaggingSqlite lag;
  replica::Node& source = lag.cluster->node(lag.source);
  replica::Node& target = lag.cluster->node(lag.follower);
  const auto before = target.digest();
  REQUIRE(before.ok());
  const std::uint64_t lagging_at = target.applied_index();
  unsigned chunks = 0;
  struct raft_buffer good = snapshot_of(source, &chunks);
  REQUIRE(chunks >= 4);
  REQUIRE(source.stats().snapshot_chunks_taken == chunks);
  auto view = wire::read_snapshot(ByteView(static_cast<const std::uint8_t*>(good.base), good.len));
  REQUIRE(view.ok());
  const std::size_t envelope_bytes = good.len - view->header.image_bytes;
  REQUIRE(view->header.applied_index > lagging_at);

  auto refused_untouched = [&](struct raft_buffer& bad) {
    REQUIRE(target.fsm()->restore(target.fsm(), &bad) == RAFT_CORRUPT);
    raft_free(bad.base);
    REQUIRE(!target.failed());
    REQUIRE(target.applied_index() == lagging_at);
    REQUIRE(*target.digest() == *before);
    REQUIRE(target.stats().snapshots_installed == 0);
  };
  auto copy_of = [&](std::size_t len) {
    struct raft_buffer copy;
    copy.len = len;
    copy.base = raft_malloc(len);
    std::memcpy(copy.base, good.base, len);
    return copy;
  };
  {  // one byte of the third chunk
    struct raft_buffer bad = copy_of(good.len);
    static_cast<std::uint8_t*>(bad.base)[envelope_bytes + 2 * 4096 + 100] ^= 0x01;
    refused_untouched(bad);
  }
  {  // the last chunk missing
    const std::size_t last = view->header.image_bytes - (view->header.chunk_count - 1) * 4096;
    struct raft_buffer bad = copy_of(good.len - last);
    refused_untouched(bad);
  }
  {  // the envelope names another image digest
    wire::SnapshotHeader lying = view->header;
    lying.image_digest[5] ^= 0x01;
    Bytes envelope = wire::encode_snapshot_header(lying);
    REQUIRE(envelope.size() == envelope_bytes);
    struct raft_buffer bad = copy_of(good.len);
    std::memcpy(bad.base, envelope.data(), envelope.size());
    refused_untouched(bad);
  }

  // The good one installs; the follower then rejoins and every node agrees.
  REQUIRE(target.fsm()->restore(target.fsm(), &good) == 0);
  REQUIRE(target.stats().snapshots_installed == 1);
  REQUIRE(target.applied_index() == view->header.applied_index);
  REQUIRE(*target.digest() == view->header.store_digest);
  lag.driver->run_until_acknowledged(10);
  lag.cluster->converge();
  lag.cluster->require_agreement(lag.driver->acknowledged());
}

TEST_CASE("a format-1 snapshot an older build wrote still installs", "[raft]") {
  LaggingSqlite lag;
  replica::Node& source = lag.cluster->node(lag.source);
  replica::Node& target = lag.cluster->node(lag.follower);
  struct raft_buffer chunked = snapshot_of(source);
  auto view =
      wire::read_snapshot(ByteView(static_cast<const std::uint8_t*>(chunked.base), chunked.len));
  REQUIRE(view.ok());
  Bytes single = wire::encode_single_snapshot(view->header, view->image());
  raft_free(chunked.base);
  struct raft_buffer old;
  old.len = single.size();
  old.base = raft_malloc(old.len);
  std::memcpy(old.base, single.data(), single.size());
  REQUIRE(target.fsm()->restore(target.fsm(), &old) == 0);
  REQUIRE(target.stats().snapshots_installed == 1);
  REQUIRE(*target.digest() == view->header.store_digest);
  lag.driver->run_until_acknowledged(10);
  lag.cluster->converge();
  lag.cluster->require_agreement(lag.driver->acknowledged());
}

}  // namespace
}  // namespace tally::testing
