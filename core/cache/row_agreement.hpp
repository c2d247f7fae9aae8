// Does the cache stand for the store's attribute rows? (DESIGN.md §3, §7)
//
// Parity (inv#1) only proves that memory equals the mirror: a damaged mirror row restores into
// a damaged cache that still has parity, and the next apply spends from it. So every visible
// cache entry (gen0's, else gen1's: a shadowed gen1 entry is never read) is compared with the
// attribute row of the key it caches: a live entry must equal the row byte for byte, a
// tombstone means there is no row. The row an entry stands for is the one whose canonical key
// hashes to the entry's id and tag; a row of another tag is another key (a 128-bit id
// collision), not this entry's.
//
// Cost: the cache is keyed by hashes of canonical keys, which cannot be turned back into row
// keys, so the rows are found by one ordered scan of the attribute and idempotency zones
// (kinds the cache holds nothing of are skipped): one id hash and one or two table probes per
// row, a tag hash and a comparison per row the cache holds; nothing is copied unless it
// disagrees. Linear in the store's attribute rows, sequential on disk.
//
// Used by StateMachine::open (a store whose cache disagrees is refused before the node serves
// or votes) and by the checker (each disagreement becomes a typed mismatch).
#pragma once

#include <functional>
#include <optional>

#include "core/cache/cache.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::cache {

struct RowDisagreement {
  keys::AttributeKind kind;
  keys::Id128 id;
  bool in_gen0 = true;             // the visible entry is gen0's (else gen1's)
  CacheEntry entry;                // the visible entry
  std::optional<Bytes> row_key;    // the entry's attribute row, if the store has one
  std::optional<Bytes> row_value;  // its value
};

// Calls visit for each disagreement (in no particular order) until visit returns false.
// Errors only when the store cannot be read.
Status find_row_disagreements(const Cache& cache, const store::KeyValueStore& store,
                              const std::function<bool(const RowDisagreement&)>& visit);

}  // namespace tally::cache
