// Admission (docs/design.md §4): the attribute list, its classification, and the plan's shape.
#include <catch2/catch.hpp>

#include "core/codec/proposal_codec.hpp"
#include "core/plan/order_footprint.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

fsm::FsmOptions options() {
  return testing::with_threshold(4);
}

std::size_t index_of(const plan::Proposal& p, const keys::AttributeKey& key) {
  auto id = keys::attribute_id(key.canonical).to_bytes();
  for (std::size_t i = 0; i < p.plan.entries.size(); ++i) {
    if (p.plan.entries[i].kind == keys::kind_byte(key.kind) &&
        p.plan.entries[i].id == Bytes(id.begin(), id.end())) {
      return i;
    }
  }
  FAIL("key not in the plan");
  return 0;
}

TEST_CASE("admission declares what each order reads, once, sorted, with per-order bits", "[plan]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  plan::Request bulk{{transfer("main", {posting("world", "a", 1), posting("a", "b", 1)}),
                      domain::SetAccountMetadata{"main", "c", {{"k", true}}}},
                     std::nullopt};
  auto proposal = node.admit(bulk);
  REQUIRE(proposal.ok());
  const auto& entries = proposal->plan.entries;
  // ledger, boundary, 3 volumes (a's once), c's metadata.
  CHECK(entries.size() == 6);
  for (std::size_t i = 1; i < entries.size(); ++i) {
    CHECK(std::tie(entries[i - 1].kind, entries[i - 1].id) <
          std::tie(entries[i].kind, entries[i].id));
  }
  auto a = index_of(*proposal, keys::volume_key("main", "a", "USD"));
  auto c = index_of(*proposal, keys::account_metadata_key("main", "c"));
  auto ledger = index_of(*proposal, keys::ledger_key("main"));
  CHECK(plan::coverage_bit(proposal->orders[0].coverage_bits, a));
  CHECK_FALSE(plan::coverage_bit(proposal->orders[0].coverage_bits, c));
  CHECK(plan::coverage_bit(proposal->orders[1].coverage_bits, c));
  CHECK_FALSE(plan::coverage_bit(proposal->orders[1].coverage_bits, a));
  CHECK(plan::coverage_bit(proposal->orders[0].coverage_bits, ledger));
  CHECK(plan::coverage_bit(proposal->orders[1].coverage_bits, ledger));
}

TEST_CASE("admission classifies each attribute as a hit, a seed or absent", "[plan]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});              // index 1
  node.submit(transfer("main", {posting("world", "a", 5)}));  // index 2
  for (int i = 0; i < 8; ++i)
    node.noop();                                                  // index 10: the cache forgot a
  node.submit(domain::SetLedgerMetadata{"main", {{"k", true}}});  // index 11: ledger in gen0
  auto proposal =
      node.admit(plan::Request{{transfer("main", {posting("a", "z", 1)})}, std::nullopt});
  REQUIRE(proposal.ok());
  const auto& p = *proposal;
  CHECK(p.plan.entries[index_of(p, keys::volume_key("main", "a", "USD"))].source ==
        plan::EntrySource::kStoreSeed);
  CHECK(p.plan.entries[index_of(p, keys::volume_key("main", "z", "USD"))].source ==
        plan::EntrySource::kStoreAbsent);
  CHECK(p.plan.entries[index_of(p, keys::boundary_key("main"))].source ==
        plan::EntrySource::kCacheHit);
  CHECK(p.plan.base_index == 8);  // generation 2 under K = 4
  CHECK(p.plan.predicted_index == 12);
  CHECK(p.plan.epoch == 0);
}

TEST_CASE("a revert declares the volumes of the original's postings", "[plan]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  node.submit(transfer("main", {posting("x", "y", 5, "EUR")}));      // force-free: fails on x
  node.submit(transfer("main", {posting("world", "p", 5, "EUR")}));  // tx 0
  auto proposal =
      node.admit(plan::Request{{domain::RevertTransaction{"main", 0, false, false}}, std::nullopt});
  REQUIRE(proposal.ok());
  index_of(*proposal, keys::volume_key("main", "world", "EUR"));
  index_of(*proposal, keys::volume_key("main", "p", "EUR"));
  index_of(*proposal, keys::transaction_key("main", 0));
}

TEST_CASE("an idempotency key is declared at the proposal level", "[plan]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  auto proposal = node.admit(plan::Request{{domain::DeleteLedger{"main"}}, std::string("idem")});
  REQUIRE(proposal.ok());
  auto idem = index_of(*proposal, keys::idempotency_key("idem"));
  CHECK_FALSE(plan::coverage_bit(proposal->orders[0].coverage_bits, idem));
}

