// The core codec: every value round-trips, every value has exactly one encoding, and any
// malformed input is an error, never a crash (docs/design.md §8).
#include <catch2/catch.hpp>
#include <random>

#include "core/codec/order_codec.hpp"
#include "core/codec/proposal_codec.hpp"
#include "core/codec/value_codec.hpp"
#include "core/fsm/fsm_state.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "tests/support/samples.hpp"

namespace tally {
namespace {

// Every strict prefix of a valid encoding must be rejected with kCorrupt, and the encoding
// with one byte appended too.
template <class Decode>
void require_rejects_truncations(const Bytes& valid, Decode decode) {
  for (std::size_t length = 0; length < valid.size(); ++length) {
    auto decoded = decode(ByteView(valid.data(), length));
    INFO("prefix of " << length << " bytes");
    REQUIRE_FALSE(decoded.ok());
    REQUIRE(decoded.error().code == Code::kCorrupt);
  }
  Bytes longer = valid;
  longer.push_back(0);
  REQUIRE_FALSE(decode(longer).ok());
}

// Random single-byte changes: the decoder either rejects, or accepts something whose
// encoding is exactly the mutated bytes (one encoding per value).
template <class Decode, class Encode>
void require_canonical_under_mutation(const Bytes& valid, Decode decode, Encode encode) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 3000; ++i) {
    Bytes mutated = valid;
    mutated[rng() % mutated.size()] = static_cast<std::uint8_t>(rng());
    auto decoded = decode(mutated);
    if (decoded.ok()) {
      INFO("mutation " << i);
      REQUIRE(encode(*decoded) == mutated);
    }
  }
}

TEST_CASE("every order type round-trips through its business-intent encoding", "[codec]") {
  for (const domain::Order& order : testing::sample_orders()) {
    INFO(domain::order_name(order));
    Bytes encoded = codec::encode_order(order);
    auto decoded = codec::decode_order(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == order);
    require_rejects_truncations(encoded, codec::decode_order);
  }
  auto orders = testing::sample_orders();
  auto decoded = codec::decode_orders(codec::encode_orders(orders));
  REQUIRE(decoded.ok());
  CHECK(*decoded == orders);
}

TEST_CASE("every attribute value round-trips and rejects truncation", "[codec]") {
  using namespace codec;
  domain::Volume volume{domain::Amount::max(), domain::Amount::from_u64(7)};
  domain::LedgerInfo ledger{"main", 1, true, 2};
  domain::Boundary boundary{5, 9};
  domain::ReferenceTarget reference{42};
  domain::Metadata metadata{{"k", std::string("v")}};
  auto state = testing::sample_transaction();
  CHECK(ValueCodec<domain::Volume>::decode(ValueCodec<domain::Volume>::encode(volume)).value() ==
        volume);
  CHECK(ValueCodec<domain::LedgerInfo>::decode(ValueCodec<domain::LedgerInfo>::encode(ledger))
            .value() == ledger);
  CHECK(ValueCodec<domain::Boundary>::decode(ValueCodec<domain::Boundary>::encode(boundary))
            .value() == boundary);
  CHECK(ValueCodec<domain::ReferenceTarget>::decode(
            ValueCodec<domain::ReferenceTarget>::encode(reference))
            .value() == reference);
  CHECK(ValueCodec<domain::Metadata>::decode(ValueCodec<domain::Metadata>::encode(metadata))
            .value() == metadata);
  CHECK(ValueCodec<domain::TransactionState>::decode(
            ValueCodec<domain::TransactionState>::encode(state))
            .value() == state);
  require_rejects_truncations(ValueCodec<domain::Volume>::encode(volume),
                              ValueCodec<domain::Volume>::decode);
  require_rejects_truncations(ValueCodec<domain::TransactionState>::encode(state),
                              ValueCodec<domain::TransactionState>::decode);
  require_rejects_truncations(ValueCodec<domain::LedgerInfo>::encode(ledger),
                              ValueCodec<domain::LedgerInfo>::decode);
}

TEST_CASE("an empty metadata map is zero bytes, and only an empty map is", "[codec]") {
  using MetadataCodec = codec::ValueCodec<domain::Metadata>;
  CHECK(MetadataCodec::encode({}).empty());
  CHECK(MetadataCodec::decode(ByteView()).value().empty());
  // [format 1][count 0]: an empty map written the long way is refused.
  CHECK(MetadataCodec::decode(Bytes{1, 0, 0, 0, 0}).error().code == Code::kCorrupt);
}

