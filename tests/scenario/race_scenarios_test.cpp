// The races of docs/design.md §10, each as an FSM-level specification with K = 4: admission and
// apply are separated by proposals in flight, and parity (inv#1) is checked after every
// applied entry. Scenario 1 also runs with the pre-fix delete and shows the break the pull
// request describes.
#include <catch2/catch.hpp>

#include "core/cache/parity.hpp"
#include "core/query/ledger_reads.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using domain::Outcome;
using plan::Request;
using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

constexpr std::uint64_t K = 4;

fsm::FsmOptions options(cache::DeleteMode mode = cache::DeleteMode::kLazyGen0) {
  fsm::FsmOptions o = testing::node_options();
  o.rotation_threshold = K;
  o.delete_mode = mode;
  return o;
}

Request request(domain::Order order) {
  return Request{{std::move(order)}, std::nullopt};
}

plan::Proposal admitted(LedgerNode& node, const Request& r, std::uint64_t predicted) {
  auto proposal = node.admit(r, predicted);
  if (!proposal.ok()) FAIL(proposal.error().message);
  return std::move(proposal).value();
}

// Applies and checks parity, the way every scenario steps.
fsm::ApplyReport step(LedgerNode& node, const plan::Proposal& proposal) {
  auto report = node.apply(proposal);
  node.require_parity();
  return report;
}

const plan::PlanEntry& entry_for(const plan::Proposal& proposal, const keys::AttributeKey& key) {
  auto id = keys::attribute_id(key.canonical).to_bytes();
  for (const plan::PlanEntry& entry : proposal.plan.entries) {
    if (entry.kind == keys::kind_byte(key.kind) && entry.id == Bytes(id.begin(), id.end())) {
      return entry;
    }
  }
  FAIL("no plan entry for the key");
  throw;  // unreachable
}

// Clears the order's coverage bit for key: a plan that forgets to declare it.
void undeclare(plan::Proposal& proposal, const keys::AttributeKey& key) {
  const plan::PlanEntry* entry = &entry_for(proposal, key);
  std::size_t index = static_cast<std::size_t>(entry - proposal.plan.entries.data());
  Bytes& bits = proposal.orders[0].coverage_bits;
  REQUIRE(plan::coverage_bit(bits, index));
  bits[index / 8] = static_cast<std::uint8_t>(bits[index / 8] & ~(1u << (index % 8)));
}

// Scenario 1's T0-T3 on one node: returns after the delete applied at index 5.
void delete_after_rotation(LedgerNode& node) {
  auto alice = keys::account_metadata_key("main", "alice");
  step(node, admitted(node, request(domain::CreateLedger{"main", {}}), 1));  // index 1
  node.noop();                                                               // index 2
  // T0: three proposals in flight. The delete (index 5) is admitted while alice's metadata
  // exists nowhere: Miss, and nothing on disk, so coverage only.
  auto save =
      admitted(node, request(domain::SetAccountMetadata{"main", "alice", {{"k", true}}}), 3);
  auto filler = admitted(node, request(domain::SetLedgerMetadata{"main", {{"f", true}}}), 4);
  auto del = admitted(node, request(domain::DeleteAccountMetadata{"main", "alice", "k"}), 5);
  CHECK(entry_for(del, alice).source == plan::EntrySource::kStoreAbsent);
  // T1: the concurrent save applies: alice's metadata in gen0.
  step(node, save);
  step(node, filler);
  // T2 + T3: index 5 crosses the boundary (rotation: alice moves to gen1), then the delete.
  auto report = node.apply(del);
  CHECK(report.advance.kind == cache::AdvanceKind::kRotated);
  REQUIRE(testing::applied_outcome(report).ok());
}

TEST_CASE("scenario 1: delete after rotation keeps parity with the lazy gen0 tombstone",
          "[scenario]") {
  auto store_kind = GENERATE(from_range(testing::store_kinds()));
  TempDir dir;
  LedgerNode node(store_kind, dir, options());
  delete_after_rotation(node);
  node.require_parity();
  auto alice = keys::account_metadata_key("main", "alice");
  auto id = keys::attribute_id(alice.canonical);
  const auto& kind = node.fsm().cache().kind(alice.kind);
  CHECK(kind.find_gen0(id)->deleted);
  CHECK_FALSE(kind.find_gen1(id)->deleted);
  // Crash and restore: the same two rows come back, parity intact.
  node.restart();
  node.require_parity();
  CHECK(node.fsm().cache().kind(alice.kind).find_gen0(id)->deleted);
  auto account = query::get_account(node.store(), "main", "alice");
  CHECK_FALSE(account->has_value());
}