TEST_CASE("admission refuses invalid requests before anything is planned", "[plan]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  auto bad = [&](plan::Request r) {
    auto proposal = node.admit(r);
    REQUIRE_FALSE(proposal.ok());
    return proposal.error().code;
  };
  CHECK(bad({{}, std::nullopt}) == Code::kValidation);
  CHECK(bad({{transfer("main", {})}, std::nullopt}) == Code::kNoPostings);
  CHECK(bad({{transfer("main", {posting("a::b", "c", 1)})}, std::nullopt}) == Code::kValidation);
  CHECK(bad({{transfer("main", {posting("a", "c", 1, "usd")})}, std::nullopt}) ==
        Code::kValidation);
  CHECK(bad({{domain::SetRotationThreshold{0}}, std::nullopt}) == Code::kValidation);
  CHECK(bad({{domain::SetRotationThreshold{5}, domain::DeleteLedger{"main"}}, std::nullopt}) ==
        Code::kValidation);
  CHECK(bad({{domain::DeleteLedger{"main"}}, std::string(257, 'k')}) == Code::kValidation);
}

TEST_CASE("the same request admitted against the same state gives the same bytes",
          "[plan][native]") {
  TempDir dir;
  LedgerNode a("memory", dir, options());
  LedgerNode b("sqlite", dir, options(), "b.db");
  for (LedgerNode* node : {&a, &b}) {
    node->submit(domain::CreateLedger{"main", {}});
    node->submit(transfer("main", {posting("world", "a", 5)}));
  }
  plan::Request r{{transfer("main", {posting("a", "b", 1), posting("world", "c", 2)})},
                  std::nullopt};
  auto pa = a.admit(r);
  auto pb = b.admit(r);
  REQUIRE(pa.ok());
  REQUIRE(pb.ok());
  CHECK(codec::encode_proposal(*pa) == codec::encode_proposal(*pb));
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// Found by the simulator (seed 9): a threshold change declares no attribute, so no CheckCache
// refused it, and its plan's base index matched neither generation at apply.
TEST_CASE("a request that reads nothing is still refused two generations ahead", "[plan]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  auto refused = node.admit(plan::Request{{domain::SetRotationThreshold{8}}, std::nullopt}, 9);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Code::kCacheHorizonExceeded);
  CHECK(node.admit(plan::Request{{domain::SetRotationThreshold{8}}, std::nullopt}, 8).ok());
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

using testing::applied_outcome;

domain::RevertTransaction revert_of(std::uint64_t id) {
  return domain::RevertTransaction{"main", id, false, false};
}

TEST_CASE("a bulk reverts what it creates, and reverts its own reverts", "[plan]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  // Transaction ids are handed out at apply: 0, its revert 1, the revert of the revert 2.
  plan::Request bulk{{transfer("main", {posting("world", "a", 5)}), revert_of(0), revert_of(1)},
                     std::nullopt};
  auto report = node.submit(bulk);
  const domain::Outcome& outcome = applied_outcome(report);
  INFO(domain::describe_outcome(outcome) << " " << outcome.message);
  REQUIRE(outcome.ok());
  CHECK(outcome.results[2].transaction_id == std::optional<std::uint64_t>(2));
  auto a = node.admit(plan::Request{{transfer("main", {posting("a", "b", 5)})}, std::nullopt});
  REQUIRE(a.ok());
  CHECK(applied_outcome(node.apply(*a)).ok());  // a holds 5 again: 5, -5, +5
}

TEST_CASE("a bulk declares the volumes its reverts may need once, whatever its size", "[plan]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  for (std::size_t creates : {8u, 64u, 128u}) {
    INFO(creates << " creates and as many reverts");
    plan::Request bulk;
    for (std::size_t i = 0; i < creates; ++i) {
      bulk.orders.push_back(transfer("main", {posting("world", "u" + std::to_string(i), 1 + i)}));
    }
    auto proposal = node.admit(bulk);
    REQUIRE(proposal.ok());
    std::size_t without_reverts = proposal->plan.entries.size();
    for (std::size_t i = 0; i < creates; ++i)
      bulk.orders.push_back(revert_of(1'000'000 + i));
    proposal = node.admit(bulk);
    REQUIRE(proposal.ok());
    // Each revert adds its own transaction key; the volumes are declared once for all.
    CHECK(proposal->plan.entries.size() == without_reverts + creates);
  }
}

TEST_CASE("a 256-order bulk of creates and reverts applies atomically", "[plan]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  plan::Request bulk;
  for (std::uint64_t i = 0; i < 128; ++i) {
    bulk.orders.push_back(transfer("main", {posting("world", "u" + std::to_string(i % 7), 1)}));
  }
  for (std::uint64_t i = 0; i < 128; ++i)
    bulk.orders.push_back(revert_of(i));
  auto report = node.submit(bulk);
  const domain::Outcome& outcome = applied_outcome(report);
  INFO(outcome.message);
  REQUIRE(outcome.ok());
  REQUIRE(outcome.results.size() == 256);
  CHECK(outcome.results.back().transaction_id == std::optional<std::uint64_t>(255));
  node.require_parity();
}

}  // namespace
}  // namespace tally
