// Attribute ids and tags (docs/design.md §2): XXH3-128 and XXH3-64 of the canonical key bytes.
//
// The cache is keyed by (kind, id); the tag is a second, independent fingerprint stored with
// each entry so that two canonical keys sharing an id are detected (CollisionDetected)
// instead of silently aliasing.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>

#include "core/bytes.hpp"

namespace tally::keys {

inline constexpr std::size_t kIdBytes = 16;

struct Id128 {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  friend auto operator<=>(const Id128&, const Id128&) = default;

  // 16 bytes, big-endian high then low: byte order equals operator< order, so cache rows
  // sort on disk exactly as the in-memory maps iterate.
  std::array<std::uint8_t, kIdBytes> to_bytes() const;
  // REQUIRES: bytes.size == kIdBytes.
  static Id128 from_bytes(ByteView bytes);
  std::string to_hex() const;
};

using Tag = std::uint64_t;

Id128 attribute_id(ByteView canonical);
Tag attribute_tag(ByteView canonical);

}  // namespace tally::keys
