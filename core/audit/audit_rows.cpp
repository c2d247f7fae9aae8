#include "core/audit/audit_rows.hpp"

#include "core/codec/reader.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/store/layout.hpp"

namespace tally::audit {

namespace {
constexpr std::uint8_t kAuditTag = 'A';
constexpr std::uint8_t kLogTag = 'L';
}  // namespace

Bytes audit_row_key(std::uint64_t sequence) {
  Bytes key{store::kZoneAudit, kAuditTag};
  put_u64_be(key, sequence);
  return key;
}

Bytes audit_rows_begin() {
  return Bytes{store::kZoneAudit, kAuditTag};
}
Bytes audit_rows_end() {
  return Bytes{store::kZoneAudit, kAuditTag + 1};
}

Bytes ledger_log_prefix(std::string_view ledger) {
  Bytes key{store::kZoneAudit, kLogTag};
  keys::append_part(key, ledger);
  return key;
}

Bytes ledger_log_key(std::string_view ledger, std::uint64_t log_sequence) {
  Bytes key;
  key.reserve(2 + ledger.size() + 1 + 8);  // one allocation
  key.push_back(store::kZoneAudit);
  key.push_back(kLogTag);
  keys::append_part(key, ledger);
  put_u64_be(key, log_sequence);
  return key;
}

Bytes encode_log_pointer(const LogPointer& pointer) {
  Bytes out;
  out.reserve(12);
  put_u64_le(out, pointer.audit_sequence);
  put_u32_le(out, pointer.order_index);
  return out;
}

Result<LogPointer> decode_log_pointer(ByteView bytes) {
  return codec::decode_all<LogPointer>(bytes, "log pointer", [](codec::Reader& r) {
    LogPointer pointer;
    pointer.audit_sequence = r.u64();
    pointer.order_index = r.u32();
    return pointer;
  });
}

}  // namespace tally::audit
