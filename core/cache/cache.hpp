// Cache: every attribute kind's two generations, the generation counter, the rotation
// threshold and the epoch, with every mutation paired with its disk mirror rows
// (docs/design.md §3, inv#1).
//
// Each mutating method takes the Batch of the log entry being applied and appends the
// mirror rows of exactly the change it made to memory, so memory and disk move together:
// after the batch commits, memory equals the mirror byte for byte (check with
// check_parity). Not thread-safe; owned by the FSM.
#pragma once

#include <array>
#include <optional>

#include "core/cache/attribute_cache.hpp"
#include "core/cache/cache_mirror.hpp"
#include "core/cache/generation.hpp"
#include "core/keys/attribute_kind.hpp"
#include "core/result.hpp"
#include "core/store/batch.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::cache {

// Admission's classification of one attribute (docs/design.md §4).
enum class CacheVerdict { kHit, kMiss, kUnreachable };

std::string_view verdict_name(CacheVerdict verdict);

// What bringing the cache to an index did.
enum class AdvanceKind { kNone, kRotated, kDroppedBoth };

struct AdvanceOutcome {
  AdvanceKind kind = AdvanceKind::kNone;
  std::uint64_t from_generation = 0;
  std::uint64_t to_generation = 0;
};

class Cache {
 public:
  // A cache for a new store: generation 0, epoch 0. Writes the meta row.
  static Cache create(std::uint64_t threshold, store::Batch& mirror);

  // Rebuilds both generations from the mirror rows of a store. Fails closed (kCorrupt,
  // naming the row) on any malformed row and on a missing meta row: the generation is never
  // guessed. Whether the meta row agrees with the FSM state is the state machine's check.
  static Result<Cache> restore(const store::KeyValueStore& store);

  std::uint64_t generation() const { return meta_.generation; }
  std::uint64_t epoch() const { return meta_.epoch; }
  std::uint64_t threshold() const { return meta_.threshold; }
  const CacheMeta& meta() const { return meta_; }

  // Base index of gen0 (generation * K) and of gen1 (none at generation 0).
  std::uint64_t gen0_base_index() const;
  std::optional<std::uint64_t> gen1_base_index() const;

  const AttributeCache& kind(keys::AttributeKind kind) const {
    return kinds_[keys::kind_index(kind)];
  }

  // gen0, else gen1; may be a tombstone; null when absent. Never promotes.
  const CacheEntry* get(keys::AttributeKind kind, const keys::Id128& id) const;

  // Writes a live entry to gen0 and its mirror row. REQUIRES: the caller checked the tag.
  void put(keys::AttributeKind kind, const keys::Id128& id, keys::Tag tag, Bytes value,
           store::Batch& mirror);
  // put, returning the previous live value (gen0, else gen1), if any.
  std::optional<Bytes> get_and_put(keys::AttributeKind kind, const keys::Id128& id, keys::Tag tag,
                                   Bytes value, store::Batch& mirror);

  // The lazy gen0 tombstone; on disk one tombstone row at the gen0 byte only. kNotFound
  // writes nothing.
  DelOutcome del(keys::AttributeKind kind, const keys::Id128& id, store::Batch& mirror);

  // The delete of release/v3.0 before formancehq/ledger#1455, kept to teach and to prove
  // the fix: memory gets a gen0 tombstone, disk a tombstone at BOTH gen bytes, which breaks
  // parity while gen1 is live. Only tests and the simulator (core/sim) may call it; CI
  // greps that no other code does. Returns false (nothing written) when absent.
  bool del_pre_fix_for_teaching(keys::AttributeKind kind, const keys::Id128& id,
                                store::Batch& mirror);

  // Mirror preload of one seed (docs/design.md §3). check_preload: kCollisionDetected when either
  // generation holds the id under another tag. preload: skips a key either generation holds
  // as a tombstone (no resurrection); else put-if-absent into gen1, then put-if-absent
  // gen1's value into gen0. Returns whether anything was written.
  Status check_preload(keys::AttributeKind kind, const keys::Id128& id, keys::Tag tag) const;
  bool preload(keys::AttributeKind kind, const keys::Id128& id, keys::Tag tag, const Bytes& value,
               store::Batch& mirror);

  // CheckCache (docs/design.md §4): d = Gen(at) - generation, computed without unsigned
  // underflow. d < 0: Miss; d = 0: Hit if either generation holds the key (live or
  // tombstone); d = 1: Hit only if gen0 holds it; d >= 2: Unreachable.
  CacheVerdict check(std::uint64_t at, keys::AttributeKind kind, const keys::Id128& id) const;

  // Brings the cache to Gen(index): one generation ahead rotates once; two or more drop
  // both generations, in memory and on disk, exactly as that many rotations would.
  // REQUIRES: Gen(index) >= generation() (the applied index never goes back).
  AdvanceOutcome advance_to(std::uint64_t index, store::Batch& mirror);

  // A threshold change: clears both generations, bumps the epoch and realigns the generation
  // to Gen(applied_index) under the new threshold, in one step. REQUIRES: new_threshold >= 1.
  void reset(std::uint64_t new_threshold, std::uint64_t applied_index, store::Batch& mirror);

  // Entry counts, for /_info and traces.
  std::size_t gen0_size() const;
  std::size_t gen1_size() const;

 private:
  Cache() = default;
  AttributeCache& mutable_kind(keys::AttributeKind kind) { return kinds_[keys::kind_index(kind)]; }
  void write_row(store::Batch& mirror, std::uint8_t gen_byte, keys::AttributeKind kind,
                 const keys::Id128& id, const CacheEntry& entry) const;
  void write_meta(store::Batch& mirror);
  // Retired generations (memory only) are freed a bounded number of entries per advance_to.
  void sweep_retired();
  void plan_sweep();  // after a rotation or clear: how many entries each advance_to frees

  static constexpr std::size_t kSweepPerAdvanceMin = 256;

  std::array<AttributeCache, keys::kAllKinds.size()> kinds_;
  CacheMeta meta_;
  std::size_t sweep_quota_ = kSweepPerAdvanceMin;
};

}  // namespace tally::cache
