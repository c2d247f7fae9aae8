// One cached attribute: its tag, its encoded value, and whether it is a tombstone.
#pragma once

#include "core/bytes.hpp"
#include "core/cache/compact_value.hpp"
#include "core/keys/key_hash.hpp"

namespace tally::cache {

struct CacheEntry {
  keys::Tag tag = 0;
  CompactValue value;    // empty for a tombstone; may also be empty for a live value
  bool deleted = false;  // a tombstone: the key is known absent (the flag, not emptiness)

  friend bool operator==(const CacheEntry&, const CacheEntry&) = default;
};

inline CacheEntry live_entry(keys::Tag tag, ByteView value) {
  return {tag, CompactValue(value), false};
}
inline CacheEntry tombstone_entry(keys::Tag tag) {
  return {tag, {}, true};
}

}  // namespace tally::cache
