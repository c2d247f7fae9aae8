#include "core/audit/audit_key.hpp"

#include <algorithm>
#include <string>

namespace tally::audit {

AuditKeyId audit_key_id(const AuditKey& key) {
  crypto::Sha256 hasher;
  hasher.update(ByteView(std::string_view("tally/audit-key-id/v1")));
  hasher.update(key.view());
  return hasher.finish();
}

Result<AuditKey> audit_key_from_bytes(ByteView bytes) {
  if (bytes.size != kAuditKeyBytes) {
    return make_error(Code::kValidation, "an audit key is " + std::to_string(kAuditKeyBytes) +
                                             " bytes, not " + std::to_string(bytes.size));
  }
  AuditKey key;
  std::copy(bytes.begin(), bytes.end(), key.bytes.begin());
  if (!key.is_set())
    return make_error(Code::kValidation, "an audit key of 32 zero bytes is no key");
  return key;
}

bool AuditKey::is_set() const {
  return std::any_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b != 0; });
}

AuditKey public_demo_audit_key() {
  AuditKey key;
  key.bytes = crypto::sha256(
      ByteView(std::string_view("tally/audit/PUBLIC-DEMO-KEY: not a secret, never for money")));
  return key;
}

}  // namespace tally::audit
