#include "core/plan/state_lookup.hpp"

#include "core/store/layout.hpp"

namespace tally::plan {

Result<std::optional<Bytes>> StateLookup::raw(const keys::AttributeKey& key) const {
  using Found = std::optional<Bytes>;
  const cache::CacheEntry* cached = cache_->get(key.kind, keys::attribute_id(key.canonical));
  if (cached != nullptr) {
    if (cached->tag != keys::attribute_tag(key.canonical)) {
      return make_error(Code::kCollisionDetected,
                        std::string(keys::kind_name(key.kind)) + " id collides in the cache");
    }
    if (cached->deleted) return Found();
    return Found(cached->value.to_bytes());
  }
  return store_->get(store::attribute_row_key(key));
}

}  // namespace tally::plan
