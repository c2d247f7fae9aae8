// The plan admission attaches to a proposal (docs/design.md §4): what the FSM may read or delete,
// and the values the cache lacked.
//
// Entries are sorted by (kind, id) and unique, so the same request admitted against the same
// state yields the same plan bytes. Fields are raw (kind as a byte, id as bytes) because a
// plan arrives from the log: the FSM validates it before writing anything, and rejects an
// unknown kind or an id that is not 16 bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/keys/key_hash.hpp"

namespace tally::plan {

// How admission classified the attribute. Persisted in the log: append only.
enum class EntrySource : std::uint8_t {
  kCacheHit = 0,     // CheckCache said Hit: coverage only
  kStoreSeed = 1,    // Miss, found in the store: a seed carrying the value
  kStoreAbsent = 2,  // Miss, not in the store either: coverage only
};

std::string_view source_name(EntrySource source);

struct PlanEntry {
  std::uint8_t kind = 0;  // an AttributeKind byte
  Bytes id;               // the attribute id, 16 bytes
  keys::Tag tag = 0;      // the attribute tag, checked against the cache at preload
  EntrySource source = EntrySource::kCacheHit;
  std::optional<Bytes> seed;  // the stored value; present exactly when source is kStoreSeed

  friend bool operator==(const PlanEntry&, const PlanEntry&) = default;
};

struct Plan {
  std::uint64_t base_index = 0;       // base index of the generation admission read at
  std::uint64_t epoch = 0;            // cache epoch at admission
  std::uint64_t predicted_index = 0;  // the log index admission expected this entry to get
  std::vector<PlanEntry> entries;

  friend bool operator==(const Plan&, const Plan&) = default;
};

// Coverage bits of one order: bit n (LSB-first within each byte) set when plan entry n is
// declared for that order.
bool coverage_bit(const Bytes& bits, std::size_t entry_index);
void set_coverage_bit(Bytes& bits, std::size_t entry_index);

}  // namespace tally::plan
