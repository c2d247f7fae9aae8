// The audit chain's key (docs/design.md §7): a 32-byte secret held outside the store.
//
// hash = HMAC-SHA-256(audit key, content): whoever can write the store but lacks the key
// cannot re-chain a forged history. The store keeps only the key's id (a SHA-256 of it, see
// audit_key_id), so a node given another key refuses to open it and the checker can tell a
// wrong key from a forged entry. The key itself never reaches the store, the log or a trace.
// Reading and creating key files is the native side's job (native/keyfile/); the core only
// takes the 32 bytes.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/crypto/sha256.hpp"
#include "core/result.hpp"

namespace tally::audit {

inline constexpr std::size_t kAuditKeyBytes = 32;

struct AuditKey {
  std::array<std::uint8_t, kAuditKeyBytes> bytes{};

  ByteView view() const { return ByteView(bytes.data(), bytes.size()); }
  // False for the all-zero value a default-constructed key holds: no key at all.
  bool is_set() const;
  friend bool operator==(const AuditKey&, const AuditKey&) = default;
};

// What the store keeps of a key: SHA-256("tally/audit-key-id/v1" || key). One-way, so the
// id reveals nothing that would let anyone compute an HMAC.
using AuditKeyId = crypto::Digest;
AuditKeyId audit_key_id(const AuditKey& key);

// A key from exactly kAuditKeyBytes bytes. kValidation for another length or an all-zero key
// (an unset key must never pass for a real one).
Result<AuditKey> audit_key_from_bytes(ByteView bytes);

// The fixed key of the simulator, the narrated scenarios, the visualiser and tests. It is
// public (its bytes are SHA-256 of a constant string in this file): never use it for a
// cluster that holds real money.
AuditKey public_demo_audit_key();

}  // namespace tally::audit