TEST_CASE("scenario 1 with the pre-fix delete breaks parity, and restarts split the cluster",
          "[scenario][native]") {
  TempDir dir;
  LedgerNode node("sqlite", dir, options(cache::DeleteMode::kPreFixForTeaching), "prefix.db");
  LedgerNode twin("sqlite", dir, options(cache::DeleteMode::kPreFixForTeaching), "twin.db");
  auto alice = keys::account_metadata_key("main", "alice");
  auto id = keys::attribute_id(alice.canonical);
  // Same log on both nodes; the pre-fix node's parity is checked by hand at the delete.
  std::vector<plan::Proposal> log;
  log.push_back(admitted(node, request(domain::CreateLedger{"main", {}}), 1));
  node.apply(log.back());
  node.noop();
  log.push_back(
      admitted(node, request(domain::SetAccountMetadata{"main", "alice", {{"k", true}}}), 3));
  log.push_back(admitted(node, request(domain::SetLedgerMetadata{"main", {{"f", true}}}), 4));
  log.push_back(admitted(node, request(domain::DeleteAccountMetadata{"main", "alice", "k"}), 5));
  for (std::size_t i = 1; i < log.size(); ++i)
    node.apply(log[i]);

  auto parity = cache::check_parity(node.fsm().cache(), node.store());
  REQUIRE(parity.ok());
  CHECK_FALSE(parity->ok);
  CHECK_THAT(parity->first_difference, Catch::Contains("gen1 AccountMetadata") &&
                                           Catch::Contains("live") && Catch::Contains("tombstone"));

  twin.apply(log[0]);
  twin.noop();
  for (std::size_t i = 1; i < log.size(); ++i)
    twin.apply(log[i]);
  node.restart();  // re-hydrates gen1 from the disk's tombstone
  CHECK(node.fsm().cache().kind(alice.kind).find_gen1(id)->deleted);
  CHECK_FALSE(twin.fsm().cache().kind(alice.kind).find_gen1(id)->deleted);  // live: split
  CHECK(cache::mirror_rows(node.fsm().cache()) != cache::mirror_rows(twin.fsm().cache()));
}

TEST_CASE("scenario 2: a prediction two rotations ahead is refused as CacheHorizonExceeded",
          "[scenario]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  step(node, admitted(node, request(domain::CreateLedger{"main", {}}), 1));
  auto rows_before = testing::all_rows(node.store());
  // Applied index 1 (generation 0); index 9 is generation 2.
  auto refused = node.admit(request(transfer("main", {posting("world", "a", 1)})), 9);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Code::kCacheHorizonExceeded);
  CHECK(testing::all_rows(node.store()) == rows_before);  // no entry, no audit
  CHECK(node.admit(request(transfer("main", {posting("world", "a", 1)})), 8).ok());
}

TEST_CASE("scenario 3: an undeclared delete is a CoverageMiss, ledger deletion included",
          "[scenario]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  step(node, admitted(node, request(domain::CreateLedger{"main", {}}), 1));
  step(node, admitted(node, request(domain::SetAccountMetadata{"main", "a", {{"k", true}}}), 2));

  auto del = admitted(node, request(domain::DeleteAccountMetadata{"main", "a", "k"}), 3);
  // Admission declared the metadata; a plan that forgets it must not delete it.
  undeclare(del, keys::account_metadata_key("main", "a"));
  auto report = step(node, del);
  const Outcome& outcome = testing::applied_outcome(report);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.code == Code::kCoverageMiss);
  CHECK(query::get_account(node.store(), "main", "a").value().has_value());

  auto drop = admitted(node, request(domain::DeleteLedger{"main"}), 4);
  undeclare(drop, keys::boundary_key("main"));
  report = step(node, drop);
  CHECK(testing::applied_outcome(report).code == Code::kCoverageMiss);
  CHECK_FALSE(query::get_ledger(node.store(), "main").value()->info.deleted);
}

TEST_CASE("scenario 4: a Hit on a gen1-only key one generation ahead becomes a Miss and a seed",
          "[scenario]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  step(node, admitted(node, request(domain::CreateLedger{"main", {}}), 1));
  step(node, admitted(node, request(transfer("main", {posting("world", "a", 10)})), 2));
  node.noop();
  node.noop();
  node.noop();  // index 5: generation 1, a's volume is gen1-only
  auto volume = keys::volume_key("main", "a", "USD");
  auto id = keys::attribute_id(volume.canonical);
  REQUIRE(node.fsm().cache().kind(volume.kind).find_gen0(id) == nullptr);
  REQUIRE(node.fsm().cache().kind(volume.kind).find_gen1(id) != nullptr);

  auto same_generation = admitted(node, request(transfer("main", {posting("a", "b", 1)})), 6);
  CHECK(entry_for(same_generation, volume).source == plan::EntrySource::kCacheHit);
  auto next_generation = admitted(node, request(transfer("main", {posting("a", "b", 3)})), 9);
  const plan::PlanEntry& seed = entry_for(next_generation, volume);
  CHECK(seed.source == plan::EntrySource::kStoreSeed);
  REQUIRE(seed.seed.has_value());

  node.noop();
  node.noop();
  node.noop();  // index 8; index 9 rotates gen1 away before the transfer runs
  auto report = step(node, next_generation);
  CHECK(report.advance.kind == cache::AdvanceKind::kRotated);
  CHECK(report.seeds_written > 0);
  REQUIRE(testing::applied_outcome(report).ok());  // without the seed: insufficient funds
  auto a = query::get_account(node.store(), "main", "a");
  CHECK((*a)->volumes.at("USD").balance().to_decimal() == "7");
}

