// Row keys as every store sees them: their order and their hash.
//
// The order is memcmp's, shorter first on a common prefix: the order of std::vector<uint8_t>
// and of SQLite BLOBs (key_value_store.hpp). The hash (XXH3, the same natively and in
// WebAssembly) indexes rows in hash maps; hash order never reaches disk or output (inv#2).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"

namespace tally::store {

// < 0, 0 or > 0 as a sorts before, with or after b.
int compare_keys(ByteView a, ByteView b);

// The 64-bit key hash, on every platform (size_t is 32 bits in WebAssembly).
std::uint64_t hash_key(ByteView key);

// Transparent: a map keyed by Bytes is probed with a ByteView, without a copy.
struct BytesHash {
  using is_transparent = void;
  std::size_t operator()(ByteView key) const noexcept;
};
struct BytesEqual {
  using is_transparent = void;
  bool operator()(ByteView a, ByteView b) const noexcept { return a == b; }
};

}  // namespace tally::store
