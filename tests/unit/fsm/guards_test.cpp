// Guards a deliberate break must fail: each test here fails if the guard it names
// is removed. The coverage gate on delete, the merge's refusal to skip a delete the cache
// cannot perform, and the refusal of a stored transaction without postings.
#include <catch2/catch.hpp>

#include "core/cache/cache_mirror.hpp"
#include "core/cache/key_store.hpp"
#include "core/codec/value_codec.hpp"
#include "core/fsm/gated_scope.hpp"
#include "core/store/layout.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

// A cache at generation 0 holding one live key, with a key store over it.
struct CacheWithKey {
  store::Batch batch;
  cache::Cache cache = cache::Cache::create(4, batch);
  cache::KeyStore key_store{cache};
  keys::AttributeKey key = keys::boundary_key("main");

  CacheWithKey() {
    REQUIRE(key_store.put(key, codec::ValueCodec<domain::Boundary>::encode({1, 1}), batch).ok());
  }
};

// A plan declaring the given keys, each for order 0.
struct Declared {
  plan::Plan plan;
  Bytes bits;

  explicit Declared(const std::vector<keys::AttributeKey>& keys) {
    for (const keys::AttributeKey& key : keys) {
      auto id = keys::attribute_id(key.canonical).to_bytes();
      plan.entries.push_back({keys::kind_byte(key.kind), Bytes(id.begin(), id.end()),
                              keys::attribute_tag(key.canonical), plan::EntrySource::kCacheHit,
                              std::nullopt});
      plan::set_coverage_bit(bits, plan.entries.size() - 1);
    }
  }
};

TEST_CASE("an undeclared delete with no read before it is a coverage miss naming the delete",
          "[fsm]") {
  CacheWithKey c;
  Declared nothing({});
  fsm::PlanIndex index(nothing.plan);
  fsm::CoverageGate gate(index, nothing.bits);
  fsm::WriteSet writes;
  fsm::GatedScope scope(c.key_store, writes, gate);

  Status deleted = scope.del(c.key);  // no get() first: only the delete's own gate can refuse

  REQUIRE_FALSE(deleted.ok());
  CHECK(deleted.error().code == Code::kCoverageMiss);
  CHECK_THAT(deleted.error().message, Catch::StartsWith("delete of Boundary"));
  CHECK(writes.empty());
}

TEST_CASE("a declared delete with no read before it passes the gate", "[fsm]") {
  CacheWithKey c;
  Declared boundary({c.key});
  fsm::PlanIndex index(boundary.plan);
  fsm::CoverageGate gate(index, boundary.bits);
  fsm::WriteSet writes;
  fsm::GatedScope scope(c.key_store, writes, gate);
  CHECK(scope.del(c.key).ok());
  CHECK(writes.size() == 1);
}

TEST_CASE("a merge whose delete meets a key the cache does not hold is an invariant violation",
          "[fsm]") {
  CacheWithKey c;
  fsm::WriteSet writes;
  keys::AttributeKey absent = keys::boundary_key("other");
  writes.del(fsm::slot_of(absent), absent, /*was_live=*/true);  // seen live: cannot be lost

  store::Batch merged;
  Status status = writes.merge_into(c.key_store, merged);

  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == Code::kInvariantViolation);
  CHECK_THAT(status.error().message, Catch::Contains("inv#6"));
}

TEST_CASE("a revert of a stored transaction with no postings stops the node", "[fsm]") {
  TempDir dir;
  LedgerNode node("memory", dir, testing::with_threshold(100));
  node.submit(domain::CreateLedger{"main", {}});
  node.submit(transfer("main", {posting("world", "a", 5)}));
  auto revert =
      node.admit(plan::Request{{domain::RevertTransaction{"main", 0, false, false}}, std::nullopt});
  REQUIRE(revert.ok());

  // The disk (attribute row and mirror row alike) now holds transaction 0 without postings.
  domain::TransactionState hollow;
  hollow.id = 0;
  Bytes value = codec::ValueCodec<domain::TransactionState>::encode(hollow);
  auto key = keys::transaction_key("main", 0);
  auto id = keys::attribute_id(key.canonical);
  store::Batch tamper;
  tamper.put(store::attribute_row_key(key), value);
  tamper.put(cache::cache_row_key(0, key.kind, id),
             cache::cache_row_value(cache::live_entry(keys::attribute_tag(key.canonical), value)));
  testing::commit(node.store(), tamper);
  node.restart();

  auto report = node.fsm().apply(node.applied() + 1, *revert);
  REQUIRE_FALSE(report.ok());  // a zero-posting revert would "succeed" and move nothing
  CHECK(report.error().code == Code::kCorrupt);
  CHECK_THAT(report.error().message, Catch::Contains("posting"));
  CHECK(node.fsm().stopped());
}

}  // namespace
}  // namespace tally
