// The on-disk mirror of the cache (docs/design.md §3): row formats, encoding and decoding.
//
// Format (doc: core/cache/FORMAT.md):
//   cache row   key   [0x02][gen byte = generation % 2][kind][id 16 bytes BE]   (19 bytes)
//               value [tag 8 bytes LE][flag: 0 live, 1 tombstone][value bytes]
//               A tombstone is exactly the 9-byte header; a live value may be empty.
//   meta row    key   [0x02][0xff]
//               value [format 1][generation u64 LE][epoch u64 LE][threshold u64 LE] (25 bytes)
// Decoding fails closed: any row that does not match exactly is kCorrupt.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "core/cache/cache_entry.hpp"
#include "core/keys/attribute_kind.hpp"
#include "core/keys/key_hash.hpp"
#include "core/result.hpp"

namespace tally::cache {

inline constexpr std::size_t kCacheRowKeyBytes = 3 + keys::kIdBytes;
inline constexpr std::size_t kCacheRowHeaderBytes = 9;
inline constexpr std::uint8_t kFlagLive = 0;
inline constexpr std::uint8_t kFlagTombstone = 1;
inline constexpr std::uint8_t kMetaGenByte = 0xff;
inline constexpr std::uint8_t kCacheMetaFormat = 1;
inline constexpr std::size_t kCacheMetaBytes = 25;

static_assert(kCacheRowKeyBytes == 19);
static_assert(kCacheMetaBytes == 1 + 3 * 8);

inline std::uint8_t gen_byte_of(std::uint64_t generation) {
  return static_cast<std::uint8_t>(generation % 2);
}

Bytes cache_row_key(std::uint8_t gen_byte, keys::AttributeKind kind, const keys::Id128& id);
Bytes cache_row_value(const CacheEntry& entry);

// All rows of one generation byte: [0x02][gen byte] .. [0x02][gen byte + 1].
Bytes gen_range_begin(std::uint8_t gen_byte);
Bytes gen_range_end(std::uint8_t gen_byte);

struct CacheMeta {
  std::uint64_t generation = 0;
  std::uint64_t epoch = 0;
  std::uint64_t threshold = 0;

  friend bool operator==(const CacheMeta&, const CacheMeta&) = default;
};

Bytes cache_meta_key();
Bytes encode_cache_meta(const CacheMeta& meta);
Result<CacheMeta> decode_cache_meta(ByteView value);

struct CacheRow {
  std::uint8_t gen_byte;
  keys::AttributeKind kind;
  keys::Id128 id;
  CacheEntry entry;
};

// REQUIRES: key starts with the cache zone byte and is not the meta key.
Result<CacheRow> decode_cache_row(ByteView key, ByteView value);

}  // namespace tally::cache