TEST_CASE("scenario 5: a stale seed never resurrects a deleted key", "[scenario]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  step(node, admitted(node, request(domain::CreateLedger{"main", {}}), 1));
  step(node, admitted(node, request(domain::SetAccountMetadata{"main", "a", {{"old", true}}}), 2));
  for (int i = 3; i <= 12; ++i)
    node.noop();  // two rotations: a's metadata leaves the cache
  auto key = keys::account_metadata_key("main", "a");
  REQUIRE(node.fsm().cache().get(key.kind, keys::attribute_id(key.canonical)) == nullptr);

  // Both admitted before either applies: both carry the stored {old} as a seed.
  auto del = admitted(node, request(domain::DeleteAccountMetadata{"main", "a", "old"}), 13);
  auto set = admitted(node, request(domain::SetAccountMetadata{"main", "a", {{"new", true}}}), 14);
  CHECK(entry_for(del, key).source == plan::EntrySource::kStoreSeed);
  CHECK(entry_for(set, key).source == plan::EntrySource::kStoreSeed);
  REQUIRE(testing::applied_outcome(step(node, del)).ok());  // {old} deleted: a gen0 tombstone
  auto report = step(node, set);
  REQUIRE(testing::applied_outcome(report).ok());
  CHECK(report.seeds_written == 0);  // the tombstone refused the stale seed
  auto account = query::get_account(node.store(), "main", "a");
  CHECK((*account)->metadata == domain::Metadata{{"new", true}});  // not {old, new}
}

TEST_CASE("scenario 6: an empty value stays live and a tombstone stays dead across restore",
          "[scenario]") {
  auto store_kind = GENERATE(from_range(testing::store_kinds()));
  TempDir dir;
  LedgerNode node(store_kind, dir, options());
  step(node, admitted(node, request(domain::CreateLedger{"main", {}}), 1));  // empty metadata
  step(node, admitted(node, request(domain::SetAccountMetadata{"main", "a", {{"k", true}}}), 2));
  step(node, admitted(node, request(domain::DeleteAccountMetadata{"main", "a", "k"}), 3));
  auto empty = keys::ledger_metadata_key("main");
  auto dead = keys::account_metadata_key("main", "a");
  auto check = [&] {
    const cache::CacheEntry* e =
        node.fsm().cache().get(empty.kind, keys::attribute_id(empty.canonical));
    const cache::CacheEntry* d =
        node.fsm().cache().get(dead.kind, keys::attribute_id(dead.canonical));
    REQUIRE(e != nullptr);
    CHECK_FALSE(e->deleted);
    CHECK(e->value.empty());  // zero bytes, and live
    REQUIRE(d != nullptr);
    CHECK(d->deleted);
  };
  check();
  node.restart();
  check();
  node.require_parity();
  // The live empty value is readable: setting a key on it works without a seed.
  step(node, admitted(node, request(domain::SetLedgerMetadata{"main", {{"x", true}}}), 4));
  CHECK(query::get_ledger(node.store(), "main").value()->metadata.size() == 1);
}

TEST_CASE("scenario 7: a threshold change resets the cache, bumps the epoch, realigns",
          "[scenario]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  step(node, admitted(node, request(domain::CreateLedger{"main", {}}), 1));
  step(node, admitted(node, request(transfer("main", {posting("world", "a", 10)})), 2));
  auto change = admitted(node, request(domain::SetRotationThreshold{10}), 3);
  auto in_flight = admitted(node, request(transfer("main", {posting("a", "b", 1)})), 4);
  auto report = step(node, change);
  REQUIRE(testing::applied_outcome(report).ok());
  const cache::Cache& cache = node.fsm().cache();
  CHECK(cache.epoch() == 1);
  CHECK(cache.threshold() == 10);
  CHECK(cache.generation() == 0);  // Gen(3) under K = 10
  CHECK(cache.gen0_size() + cache.gen1_size() == 0);

  auto stale = step(node, in_flight);  // admitted under epoch 0
  CHECK(stale.status == fsm::ApplyReport::Status::kStale);
  CHECK(stale.rejection->code == Code::kStaleProposal);
  CHECK_FALSE(stale.audit.has_value());
  // Re-admitted under the new epoch, the same request reads a's volume as a seed.
  auto retried = step(node, admitted(node, request(in_flight.orders[0].order), 5));
  REQUIRE(testing::applied_outcome(retried).ok());
  node.restart();
  CHECK(node.fsm().cache().epoch() == 1);
  CHECK(node.fsm().cache().threshold() == 10);
  node.require_parity();
}

}  // namespace
}  // namespace tally
