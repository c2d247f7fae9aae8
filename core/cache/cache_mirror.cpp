#include "core/cache/cache_mirror.hpp"

#include <string>

#include "core/store/layout.hpp"

namespace tally::cache {

Bytes cache_row_key(std::uint8_t gen_byte, keys::AttributeKind kind, const keys::Id128& id) {
  TALLY_INVARIANT(gen_byte <= 1, "a cache row's gen byte is 0 or 1");
  Bytes key;
  key.reserve(kCacheRowKeyBytes);
  key.push_back(store::kZoneCache);
  key.push_back(gen_byte);
  key.push_back(keys::kind_byte(kind));
  auto id_bytes = id.to_bytes();
  key.insert(key.end(), id_bytes.begin(), id_bytes.end());
  return key;
}

Bytes cache_row_value(const CacheEntry& entry) {
  TALLY_INVARIANT(!entry.deleted || entry.value.empty(), "a tombstone carries no value");
  Bytes value;
  value.reserve(kCacheRowHeaderBytes + entry.value.size());
  put_u64_le(value, entry.tag);
  value.push_back(entry.deleted ? kFlagTombstone : kFlagLive);
  append(value, entry.value);
  return value;
}

Bytes gen_range_begin(std::uint8_t gen_byte) {
  return Bytes{store::kZoneCache, gen_byte};
}

Bytes gen_range_end(std::uint8_t gen_byte) {
  return Bytes{store::kZoneCache, static_cast<std::uint8_t>(gen_byte + 1)};
}

Bytes cache_meta_key() {
  return Bytes{store::kZoneCache, kMetaGenByte};
}

Bytes encode_cache_meta(const CacheMeta& meta) {
  Bytes value;
  value.reserve(kCacheMetaBytes);
  value.push_back(kCacheMetaFormat);
  put_u64_le(value, meta.generation);
  put_u64_le(value, meta.epoch);
  put_u64_le(value, meta.threshold);
  return value;
}

Result<CacheMeta> decode_cache_meta(ByteView value) {
  if (value.size != kCacheMetaBytes) {
    return make_error(Code::kCorrupt, "cache meta row is " + std::to_string(value.size) +
                                          " bytes, expected " + std::to_string(kCacheMetaBytes));
  }
  if (value[0] != kCacheMetaFormat) {
    return make_error(Code::kCorrupt,
                      "cache meta row has unknown format " + std::to_string(value[0]));
  }
  CacheMeta meta{get_u64_le(value.data + 1), get_u64_le(value.data + 9),
                 get_u64_le(value.data + 17)};
  if (meta.threshold == 0) return make_error(Code::kCorrupt, "cache meta row has threshold 0");
  return meta;
}

Result<CacheRow> decode_cache_row(ByteView key, ByteView value) {
  std::string where = "cache row " + to_hex(key);
  if (key.size != kCacheRowKeyBytes) {
    return make_error(Code::kCorrupt, where + ": key is " + std::to_string(key.size) +
                                          " bytes, expected " + std::to_string(kCacheRowKeyBytes));
  }
  TALLY_INVARIANT(key[0] == store::kZoneCache, "decode_cache_row on a key outside the cache zone");
  if (key[1] > 1) {
    return make_error(Code::kCorrupt, where + ": unknown gen byte " + std::to_string(key[1]));
  }
  auto kind = keys::kind_from_byte(key[2]);
  if (!kind) {
    return make_error(Code::kCorrupt, where + ": unknown kind " + std::to_string(key[2]));
  }
  if (value.size < kCacheRowHeaderBytes) {
    return make_error(Code::kCorrupt, where + ": value is " + std::to_string(value.size) +
                                          " bytes, shorter than the 9-byte header");
  }
  std::uint8_t flag = value[8];
  if (flag != kFlagLive && flag != kFlagTombstone) {
    return make_error(Code::kCorrupt, where + ": unknown flag " + std::to_string(flag));
  }
  if (flag == kFlagTombstone && value.size != kCacheRowHeaderBytes) {
    return make_error(Code::kCorrupt, where + ": tombstone with " +
                                          std::to_string(value.size - kCacheRowHeaderBytes) +
                                          " trailing bytes");
  }
  CacheRow row{key[1], *kind, keys::Id128::from_bytes(key.sub(3, keys::kIdBytes)), {}};
  row.entry.tag = get_u64_le(value.data);
  row.entry.deleted = flag == kFlagTombstone;
  row.entry.value =
      CompactValue(value.sub(kCacheRowHeaderBytes, value.size - kCacheRowHeaderBytes));
  return row;
}

}  // namespace tally::cache
