// The kinds of attribute the cache holds (docs/design.md §2), one byte each.
//
// The byte values are persisted (store keys, cache mirror rows) and hashed (plans in the
// audit chain): never renumber a kind, never reuse a retired byte.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tally::keys {

enum class AttributeKind : std::uint8_t {
  kVolume = 1,           // (ledger, account, asset) -> input / output
  kAccountMetadata = 2,  // (ledger, account) -> metadata map
  kTransaction = 3,      // (ledger, id) -> transaction state
  kLedger = 4,           // (name) -> ledger info
  kBoundary = 5,         // (ledger) -> next transaction id, next log sequence
  kReference = 6,        // (ledger, reference) -> transaction id
  kLedgerMetadata = 7,   // (ledger) -> metadata map
  kIdempotency = 8,      // (idempotency key) -> intent hash and outcome (docs/design.md §8)
};

inline constexpr std::array<AttributeKind, 8> kAllKinds = {
    AttributeKind::kVolume,         AttributeKind::kAccountMetadata, AttributeKind::kTransaction,
    AttributeKind::kLedger,         AttributeKind::kBoundary,        AttributeKind::kReference,
    AttributeKind::kLedgerMetadata, AttributeKind::kIdempotency,
};

inline constexpr std::uint8_t kind_byte(AttributeKind kind) {
  return static_cast<std::uint8_t>(kind);
}

// Dense index in [0, kAllKinds.size()), for per-kind arrays.
inline constexpr std::size_t kind_index(AttributeKind kind) {
  return kind_byte(kind) - 1;
}

// The kind a persisted byte names, or nothing for a byte no kind uses.
std::optional<AttributeKind> kind_from_byte(std::uint8_t byte);

std::string_view kind_name(AttributeKind kind);
// The kind kind_name calls name, or nothing.
std::optional<AttributeKind> kind_named(std::string_view name);

}  // namespace tally::keys
