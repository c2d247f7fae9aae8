// One audit entry per applied proposal with orders (docs/design.md §7, inv#7).
//
// Format (doc: core/audit/FORMAT.md):
//   header  = [format 1][sequence u64][log index u64][timestamp_us u64]
//             [idempotency key: option string][outcome]
//   (format 2, for a proposal answering per order: after the idempotency key, the bulk
//   mode u8 and u32 count + each order's key as an option string)
//   items   = [count u32] then each order's business-intent bytes, length-prefixed
//   hash    = HMAC-SHA-256(audit key, header || items || previous hash)
//   stored  = header || items || previous hash (32) || hash (32)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/audit/audit_key.hpp"
#include "core/crypto/sha256.hpp"
#include "core/domain/bulk.hpp"
#include "core/domain/outcome.hpp"
#include "core/result.hpp"

namespace tally::audit {

using crypto::Digest;

inline constexpr std::uint8_t kAuditFormat = 1;
inline constexpr std::uint8_t kAuditPerOrderFormat = 2;

struct AuditEntry {
  std::uint64_t sequence = 0;   // 1, 2, 3, ... with no gap
  std::uint64_t log_index = 0;  // the Raft index the proposal was applied at
  std::uint64_t timestamp_us = 0;
  std::optional<std::string> idempotency_key;
  domain::BulkMode mode = domain::BulkMode::kAtomic;
  domain::OrderKeys order_keys;  // empty, or each order's key
  domain::Outcome outcome;
  std::vector<Bytes> items;  // each order's encode_order bytes
  Digest previous_hash{};    // zeros for the first entry
  Digest hash{};

  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

// The bytes the hash covers: header || items || previous hash.
Bytes hashed_content(const AuditEntry& entry);
Digest compute_hash(const AuditKey& key, const AuditEntry& entry);

Bytes encode_audit_entry(const AuditEntry& entry);
Result<AuditEntry> decode_audit_entry(ByteView bytes);

}  // namespace tally::audit
