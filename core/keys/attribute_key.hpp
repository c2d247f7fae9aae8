// Canonical key bytes of an attribute (docs/design.md §2).
//
// Format (doc: core/keys/FORMAT.md): the ledger name, then the attribute's own parts.
// Every string part is followed by a 0x00 separator; integers are 8 bytes big-endian. String
// parts never contain 0x00 (domain validation rejects it; building a key with one is an
// invariant violation), so the encoding is unambiguous, and a prefix of parts is a byte
// prefix: all volumes of one account of one ledger form one range of the store, in
// lexicographic order of the names and numeric order of transaction ids.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/bytes.hpp"
#include "core/keys/attribute_kind.hpp"

namespace tally::keys {

struct AttributeKey {
  AttributeKind kind;
  Bytes canonical;  // the bytes hashed into id and tag

  friend bool operator==(const AttributeKey&, const AttributeKey&) = default;
};

AttributeKey volume_key(std::string_view ledger, std::string_view account, std::string_view asset);
AttributeKey account_metadata_key(std::string_view ledger, std::string_view account);
AttributeKey transaction_key(std::string_view ledger, std::uint64_t transaction_id);
AttributeKey ledger_key(std::string_view ledger);
AttributeKey boundary_key(std::string_view ledger);
AttributeKey reference_key(std::string_view ledger, std::string_view reference);
AttributeKey ledger_metadata_key(std::string_view ledger);
// Idempotency keys are cluster-wide, not per ledger.
AttributeKey idempotency_key(std::string_view key);

// Prefix shared by every canonical key of one ledger; with more parts, of one account.
Bytes ledger_prefix(std::string_view ledger);
Bytes account_prefix(std::string_view ledger, std::string_view account);

// Appends a string part and its separator. REQUIRES: part holds no 0x00 byte.
void append_part(Bytes& out, std::string_view part);

}  // namespace tally::keys
