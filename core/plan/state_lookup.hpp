// What admission reads of the ledger as the leader knows it (docs/design.md §4): an attribute's
// live value from the cache when the cache holds the key (fresher than the store, which may
// lag it), else its row in the store (the state machine's read view). Reads only.
#pragma once

#include <optional>

#include "core/cache/cache.hpp"
#include "core/codec/value_codec.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::plan {

class StateLookup {
 public:
  StateLookup(const cache::Cache& cache, const store::KeyValueStore& store)
      : cache_(&cache), store_(&store) {}

  // The live encoded value; none when absent or deleted. kCollisionDetected on a tag clash.
  Result<std::optional<Bytes>> raw(const keys::AttributeKey& key) const;

  template <class T>
  Result<std::optional<T>> get(const keys::AttributeKey& key) const {
    auto bytes = raw(key);
    if (!bytes.ok()) return std::move(bytes).error();
    if (!*bytes) return std::optional<T>();
    auto value = codec::ValueCodec<T>::decode(**bytes);
    if (!value.ok()) return std::move(value).error();
    return std::optional<T>(std::move(value).value());
  }

 private:
  const cache::Cache* cache_;
  const store::KeyValueStore* store_;
};

}  // namespace tally::plan
