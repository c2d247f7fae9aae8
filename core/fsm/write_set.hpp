// WriteSet: the overlay of one proposal's writes, before they reach the key store.
//
// Orders read through it (their own earlier writes win over the cache) and write into it; a
// business failure discards it whole (bulk atomicity). merge_into applies it in (kind, id)
// order, never hash order, so every node produces the same batch (inv#2).
#pragma once

#include <map>
#include <optional>
#include <utility>

#include "core/cache/key_store.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/keys/key_hash.hpp"

namespace tally::fsm {

using AttributeSlot = std::pair<std::uint8_t, keys::Id128>;  // (kind byte, id)

AttributeSlot slot_of(const keys::AttributeKey& key);

struct PendingWrite {
  keys::AttributeKey key;
  std::optional<Bytes> value;  // none: delete
  bool was_live = false;       // the cache held the key live when the write set first saw it
};

class WriteSet {
 public:
  const PendingWrite* find(const AttributeSlot& slot) const;
  // REQUIRES (both): slot == slot_of(key), which the caller hashed once for the access.
  void put(const AttributeSlot& slot, const keys::AttributeKey& key, Bytes value, bool was_live);
  void del(const AttributeSlot& slot, const keys::AttributeKey& key, bool was_live);
  bool empty() const { return writes_.empty(); }
  std::size_t size() const { return writes_.size(); }

  // Writes every pending change through the key store into batch (cache, mirror, rows).
  // A delete of a key the cache held live must succeed; a delete of a key created and
  // deleted inside this write set is dropped. kCollisionDetected, with nothing written, when
  // a key's id is held by another key; other errors are invariant violations.
  Status merge_into(cache::KeyStore& key_store, store::Batch& batch) const;

 private:
  std::map<AttributeSlot, PendingWrite> writes_;
};

}  // namespace tally::fsm
