// [raft] Leader batching (native/raft/node.hpp): requests that arrive while a batch is in
// flight leave together in one raft_apply, each entry a proposal of its own (index, plan,
// outcome, audit entry), admitted at exact consecutive indexes. On libraft's in-memory fixture.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/cache/generation.hpp"
#include "tests/cluster/fixture_cluster.hpp"

namespace tally::testing {
namespace {

plan::Request create_ledger(const std::string& name) {
  return {{domain::CreateLedger{name, {}}}, std::nullopt};
}

plan::Request pay(const std::string& account, std::uint64_t amount) {
  domain::CreateTransaction tx;
  tx.ledger = "main";
  tx.postings.push_back({"world", account, domain::Amount(amount), "USD"});
  return {{tx}, std::nullopt};
}

// The replies of a test, by the order of the submits (a refusal at admission is answered
// before the entries applied ahead of it).
struct Replies {
  std::vector<replica::Reply> all;
  std::size_t answered = 0;
  replica::ReplyCallback keep() {
    const std::size_t position = all.size();
    all.emplace_back();
    return [this, position](replica::Reply reply) {
      all[position] = std::move(reply);
      ++answered;
    };
  }
  void wait(FixtureCluster& cluster, std::size_t count) {
    for (int step = 0; answered < count; ++step) {
      REQUIRE(step < 100000);
      cluster.step();
    }
  }
};

// Submits one request and steps until it is answered (a batch of one).
replica::Reply submit_alone(FixtureCluster& cluster, unsigned leader, plan::Request request) {
  Replies replies;
  cluster.node(leader).submit(std::move(request), replies.keep());
  replies.wait(cluster, 1);
  return replies.all[0];
}

std::set<std::uint64_t> applied_indexes(const std::vector<replica::Reply>& replies) {
  std::set<std::uint64_t> indexes;
  for (const auto& reply : replies)
    if (reply.status == replica::Reply::Status::kApplied) indexes.insert(reply.index);
  return indexes;
}

TEST_CASE("requests queued behind a batch in flight leave together, one entry each", "[raft]") {
  FixtureOptions options;
  options.rotation_threshold = 1000;  // no batch here reaches a generation ahead
  options.in_flight_max = 64;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  unsigned leader = cluster.leader();
  replica::Node& node = cluster.node(leader);
  Replies replies;
  node.submit(create_ledger("main"), replies.keep());  // nothing in flight: leaves alone
  REQUIRE(node.stats().batches_proposed == 1);
  for (int i = 0; i < 10; ++i)
    node.submit(pay("users:" + std::to_string(i), 10), replies.keep());
  REQUIRE(node.queued() == 10);  // behind the ledger's batch
  REQUIRE(node.stats().batches_proposed == 1);
  replies.wait(cluster, 11);
  // One more batch carried the ten, at consecutive indexes, each with its own outcome.
  REQUIRE(node.stats().batches_proposed == 2);
  REQUIRE(node.stats().batch_entries_proposed == 11);
  for (std::size_t i = 1; i < replies.all.size(); ++i) {
    const replica::Reply& reply = replies.all[i];
    REQUIRE(reply.status == replica::Reply::Status::kApplied);
    REQUIRE(reply.index == replies.all[0].index + i);
    REQUIRE(reply.report->outcome.ok());
    REQUIRE(reply.report->outcome.results.at(0).transaction_id == i - 1);
  }
  cluster.converge();
  cluster.require_agreement(applied_indexes(replies.all));  // each entry audited on its own
}

TEST_CASE("a batch is cut at its entry bound and at its byte bound, never below one entry",
          "[raft]") {
  FixtureOptions options;
  options.rotation_threshold = 1000;
  options.in_flight_max = 64;
  SECTION("four entries at most") {
    options.batch_entries_max = 4;
  }
  SECTION("one byte at most: every batch holds one entry") {
    options.batch_bytes_max = 1;
  }
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  unsigned leader = cluster.leader();
  replica::Node& node = cluster.node(leader);
  Replies replies;
  node.submit(create_ledger("main"), replies.keep());
  for (int i = 0; i < 10; ++i)
    node.submit(pay("users:" + std::to_string(i), 10), replies.keep());
  replies.wait(cluster, 11);
  const std::uint64_t expected = options.batch_bytes_max == 1 ? 11 : 1 + 3;  // 1, 4, 4, 2
  REQUIRE(node.stats().batches_proposed == expected);
  REQUIRE(node.stats().batch_entries_proposed == 11);
  for (std::size_t i = 1; i < replies.all.size(); ++i) {
    REQUIRE(replies.all[i].status == replica::Reply::Status::kApplied);
    REQUIRE(replies.all[i].index == replies.all[0].index + i);
  }
  cluster.converge();
  cluster.require_agreement(applied_indexes(replies.all));
}

TEST_CASE(
    "an element made stale by a threshold change earlier in its batch is answered "
    "STALE_PROPOSAL and the others apply",
    "[raft]") {
  FixtureOptions options;
  options.rotation_threshold = 1000;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  unsigned leader = cluster.leader();
  replica::Node& node = cluster.node(leader);
  Replies replies;
  node.submit(create_ledger("main"), replies.keep());
  node.submit(pay("users:a", 10), replies.keep());
  node.submit({{domain::SetRotationThreshold{7}}, std::nullopt}, replies.keep());
  node.submit(pay("users:b", 10), replies.keep());  // admitted under the old epoch
  replies.wait(cluster, 4);
  REQUIRE(node.stats().batches_proposed == 2);
  REQUIRE(replies.all[1].status == replica::Reply::Status::kApplied);
  REQUIRE(replies.all[2].status == replica::Reply::Status::kApplied);
  REQUIRE(replies.all[3].status == replica::Reply::Status::kRetry);
  REQUIRE(replies.all[3].error->code == Code::kStaleProposal);
  REQUIRE(replies.all[3].index == replies.all[2].index + 1);  // it took its index, unaudited
  // Retried, it applies under the new epoch.
  replica::Reply retried = submit_alone(cluster, leader, pay("users:b", 10));
  REQUIRE(retried.status == replica::Reply::Status::kApplied);
  REQUIRE(retried.report->outcome.ok());
  std::set<std::uint64_t> acknowledged = applied_indexes(replies.all);
  acknowledged.insert(retried.index);
  cluster.converge();
  cluster.require_agreement(acknowledged);
}

TEST_CASE("a batch across a rotation boundary applies on both sides of it", "[raft]") {
  constexpr std::uint64_t kThreshold = 8;
  FixtureOptions options;
  options.rotation_threshold = kThreshold;
  options.in_flight_max = 64;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  unsigned leader = cluster.leader();
  replica::Node& node = cluster.node(leader);
  std::vector<replica::Reply> all;
  all.push_back(submit_alone(cluster, leader, create_ledger("main")));
  // Accounts written now sit in gen1 when the batch is admitted, read one generation ahead.
  for (int i = 0; i < 6; ++i)
    all.push_back(submit_alone(cluster, leader, pay("users:" + std::to_string(i), 5)));
  // Single entries until the applied index is 3 before a boundary: the next one leaves alone
  // at 2 before it and the batch queued behind it spans it.
  while ((node.applied_index() + 3) % kThreshold != 0)
    all.push_back(submit_alone(cluster, leader, pay("users:filler", 1)));
  Replies replies;
  node.submit(pay("users:lead", 1), replies.keep());
  for (int i = 0; i < 6; ++i)
    node.submit(pay("users:" + std::to_string(i), 1), replies.keep());
  replies.wait(cluster, 7);
  const std::uint64_t first = replies.all[1].index, last = replies.all[6].index;
  REQUIRE(last == first + 5);
  REQUIRE(cache::generation_of(first, kThreshold) + 1 == cache::generation_of(last, kThreshold));
  for (const auto& reply : replies.all) {
    REQUIRE(reply.status == replica::Reply::Status::kApplied);
    REQUIRE(reply.report->outcome.ok());
  }
  all.insert(all.end(), replies.all.begin(), replies.all.end());
  cluster.converge();
  cluster.require_agreement(applied_indexes(all));
}

TEST_CASE(
    "the elements of a batch two generations ahead are refused CACHE_HORIZON_EXCEEDED, "
    "retryable, and take no index",
    "[raft]") {
  FixtureOptions options;
  options.rotation_threshold = 2;
  options.in_flight_max = 64;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  unsigned leader = cluster.leader();
  replica::Node& node = cluster.node(leader);
  std::vector<replica::Reply> all;
  all.push_back(submit_alone(cluster, leader, create_ledger("main")));
  Replies replies;
  node.submit(pay("users:lead", 1), replies.keep());
  for (int i = 0; i < 6; ++i)
    node.submit(pay("users:" + std::to_string(i), 1), replies.keep());
  replies.wait(cluster, 7);
  // The batch's head, within one generation ahead, applies; from the first refusal on, every
  // later element predicts the same index and is refused too.
  std::size_t applied = 0, refused = 0;
  for (std::size_t i = 1; i < replies.all.size(); ++i) {
    const replica::Reply& reply = replies.all[i];
    if (reply.status == replica::Reply::Status::kApplied) {
      REQUIRE(refused == 0);
      REQUIRE(reply.index == replies.all[0].index + i);
      ++applied;
    } else {
      REQUIRE(reply.status == replica::Reply::Status::kRetry);
      REQUIRE(reply.error->code == Code::kCacheHorizonExceeded);
      REQUIRE(reply.index == 0);
      ++refused;
    }
  }
  REQUIRE(applied >= 1);
  REQUIRE(refused >= 1);
  REQUIRE(node.stats().of(replica::AdmissionVerdict::kCacheHorizonExceeded) == refused);
  all.insert(all.end(), replies.all.begin(), replies.all.end());
  cluster.converge();
  cluster.require_agreement(applied_indexes(all));
}

TEST_CASE("a leader that loses leadership answers its queue NOT_LEADER and its batch UNKNOWN",
          "[raft]") {
  FixtureOptions options;
  options.rotation_threshold = 1000;
  options.in_flight_max = 64;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  unsigned leader = cluster.leader();
  replica::Node& node = cluster.node(leader);
  std::vector<replica::Reply> all;
  all.push_back(submit_alone(cluster, leader, create_ledger("main")));
  Replies replies;
  node.submit(pay("users:lead", 1), replies.keep());  // in flight
  for (int i = 0; i < 5; ++i)
    node.submit(pay("users:" + std::to_string(i), 1), replies.keep());  // queued
  // Cut the leader off before anything commits: it steps down.
  cluster.isolate(leader);
  for (int step = 0; node.is_leader(); ++step) {
    REQUIRE(step < 100000);
    cluster.step();
  }
  replies.wait(cluster, 6);
  REQUIRE(replies.all[0].status == replica::Reply::Status::kUnknown);
  for (std::size_t i = 1; i < 6; ++i)
    REQUIRE(replies.all[i].status == replica::Reply::Status::kNotLeader);
  REQUIRE(node.in_flight() == 0);
  cluster.reconnect(leader);
  cluster.converge();
  cluster.require_agreement(applied_indexes(all));
}

// Two batches in flight, the second proposed while the first replicates: the virtual times at
// which each is answered. Followers acknowledge 40 ms after a proposal (20 ms each way), the
// leader stores in 1 ms, and the second batch leaves 10 ms after the first.
struct TwoBatches {
  raft_time first_answered = 0, second_answered = 0;
  std::vector<replica::Reply> replies;
};

TwoBatches two_batches_in_flight(bool pace_appends) {
  FixtureOptions options;
  options.rotation_threshold = 1000;
  options.in_flight_max = 64;
  options.batches_in_flight_max = 2;
  options.pace_appends = pace_appends;
  FixtureCluster cluster(options);
  struct raft_fixture* f = &cluster.fixture();
  REQUIRE(raft_fixture_step_until_has_leader(f, 10000));
  const unsigned leader = cluster.leader();
  replica::Node& node = cluster.node(leader);
  TwoBatches result;
  result.replies.push_back(submit_alone(cluster, leader, create_ledger("main")));
  for (unsigned i = 0; i < cluster.size(); ++i) {
    raft_fixture_set_network_latency(f, i, 20);
    raft_fixture_set_disk_latency(f, i, 1);
  }
  Replies replies;
  node.submit(pay("users:a", 1), replies.keep());
  const raft_time sent = raft_fixture_time(f);
  while (raft_fixture_time(f) < sent + 10)
    cluster.step();
  REQUIRE(replies.answered == 0);
  node.submit(pay("users:b", 1), replies.keep());
  REQUIRE(node.stats().batches_proposed == 3);  // the ledger's, a's and b's: two in flight
  while (replies.answered < 1)
    cluster.step();
  result.first_answered = raft_fixture_time(f);
  replies.wait(cluster, 2);
  result.second_answered = raft_fixture_time(f);
  for (const auto& reply : replies.all) {
    REQUIRE(reply.status == replica::Reply::Status::kApplied);
    result.replies.push_back(reply);
  }
  cluster.converge();
  cluster.require_agreement(applied_indexes(result.replies));
  return result;
}

TEST_CASE(
    "with two batches in flight, the append pacer lets each commit at its own "
    "acknowledgement",
    "[raft]") {
  // libraft 0.15 alone commits only its last stored index: the first batch waits for the
  // acknowledgement of the second (native/raft/append_pacer.hpp).
  const TwoBatches unpaced = two_batches_in_flight(false);
  CHECK(unpaced.first_answered == unpaced.second_answered);
  // Paced, the first is answered as its own acknowledgements arrive, the second's time later.
  const TwoBatches paced = two_batches_in_flight(true);
  CHECK(paced.first_answered + 5 <= paced.second_answered);
  CHECK(paced.first_answered < unpaced.first_answered);
}

}  // namespace
}  // namespace tally::testing
