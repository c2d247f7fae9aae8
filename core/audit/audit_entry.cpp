#include "core/audit/audit_entry.hpp"

#include "core/codec/domain_fields.hpp"
#include "core/codec/outcome_codec.hpp"
#include "core/crypto/hmac_sha256.hpp"
#include "core/limits.hpp"

#include <optional>
#include <utility>

namespace tally::audit {

namespace {

bool per_order(const AuditEntry& entry) {
  return domain::answers_per_order(entry.mode, entry.order_keys);
}

void write_hashed_content(codec::Writer& w, const AuditEntry& entry) {
  w.u8(per_order(entry) ? kAuditPerOrderFormat : kAuditFormat);
  w.u64(entry.sequence);
  w.u64(entry.log_index);
  w.u64(entry.timestamp_us);
  codec::write_optional_string(w, entry.idempotency_key);
  if (per_order(entry)) {
    w.u8(static_cast<std::uint8_t>(entry.mode));
    w.u32(static_cast<std::uint32_t>(entry.order_keys.size()));
    for (const auto& key : entry.order_keys)
      codec::write_optional_string(w, key);
  }
  codec::write_outcome(w, entry.outcome);
  w.u32(static_cast<std::uint32_t>(entry.items.size()));
  for (const Bytes& item : entry.items)
    w.bytes(item);
  codec::write_digest(w, entry.previous_hash);
}

// Room for an entry's encoding in one allocation, not a doubling run: its orders,
// plus the fixed fields and a typical outcome.
std::size_t encoded_size_estimate(const AuditEntry& entry) {
  std::size_t size = 160;
  for (const Bytes& item : entry.items)
    size += item.size() + 4;
  return size;
}

}  // namespace

Bytes hashed_content(const AuditEntry& entry) {
  codec::Writer w(encoded_size_estimate(entry));
  write_hashed_content(w, entry);
  return w.take();
}

Digest compute_hash(const AuditKey& key, const AuditEntry& entry) {
  // The padded key states are derived once per key and thread, not once per entry: a node
  // hashes every entry under the same key.
  thread_local std::optional<std::pair<AuditKey, crypto::HmacKey>> prepared;
  if (!prepared || prepared->first != key) prepared.emplace(key, crypto::HmacKey(key.view()));
  return crypto::hmac_sha256(prepared->second, hashed_content(entry));
}

Bytes encode_audit_entry(const AuditEntry& entry) {
  codec::Writer w(encoded_size_estimate(entry));
  write_hashed_content(w, entry);
  codec::write_digest(w, entry.hash);
  return w.take();
}

Result<AuditEntry> decode_audit_entry(ByteView bytes) {
  return codec::decode_all<AuditEntry>(bytes, "audit entry", [](codec::Reader& r) {
    const std::uint8_t format = r.u8();
    if (format != kAuditFormat && format != kAuditPerOrderFormat) {
      r.fail("unknown audit entry format " + std::to_string(format));
    }
    AuditEntry entry;
    entry.sequence = r.u64();
    entry.log_index = r.u64();
    entry.timestamp_us = r.u64();
    entry.idempotency_key = codec::read_optional_string(r);
    if (format == kAuditPerOrderFormat) {
      auto mode = domain::bulk_mode_from_byte(r.u8());
      if (!mode) r.fail("unknown bulk mode");
      entry.mode = mode.value_or(domain::BulkMode::kAtomic);
      std::uint32_t keys = r.count(limits::kOrdersPerProposalMax, 1);
      for (std::uint32_t i = 0; i < keys && r.ok(); ++i)
        entry.order_keys.push_back(codec::read_optional_string(r));
      // One encoding per entry: format 2 only for what answers per order.
      if (r.ok() && !per_order(entry)) r.fail("format 2 for an entry answering one outcome");
    }
    entry.outcome = codec::read_outcome(r);
    std::uint32_t n = r.count(limits::kOrdersPerProposalMax, 4);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i)
      entry.items.push_back(r.bytes());
    entry.previous_hash = codec::read_digest(r);
    entry.hash = codec::read_digest(r);
    return entry;
  });
}

}  // namespace tally::audit
