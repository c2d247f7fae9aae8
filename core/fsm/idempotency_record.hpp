// What an idempotency key remembers (docs/design.md §8): the hash of the request's business
// intent and the outcome it got. Stored as the Idempotency attribute (zone 0x04), cached and
// mirrored like every attribute, so apply never reads it from disk (inv#3).
#pragma once

#include <vector>

#include "core/crypto/sha256.hpp"
#include "core/domain/order.hpp"
#include "core/domain/outcome.hpp"

namespace tally::fsm {

struct IdempotencyRecord {
  crypto::Digest intent_hash{};
  std::uint64_t audit_sequence = 0;  // the entry that first applied the request
  domain::Outcome outcome;

  friend bool operator==(const IdempotencyRecord&, const IdempotencyRecord&) = default;
};

Bytes encode_idempotency_record(const IdempotencyRecord& record);
Result<IdempotencyRecord> decode_idempotency_record(ByteView bytes);

// SHA-256 of the orders' business-intent encoding (technical fields excluded, inv#8).
crypto::Digest intent_hash(const std::vector<domain::Order>& orders);

}  // namespace tally::fsm
