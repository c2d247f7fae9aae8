// AttributeCache: the two generations of one attribute kind, in memory only (docs/design.md §3).
//
// gen0 is the current generation, gen1 the previous one. This class knows nothing of the
// disk: Cache (cache.hpp) pairs each mutation with its mirror row.
//
// Generations are GenerationMaps (generation_map.hpp): open addressing keyed by the 128-bit
// id, in shards so that no insert rehashes a whole generation. Their iteration order is the
// tables', not the ids': inv#2 forbids it from reaching disk, hashes, traces or parity
// output, so anything that walks a generation for output sorts first (parity.cpp builds an
// ordered map). Lookups copy nothing.
//
// Rotation is O(1): the generation gen1 held is retired, not destroyed, and sweep() frees a
// bounded number of its entries per call (the FSM calls it once per applied index), so no
// single apply pays for a whole generation. A retired generation is invisible to
// every read.
#pragma once

#include "core/cache/cache_entry.hpp"
#include "core/cache/generation_map.hpp"
#include "core/keys/key_hash.hpp"

namespace tally::cache {

enum class DelOutcome {
  kTombstonedGen0,      // gen0 held the key live: tombstoned in place, same tag
  kFabricatedFromGen1,  // only gen1 held it live: a new gen0 tombstone borrows gen1's tag
  kNotFound,            // neither generation holds it live: nothing written
};

class AttributeCache {
 public:
  // inv#2: never iterate a Generation into anything persisted, hashed or printed unsorted.
  using Generation = GenerationMap;

  // gen0, else gen1; may be a tombstone; null when neither holds the id. Never promotes.
  const CacheEntry* get(const keys::Id128& id) const;
  const CacheEntry* find_gen0(const keys::Id128& id) const { return gen0_.find(id); }
  const CacheEntry* find_gen1(const keys::Id128& id) const { return gen1_.find(id); }

  // Writes gen0.
  void put(const keys::Id128& id, CacheEntry entry) {
    gen0_.insert_or_assign(id, std::move(entry));
  }
  void put_gen1(const keys::Id128& id, CacheEntry entry) {
    gen1_.insert_or_assign(id, std::move(entry));
  }

  // The lazy gen0 tombstone (the fix of formancehq/ledger#1455). Gen1 is never touched:
  // a live gen1 row stays, shadowed by the gen0 tombstone, until the next rotation drops it.
  DelOutcome del(const keys::Id128& id);

  void rotate();  // gen1 <- gen0, gen0 <- empty; the old gen1 is retired, swept later
  void clear();   // both generations empty (retired, swept later)

  // Frees up to budget entries of the retired generations; true when none is left. Copies
  // and moves restart a sweep on their own tables (GenerationMap).
  bool sweep(std::size_t budget);
  std::size_t retired_size() const;  // entries retired, in shards not yet freed

  const Generation& gen0() const { return gen0_; }
  const Generation& gen1() const { return gen1_; }

 private:
  void retire(Generation&& generation);

  Generation gen0_;
  Generation gen1_;
  // Generations dropped by rotation or clear, freed a bounded amount per sweep. At most two:
  // a third retirement finishes the oldest at once (only when sweeps fall behind).
  Generation retired_;
  Generation retired_next_;
};

}  // namespace tally::cache
