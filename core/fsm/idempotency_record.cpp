#include "core/fsm/idempotency_record.hpp"

#include "core/codec/domain_fields.hpp"
#include "core/codec/order_codec.hpp"
#include "core/codec/outcome_codec.hpp"

namespace tally::fsm {

namespace {
constexpr std::uint8_t kRecordFormat = 1;
}

Bytes encode_idempotency_record(const IdempotencyRecord& record) {
  codec::Writer w;
  w.u8(kRecordFormat);
  codec::write_digest(w, record.intent_hash);
  w.u64(record.audit_sequence);
  codec::write_outcome(w, record.outcome);
  return w.take();
}

Result<IdempotencyRecord> decode_idempotency_record(ByteView bytes) {
  return codec::decode_all<IdempotencyRecord>(bytes, "idempotency record", [](codec::Reader& r) {
    codec::expect_format(r, kRecordFormat);
    IdempotencyRecord record;
    record.intent_hash = codec::read_digest(r);
    record.audit_sequence = r.u64();
    record.outcome = codec::read_outcome(r);
    return record;
  });
}

crypto::Digest intent_hash(const std::vector<domain::Order>& orders) {
  return crypto::sha256(codec::encode_orders(orders));
}

}  // namespace tally::fsm
