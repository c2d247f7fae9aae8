// KeyStore: attribute reads and writes by canonical key, over the cache (docs/design.md §2, §3).
//
// Computes id and tag from the canonical key, checks the tag of whatever the cache holds
// (a different tag is kCollisionDetected, a hard error), and writes every change three
// ways in one batch: the cache in memory, its mirror row, and the attribute row of the
// store's attribute zone. Reads come from the cache only (inv#3): a key the cache does not
// hold is kNotFound here; admission is what guarantees the cache holds what apply reads.
#pragma once

#include "core/cache/cache.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::cache {

enum class DeleteMode {
  kLazyGen0,           // the fix: Cache::del
  kPreFixForTeaching,  // the bug, for scenario 1 and the simulator only
};

class KeyStore {
 public:
  explicit KeyStore(Cache& cache, DeleteMode delete_mode = DeleteMode::kLazyGen0)
      : cache_(&cache), delete_mode_(delete_mode) {}

  // The live value; kNotFound when absent or tombstoned; kCollisionDetected on a tag clash.
  Result<Bytes> get(const keys::AttributeKey& key) const;
  // The same without a copy: the cached value, or none when absent or tombstoned. The view
  // is valid until the cache next changes.
  Result<std::optional<ByteView>> get_live(const keys::AttributeKey& key) const;

  Status put(const keys::AttributeKey& key, Bytes value, store::Batch& batch);

  // For a caller that holds the key's id already (the FSM's slots), so the id is hashed once
  // per access. REQUIRES: id == keys::attribute_id(key.canonical).
  Result<std::optional<ByteView>> get_live(const keys::AttributeKey& key,
                                           const keys::Id128& id) const;
  // kCollisionDetected when the cache holds key's id under another key's tag; ok otherwise.
  Status check_tag(const keys::AttributeKey& key, const keys::Id128& id) const;
  Status put(const keys::AttributeKey& key, const keys::Id128& id, Bytes value,
             store::Batch& batch);

  // Deletes through Cache::del. kNotFound (nothing written) when not live in the cache.
  Status del(const keys::AttributeKey& key, store::Batch& batch);

  Cache& cache() { return *cache_; }
  const Cache& cache() const { return *cache_; }

 private:
  // The entry the cache holds for key (gen0, else gen1), after the tag check.
  Result<const CacheEntry*> find(const keys::AttributeKey& key, const keys::Id128& id,
                                 keys::Tag tag) const;

  Cache* cache_;
  DeleteMode delete_mode_;
};

}  // namespace tally::cache
