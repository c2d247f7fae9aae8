// Two state machines on separate stores (memory and SQLite) apply the same log: the leader
// admits, both apply. After every entry their caches and stores are byte-identical (inv#1,
// inv#2), across rotations, pipelined admission, stale proposals and a threshold change.
#include <catch2/catch.hpp>
#include <deque>
#include <random>

#include "core/cache/parity.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

domain::Order random_order(std::mt19937_64& rng, std::uint64_t step) {
  const char* accounts[] = {"world", "a", "b", "c"};
  std::string account = accounts[1 + rng() % 3];
  switch (rng() % 8) {
    case 0: return domain::SetAccountMetadata{"main", account, {{"k", std::int64_t(step)}}};
    case 1: return domain::DeleteAccountMetadata{"main", account, "k"};
    case 2: return domain::RevertTransaction{"main", rng() % (step + 1), rng() % 2 == 0, false};
    case 3: return domain::SetLedgerMetadata{"main", {{"s", std::int64_t(step)}}};
    case 4: return domain::SetTransactionMetadata{"main", rng() % (step + 1), {{"t", true}}};
    default: return transfer("main", {posting(accounts[rng() % 4], account, 1 + rng() % 20)});
  }
}

TEST_CASE("a follower applying the leader's log stays byte-identical after every entry",
          "[replica]") {
  TempDir dir;
  fsm::FsmOptions options = testing::node_options();
  options.rotation_threshold = 3;
  LedgerNode leader("memory", dir, options);
  LedgerNode follower("sqlite", dir, options, "follower.db");
  std::mt19937_64 rng(20261126);
  std::deque<plan::Proposal> in_flight;
  std::uint64_t next_index = 1;
  std::size_t stale = 0, rotations = 0;
  auto admit = [&](domain::Order order) {
    auto proposal = leader.admit(plan::Request{{std::move(order)}, std::nullopt}, next_index);
    if (!proposal.ok()) {
      REQUIRE(proposal.error().code == Code::kCacheHorizonExceeded);
      return;
    }
    in_flight.push_back(std::move(proposal).value());
    ++next_index;
  };
  auto apply_one = [&] {
    auto on_leader = leader.apply(in_flight.front());
    auto on_follower = follower.apply(in_flight.front());
    in_flight.pop_front();
    CHECK(on_leader.status == on_follower.status);
    CHECK(on_leader.outcome == on_follower.outcome);
    if (on_leader.status == fsm::ApplyReport::Status::kStale) ++stale;
    if (on_leader.advance.kind != cache::AdvanceKind::kNone) ++rotations;
    leader.require_parity();
    follower.require_parity();
    REQUIRE(cache::mirror_rows(leader.fsm().cache()) == cache::mirror_rows(follower.fsm().cache()));
    REQUIRE(testing::all_rows(leader.store()) == testing::all_rows(follower.store()));
  };

  admit(domain::CreateLedger{"main", {}});
  apply_one();
  for (std::uint64_t step = 0; step < 400; ++step) {
    if (step == 200) admit(domain::SetRotationThreshold{5});
    admit(random_order(rng, step));
    // Up to three proposals in flight between admission and apply.
    while (in_flight.size() > rng() % 4)
      apply_one();
  }
  while (!in_flight.empty())
    apply_one();

  CHECK(leader.fsm().cache().epoch() == 1);
  CHECK(stale > 0);       // the threshold change caught proposals in flight
  CHECK(rotations > 50);  // rotations happened all along
  INFO("applied " << leader.applied() << ", stale " << stale << ", rotations " << rotations);
  CHECK(leader.applied() == follower.applied());
}

TEST_CASE("a follower that restarts mid-log rejoins with identical bytes", "[replica]") {
  TempDir dir;
  fsm::FsmOptions options = testing::node_options();
  options.rotation_threshold = 2;
  LedgerNode leader("memory", dir, options);
  LedgerNode follower("sqlite", dir, options, "follower.db");
  std::mt19937_64 rng(7);
  auto both = [&](const domain::Order& order) {
    auto proposal = leader.admit(plan::Request{{order}, std::nullopt});
    REQUIRE(proposal.ok());
    leader.apply(*proposal);
    follower.apply(*proposal);
  };
  both(domain::CreateLedger{"main", {}});
  for (std::uint64_t step = 0; step < 120; ++step) {
    both(random_order(rng, step));
    if (step % 17 == 0) follower.restart();
    if (step % 5 == 0) {
      leader.noop();
      follower.noop();
    }
    REQUIRE(testing::all_rows(leader.store()) == testing::all_rows(follower.store()));
    follower.require_parity();
  }
}

}  // namespace
}  // namespace tally
