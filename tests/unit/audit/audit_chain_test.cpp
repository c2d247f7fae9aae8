// The audit chain (docs/design.md §7): one entry per applied proposal with orders, chained by
// HMAC-SHA-256 under the cluster key; ledger logs point into it.
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/codec/order_codec.hpp"
#include "core/crypto/hmac_sha256.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

std::vector<audit::AuditEntry> chain(const store::KeyValueStore& store) {
  std::vector<audit::AuditEntry> entries;
  REQUIRE(store::scan_range(store, audit::audit_rows_begin(), audit::audit_rows_end(),
                            [&](ByteView key, ByteView value) {
                              auto entry = audit::decode_audit_entry(value);
                              REQUIRE(entry.ok());
                              REQUIRE(ByteView(audit::audit_row_key(entry->sequence)) == key);
                              entries.push_back(std::move(entry).value());
                              return true;
                            })
              .ok());
  return entries;
}

TEST_CASE("every applied proposal with orders appends one chained entry", "[audit]") {
  TempDir dir;
  fsm::FsmOptions options = testing::node_options();
  options.cluster_id = "chain-test";
  LedgerNode node("memory", dir, options);
  node.submit(domain::CreateLedger{"main", {}});
  node.submit(transfer("main", {posting("a", "b", 1)}));  // a business failure: audited too
  node.noop();                                            // no orders: no entry
  auto stale = node.admit(plan::Request{{domain::DeleteLedger{"main"}}, std::nullopt});
  node.noop();
  node.apply(*stale);  // stale: no entry
  node.submit(transfer("main", {posting("world", "b", 1)}));

  auto entries = chain(node.store());
  REQUIRE(entries.size() == 3);
  audit::AuditKey key = audit::public_demo_audit_key();
  crypto::Digest previous{};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    INFO("entry " << i);
    CHECK(entries[i].sequence == i + 1);
    CHECK(entries[i].previous_hash == previous);
    CHECK(entries[i].hash == crypto::hmac_sha256(key.view(), audit::hashed_content(entries[i])));
    previous = entries[i].hash;
  }
  CHECK(entries[1].outcome.code == Code::kInsufficientFunds);
  CHECK(entries[1].log_index == 2);
  CHECK(entries[2].log_index == 6);
  CHECK(node.fsm().state().audit_head == entries.back().hash);
  CHECK(node.fsm().state().next_audit_sequence == 4);
  auto order = codec::decode_order(entries[2].items[0]);
  REQUIRE(order.ok());
  CHECK(std::get<domain::CreateTransaction>(*order).postings[0].destination == "b");
}

TEST_CASE("another audit key gives another chain for the same history", "[audit]") {
  TempDir dir;
  fsm::FsmOptions a = testing::node_options(), b = testing::node_options();
  b.audit_key = audit::audit_key_from_bytes(Bytes(audit::kAuditKeyBytes, 7)).value();
  LedgerNode na("memory", dir, a);
  LedgerNode nb("memory", dir, b);
  auto ra = na.submit(domain::CreateLedger{"main", {}});
  auto rb = nb.submit(domain::CreateLedger{"main", {}});
  CHECK(audit::hashed_content(*ra.audit) == audit::hashed_content(*rb.audit));
  CHECK(ra.audit->hash != rb.audit->hash);
}

TEST_CASE("the store keeps the audit key's id, never the key", "[audit][native]") {
  TempDir dir;
  LedgerNode node("sqlite", dir, testing::node_options());
  node.submit(domain::CreateLedger{"main", {}});
  audit::AuditKey key = audit::public_demo_audit_key();
  CHECK(node.fsm().state().audit_key_id == audit::audit_key_id(key));
  CHECK(audit::audit_key_id(key) != key.bytes);
  for (const auto& [row_key, value] : testing::all_rows(node.store())) {
    auto found = std::search(value.begin(), value.end(), key.bytes.begin(), key.bytes.end());
    CHECK(found == value.end());
  }
}

TEST_CASE("a node given another audit key refuses the store", "[audit][native]") {
  TempDir dir;
  auto store = testing::make_store("sqlite", dir);
  REQUIRE(fsm::StateMachine::open(*store, testing::node_options()).ok());
  fsm::FsmOptions other = testing::node_options();
  other.audit_key = audit::audit_key_from_bytes(Bytes(audit::kAuditKeyBytes, 9)).value();
  auto opened = fsm::StateMachine::open(*store, other);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == Code::kConfiguration);
  CHECK_THAT(opened.error().message, Catch::Contains("key id"));
  fsm::FsmOptions none = testing::node_options();
  none.audit_key = audit::AuditKey{};
  auto keyless = fsm::StateMachine::open(*store, none);
  REQUIRE_FALSE(keyless.ok());
  CHECK(keyless.error().code == Code::kConfiguration);
}

TEST_CASE("an audit key is exactly 32 bytes and not all zero", "[audit]") {
  CHECK(audit::audit_key_from_bytes(Bytes(32, 1)).ok());
  CHECK(audit::audit_key_from_bytes(Bytes(31, 1)).error().code == Code::kValidation);
  CHECK(audit::audit_key_from_bytes(Bytes(33, 1)).error().code == Code::kValidation);
  CHECK(audit::audit_key_from_bytes(Bytes(32, 0)).error().code == Code::kValidation);
}

TEST_CASE("each accepted order's log sequence points at its audit entry and item", "[audit]") {
  TempDir dir;
  LedgerNode node("memory", dir, testing::node_options());
  node.submit(domain::CreateLedger{"main", {}});
  node.submit(plan::Request{{transfer("main", {posting("world", "a", 1)}),
                             domain::SetAccountMetadata{"main", "a", {{"k", true}}}},
                            std::nullopt});
  auto pointer_row = node.store().get(audit::ledger_log_key("main", 2));
  REQUIRE(pointer_row.ok());
  REQUIRE(pointer_row->has_value());
  auto pointer = audit::decode_log_pointer(**pointer_row);
  REQUIRE(pointer.ok());
  CHECK(pointer->audit_sequence == 2);
  CHECK(pointer->order_index == 1);
}

}  // namespace
}  // namespace tally
