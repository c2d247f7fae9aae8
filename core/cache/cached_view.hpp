// CachedView: point reads of attribute and idempotency rows answered from the cache when it
// holds the key, else from the store beneath; everything else (other zones, scans) is the
// store's.
//
// Why it is exact: every visible cache entry equals its attribute row, and a tombstone means
// the row is absent (DESIGN.md §3, §7: the checker proves it). So at any instant when the cache
// and the store beneath stand at the same applied index (the state machine's read view, on
// the thread that applies), a read through this view returns the bytes the store would. A
// cache entry whose tag is not the row's (an id shared by two canonical keys) is not the row:
// the read goes to the store.
//
// What it is for: reads off the apply path (the API, admission's seeds) without a store read
// per hot row. Not for the checker or parity, which compare the cache with the store. Read-
// only (write is a bug); not thread-safe; borrows both for its lifetime.
#pragma once

#include "core/cache/cache.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::cache {

class CachedView final : public store::KeyValueStore {
 public:
  CachedView(const Cache& cache, const store::KeyValueStore& store)
      : cache_(&cache), store_(&store) {}

  Result<std::optional<Bytes>> get(ByteView key) const override;
  Status scan(ByteView begin, ByteView end, store::ScanOrder order,
              const store::ScanVisitor& visit) const override {
    return store_->scan(begin, end, order, visit);
  }
  Status write(const store::Batch& batch) override;

 private:
  const Cache* cache_;
  const store::KeyValueStore* store_;
};

}  // namespace tally::cache