TEST_CASE("decoders refuse every non-canonical form", "[codec]") {
  using namespace codec;
  // A boolean byte of 2.
  Bytes ledger = ValueCodec<domain::LedgerInfo>::encode({"m", 1, false, 0});
  ledger[1 + 4 + 1 + 8] = 2;
  CHECK_FALSE(ValueCodec<domain::LedgerInfo>::decode(ledger).ok());
  // An amount with a trailing zero byte: [format][len 2][0x05 0x00][len 0].
  CHECK_FALSE(ValueCodec<domain::Volume>::decode(Bytes{1, 2, 5, 0, 0}).ok());
  // Metadata keys out of order: "b" before "a".
  Bytes unsorted{1, 2, 0, 0, 0, 1, 0, 0, 0, 'b', 0, 1, 0, 0, 0, 'a', 0};
  CHECK_FALSE(ValueCodec<domain::Metadata>::decode(unsorted).ok());
  // An unknown format byte, an unknown order type.
  CHECK_FALSE(ValueCodec<domain::Boundary>::decode(Bytes(17, 0)).ok());
  CHECK_FALSE(decode_order(Bytes{1, 200}).ok());
  // A count larger than the bytes that follow, without allocating it.
  CHECK_FALSE(decode_orders(Bytes{0xff, 0xff, 0xff, 0x00}).ok());
}

TEST_CASE("single-byte mutations never yield a second encoding of a value", "[codec]") {
  auto state = testing::sample_transaction();
  require_canonical_under_mutation(codec::ValueCodec<domain::TransactionState>::encode(state),
                                   codec::ValueCodec<domain::TransactionState>::decode,
                                   codec::ValueCodec<domain::TransactionState>::encode);
  auto orders = testing::sample_orders();
  require_canonical_under_mutation(codec::encode_orders(orders), codec::decode_orders,
                                   codec::encode_orders);
}

TEST_CASE("a proposal round-trips with its plan, coverage bits and seeds", "[codec]") {
  plan::Proposal proposal = testing::sample_proposal();
  Bytes encoded = codec::encode_proposal(proposal);
  auto decoded = codec::decode_proposal(encoded);
  REQUIRE(decoded.ok());
  CHECK(*decoded == proposal);
  require_rejects_truncations(encoded, codec::decode_proposal);
  require_canonical_under_mutation(encoded, codec::decode_proposal, codec::encode_proposal);
}

TEST_CASE("audit entries, FSM state and idempotency records round-trip", "[codec]") {
  audit::AuditEntry entry = testing::sample_audit_entry();
  Bytes encoded = audit::encode_audit_entry(entry);
  CHECK(audit::decode_audit_entry(encoded).value() == entry);
  require_rejects_truncations(encoded, audit::decode_audit_entry);
  entry.outcome = domain::Outcome::failure(2, make_error(Code::kInsufficientFunds, "no"));
  entry.outcome.replay_of_sequence = 3;
  CHECK(audit::decode_audit_entry(audit::encode_audit_entry(entry)).value() == entry);

  fsm::FsmState state{9, 4, {}, "cluster"};
  state.audit_head.fill(7);
  CHECK(fsm::decode_fsm_state(fsm::encode_fsm_state(state)).value() == state);
  fsm::IdempotencyRecord record{{}, 4, entry.outcome};
  CHECK(fsm::decode_idempotency_record(fsm::encode_idempotency_record(record)).value() == record);
}

TEST_CASE("an outcome with a non-business code is refused", "[codec]") {
  audit::AuditEntry entry;
  entry.outcome = domain::Outcome::failure(0, make_error(Code::kConflict, "x"));
  Bytes encoded = audit::encode_audit_entry(entry);
  // [format][sequence 8][log index 8][timestamp 8][no key][kind][replay 8] then the code.
  constexpr std::size_t kCodeAt = 1 + 8 + 8 + 8 + 1 + 1 + 8;
  REQUIRE(get_u32_le(encoded.data() + kCodeAt) == static_cast<std::uint32_t>(Code::kConflict));
  REQUIRE(audit::decode_audit_entry(encoded).ok());
  encoded[kCodeAt] = static_cast<std::uint8_t>(Code::kStorage);
  CHECK(audit::decode_audit_entry(encoded).error().code == Code::kCorrupt);
}

}  // namespace
}  // namespace tally
