// [codec] What a bulk answering per order adds to the core's encodings: per-order outcomes,
// proposals of format 2, audit entries of format 2, and the fields that trail an order's
// encoding; each round-trips, refuses truncation and has one encoding, and what existed
// before keeps its bytes.
#include <catch2/catch.hpp>

#include "core/audit/audit_entry.hpp"
#include "core/codec/order_codec.hpp"
#include "core/codec/outcome_codec.hpp"
#include "core/codec/proposal_codec.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "tests/support/samples.hpp"

namespace tally {
namespace {

Bytes outcome_bytes(const domain::Outcome& outcome) {
  codec::Writer w;
  codec::write_outcome(w, outcome);
  return w.take();
}

Result<domain::Outcome> outcome_of(ByteView bytes) {
  return codec::decode_all<domain::Outcome>(bytes, "outcome", codec::read_outcome);
}

TEST_CASE("a per-order outcome round-trips, and nests only what it may", "[codec]") {
  domain::Outcome replayed = domain::Outcome::success({{5, 6}});
  replayed.replay_of_sequence = 9;
  const domain::Outcome each = domain::Outcome::each(
      {replayed, domain::Outcome::failure(0, make_error(Code::kLedgerNotFound, "gone")),
       domain::Outcome::not_applied()});
  const Bytes bytes = outcome_bytes(each);
  auto decoded = outcome_of(bytes);
  REQUIRE(decoded.ok());
  CHECK(*decoded == each);
  for (std::size_t size = 0; size < bytes.size(); ++size)
    CHECK_FALSE(outcome_of(ByteView(bytes.data(), size)).ok());
  // Not applied only inside a per-order outcome; per order never inside one; an order's
  // success holds one result and its failure names order 0.
  CHECK_FALSE(outcome_of(outcome_bytes(domain::Outcome::not_applied())).ok());
  CHECK_FALSE(outcome_of(outcome_bytes(domain::Outcome::each({each}))).ok());
  CHECK_FALSE(
      outcome_of(outcome_bytes(domain::Outcome::each({domain::Outcome::success({})}))).ok());
  CHECK_FALSE(outcome_of(outcome_bytes(domain::Outcome::each(
                             {domain::Outcome::failure(2, make_error(Code::kConflict, "x"))})))
                  .ok());
  CHECK_FALSE(outcome_of(outcome_bytes(domain::Outcome::each({}))).ok());
}

TEST_CASE("orders without the trailing fields keep their bytes, with them round-trip", "[codec]") {
  domain::RevertTransaction plain{"main", 7, true, false};
  domain::RevertTransaction with_metadata = plain;
  with_metadata.metadata = {{"why", std::string("refund")}};
  const Bytes short_form = codec::encode_order(plain);
  const Bytes long_form = codec::encode_order(with_metadata);
  // Format 1 as the first release wrote it: ledger, id, force, at effective date.
  CHECK(short_form.front() == codec::kOrderFormat);
  CHECK(short_form.size() == 1 + 1 + (4 + 4) + 8 + 1 + 1);
  CHECK(long_form.front() == codec::kOrderTrailingFormat);
  CHECK(Bytes(long_form.begin() + 1, long_form.begin() + short_form.size()) ==
        Bytes(short_form.begin() + 1, short_form.end()));
  CHECK(codec::decode_order(long_form).value() == domain::Order{with_metadata});
  // Format 2 without its field, with an empty one, or format 1 with one: no encoding at all.
  Bytes bare = short_form;
  bare.front() = codec::kOrderTrailingFormat;
  CHECK_FALSE(codec::decode_order(bare).ok());
  Bytes empty_trailer = bare;
  empty_trailer.insert(empty_trailer.end(), {0, 0, 0, 0});
  CHECK_FALSE(codec::decode_order(empty_trailer).ok());
  Bytes relabelled = long_form;
  relabelled.front() = codec::kOrderFormat;
  CHECK_FALSE(codec::decode_order(relabelled).ok());
  for (const domain::Order& order : testing::sample_orders()) {
    const Bytes bytes = codec::encode_order(order);
    CHECK(codec::decode_order(bytes).value() == order);
  }
}

TEST_CASE("a per-order proposal is format 2 and round-trips, any other stays format 1", "[codec]") {
  const plan::Proposal per_order = testing::sample_per_order_proposal();
  const Bytes bytes = codec::encode_proposal(per_order);
  CHECK(bytes.front() == codec::kProposalPerOrderFormat);
  CHECK(codec::decode_proposal(bytes).value() == per_order);
  CHECK(codec::encode_proposal(testing::sample_proposal()).front() == codec::kProposalFormat);
  // The other format for the same proposal is refused: one encoding each.
  Bytes relabelled = codec::encode_proposal(testing::sample_proposal());
  relabelled.front() = codec::kProposalPerOrderFormat;
  CHECK_FALSE(codec::decode_proposal(relabelled).ok());
  for (std::size_t size = 0; size < bytes.size(); size += 7)
    CHECK_FALSE(codec::decode_proposal(ByteView(bytes.data(), size)).ok());
}

TEST_CASE("a per-order audit entry is format 2, its hash covers mode and keys", "[codec]") {
  const audit::AuditEntry entry = testing::sample_per_order_audit_entry();
  const Bytes bytes = audit::encode_audit_entry(entry);
  CHECK(bytes.front() == audit::kAuditPerOrderFormat);
  CHECK(audit::decode_audit_entry(bytes).value() == entry);
  const audit::AuditKey key = audit::public_demo_audit_key();
  audit::AuditEntry other_mode = entry;
  other_mode.mode = domain::BulkMode::kStopOnFailure;
  CHECK(audit::compute_hash(key, other_mode) != audit::compute_hash(key, entry));
  audit::AuditEntry other_key = entry;
  other_key.order_keys[1] = "k-1";
  CHECK(audit::compute_hash(key, other_key) != audit::compute_hash(key, entry));
  CHECK(audit::encode_audit_entry(testing::sample_audit_entry()).front() == audit::kAuditFormat);
}

TEST_CASE("an order's idempotency record keeps that order's outcome", "[codec]") {
  fsm::IdempotencyRecord record{fsm::intent_hash({testing::sample_orders()[2]}), 4,
                                domain::Outcome::success({{1, 2}})};
  CHECK(fsm::decode_idempotency_record(fsm::encode_idempotency_record(record)).value() == record);
}

}  // namespace
}  // namespace tally
