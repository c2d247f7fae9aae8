// The checker proves a store from its audit chain; each kind of planted corruption must be
// reported with its own type, naming the key and both values.
#include <catch2/catch.hpp>

#include "core/audit/audit_rows.hpp"
#include "core/cache/cache_mirror.hpp"
#include "core/check/checker.hpp"
#include "core/codec/value_codec.hpp"
#include "core/store/layout.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using check::MismatchKind;
using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

// A history with transfers, a revert, metadata churn across rotations, references and an
// idempotent replay, on K = 3.
struct History {
  TempDir dir;
  LedgerNode node{testing::durable_store_kind(), dir, testing::checker_options()};
  History() {
    node.submit(domain::CreateLedger{"main", {{"owner", std::string("ops")}}});
    auto pay = transfer("main", {posting("world", "a", 50), posting("world", "b", 5, "EUR")});
    pay.reference = "ref-1";
    node.submit(plan::Request{{pay}, std::string("idem-1")});
    node.submit(plan::Request{{pay}, std::string("idem-1")});  // replay
    node.submit(transfer("main", {posting("a", "c", 20)}));
    node.submit(domain::RevertTransaction{"main", 1, false, false});
    node.submit(domain::SetAccountMetadata{"main", "a", {{"k", true}}});
    node.noop();
    node.noop();
    node.submit(domain::DeleteAccountMetadata{"main", "a", "k"});  // a gen0 tombstone
    node.submit(transfer("main", {posting("z", "a", 1)}));         // a failure
    node.submit(domain::SetTransactionMetadata{"main", 0, {{"t", std::int64_t{1}}}});
  }
  check::CheckReport check() {
    auto report = check::run_check(
        {node.store(), &node.fsm().cache(), "check", audit::public_demo_audit_key()});
    REQUIRE(report.ok());
    INFO(report->describe());
    return std::move(report).value();
  }
  void plant(const Bytes& key, std::optional<Bytes> value) {
    store::Batch batch;
    if (value) {
      batch.put(key, *value);
    } else {
      batch.del(key);
    }
    testing::commit(node.store(), batch);
  }
  const cache::Cache& cache() { return node.fsm().cache(); }
};

TEST_CASE("a clean history passes the checker", "[checker]") {
  History h;
  auto report = h.check();
  CHECK(report.ok());
  CHECK(report.entries_verified == 9);
  CHECK(report.rows_compared > 15);
}

TEST_CASE("a changed volume row is reported as a volume mismatch with both values", "[checker]") {
  History h;
  auto key = store::attribute_row_key(keys::volume_key("main", "a", "USD"));
  domain::Volume forged{domain::Amount::from_u64(1000), domain::Amount::from_u64(0)};
  h.plant(key, codec::ValueCodec<domain::Volume>::encode(forged));
  auto report = h.check();
  REQUIRE(report.has(MismatchKind::kVolume));
  const check::Mismatch& m = report.mismatches.front();
  CHECK(m.key == "volume main/a/USD");
  CHECK(m.expected == "input=70 output=20");  // 50 in, 20 out, 20 back by the revert
  CHECK(m.actual == "input=1000 output=0");
}

// Where a's deleted metadata sits: the delete's gen0 tombstone rotated into gen1 since.
Bytes tombstone_row(History& h) {
  auto key = keys::account_metadata_key("main", "a");
  auto id = keys::attribute_id(key.canonical);
  const cache::CacheEntry* gen1 = h.cache().kind(key.kind).find_gen1(id);
  REQUIRE(h.cache().kind(key.kind).find_gen0(id) == nullptr);
  REQUIRE(gen1 != nullptr);
  REQUIRE(gen1->deleted);
  return cache::cache_row_key(cache::gen_byte_of(h.cache().generation() + 1), key.kind, id);
}

TEST_CASE("a dropped tombstone is reported as a cache parity mismatch", "[checker]") {
  History h;
  h.plant(tombstone_row(h), std::nullopt);
  auto report = h.check();
  REQUIRE(report.has(MismatchKind::kCacheParity));
  CHECK_THAT(
      report.mismatches.front().actual,
      Catch::StartsWith("only in memory: gen1 AccountMetadata") && Catch::Contains("tombstone"));
}

TEST_CASE("a resurrected gen1 row is reported as a cache parity mismatch", "[checker]") {
  History h;
  auto key = keys::account_metadata_key("main", "a");
  auto live = cache::live_entry(keys::attribute_tag(key.canonical),
                                codec::ValueCodec<domain::Metadata>::encode({{"k", true}}));
  h.plant(tombstone_row(h), cache::cache_row_value(live));
  auto report = h.check();
  REQUIRE(report.has(MismatchKind::kCacheParity));
  CHECK_THAT(report.mismatches.front().actual,
             Catch::Contains("gen1 AccountMetadata") && Catch::Contains("| disk live"));
}

TEST_CASE("an edited audit entry is reported as a hash mismatch", "[checker]") {
  History h;
  auto row = h.node.store().get(audit::audit_row_key(4));
  REQUIRE(row.ok());
  REQUIRE(row->has_value());
  Bytes edited = **row;
  edited[20] ^= 0x01;  // inside the timestamp: still decodes, no longer hashes
  h.plant(audit::audit_row_key(4), edited);
  auto report = h.check();
  REQUIRE(report.has(MismatchKind::kAuditHash));
  CHECK(report.mismatches.front().key == "audit 4");
}

TEST_CASE("a deleted audit entry is reported as a sequence gap", "[checker]") {
  History h;
  h.plant(audit::audit_row_key(3), std::nullopt);
  auto report = h.check();
  CHECK(report.has(MismatchKind::kAuditSequenceGap));
  CHECK(report.has(MismatchKind::kAuditHash));  // entry 4's link names entry 3
}

TEST_CASE("a missing transaction state is reported as a transaction mismatch", "[checker]") {
  History h;
  h.plant(store::attribute_row_key(keys::transaction_key("main", 1)), std::nullopt);
  auto report = h.check();
  REQUIRE(report.has(MismatchKind::kTransaction));
  const check::Mismatch& m = report.mismatches.front();
  CHECK(m.key == "transaction main/1");
  CHECK(m.actual == "absent");
  CHECK_THAT(m.expected, Catch::Contains("reverted_by=2"));
}

TEST_CASE("stray rows in derived zones are reported, with their kind", "[checker]") {
  History h;
  h.plant(store::attribute_row_key(keys::reference_key("main", "ghost")),
          codec::ValueCodec<domain::ReferenceTarget>::encode({9}));
  h.plant(store::attribute_row_key(keys::idempotency_key("ghost")), Bytes{1});
  auto report = h.check();
  CHECK(report.has(MismatchKind::kReference));
  CHECK(report.has(MismatchKind::kIdempotency));
}

TEST_CASE("a forged FSM head is reported against the chain", "[checker]") {
  History h;
  h.plant(audit::audit_row_key(9), std::nullopt);  // the last entry vanishes
  auto report = h.check();
  CHECK(report.has(MismatchKind::kAuditHead));
}

}  // namespace
}  // namespace tally
