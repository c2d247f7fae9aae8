#include "core/keys/attribute_kind.hpp"

namespace tally::keys {

std::optional<AttributeKind> kind_from_byte(std::uint8_t byte) {
  for (AttributeKind kind : kAllKinds) {
    if (kind_byte(kind) == byte) return kind;
  }
  return std::nullopt;
}

std::string_view kind_name(AttributeKind kind) {
  switch (kind) {
    case AttributeKind::kVolume: return "Volume";
    case AttributeKind::kAccountMetadata: return "AccountMetadata";
    case AttributeKind::kTransaction: return "Transaction";
    case AttributeKind::kLedger: return "Ledger";
    case AttributeKind::kBoundary: return "Boundary";
    case AttributeKind::kReference: return "Reference";
    case AttributeKind::kLedgerMetadata: return "LedgerMetadata";
    case AttributeKind::kIdempotency: return "Idempotency";
  }
  return "Unknown";
}

std::optional<AttributeKind> kind_named(std::string_view name) {
  for (AttributeKind kind : kAllKinds) {
    if (kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace tally::keys
