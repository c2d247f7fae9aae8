// AttributeCache: the two generations of one attribute kind, in memory only (DESIGN.md §3).
//
// gen0 is the current generation, gen1 the previous one. This class knows nothing of the
// disk: Cache (cache.hpp) pairs each mutation with its mirror row. Maps are ordered so that
// every walk over them (parity, snapshots, traces) is deterministic (inv#2).
#pragma once

#include <map>

#include "core/cache/cache_entry.hpp"
#include "core/keys/key_hash.hpp"

namespace tally::cache {

enum class DelOutcome {
  kTombstonedGen0,      // gen0 held the key live: tombstoned in place, same tag
  kFabricatedFromGen1,  // only gen1 held it live: a new gen0 tombstone borrows gen1's tag
  kNotFound,            // neither generation holds it live: nothing written
};

class AttributeCache {
 public:
  using Generation = std::map<keys::Id128, CacheEntry>;

  // gen0, else gen1; may be a tombstone; null when neither holds the id. Never promotes.
  const CacheEntry* get(const keys::Id128& id) const;
  const CacheEntry* find_gen0(const keys::Id128& id) const;
  const CacheEntry* find_gen1(const keys::Id128& id) const;

  // Writes gen0.
  void put(const keys::Id128& id, CacheEntry entry) { gen0_[id] = std::move(entry); }
  void put_gen1(const keys::Id128& id, CacheEntry entry) { gen1_[id] = std::move(entry); }

  // The lazy gen0 tombstone (the fix of formancehq/ledger#1455). Gen1 is never touched:
  // a live gen1 row stays, shadowed by the gen0 tombstone, until the next rotation drops it.
  DelOutcome del(const keys::Id128& id);

  void rotate();  // gen1 <- gen0, gen0 <- empty
  void clear();   // both generations empty

  const Generation& gen0() const { return gen0_; }
  const Generation& gen1() const { return gen1_; }

 private:
  Generation gen0_;
  Generation gen1_;
};

}  // namespace tally::cache
