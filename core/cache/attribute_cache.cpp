#include "core/cache/attribute_cache.hpp"

namespace tally::cache {

const CacheEntry* AttributeCache::find_gen0(const keys::Id128& id) const {
  auto it = gen0_.find(id);
  return it == gen0_.end() ? nullptr : &it->second;
}

const CacheEntry* AttributeCache::find_gen1(const keys::Id128& id) const {
  auto it = gen1_.find(id);
  return it == gen1_.end() ? nullptr : &it->second;
}

const CacheEntry* AttributeCache::get(const keys::Id128& id) const {
  const CacheEntry* entry = find_gen0(id);
  return entry != nullptr ? entry : find_gen1(id);
}

DelOutcome AttributeCache::del(const keys::Id128& id) {
  auto in_gen0 = gen0_.find(id);
  if (in_gen0 != gen0_.end()) {
    if (in_gen0->second.deleted) return DelOutcome::kNotFound;
    in_gen0->second = tombstone_entry(in_gen0->second.tag);
    return DelOutcome::kTombstonedGen0;
  }
  const CacheEntry* in_gen1 = find_gen1(id);
  if (in_gen1 == nullptr || in_gen1->deleted) return DelOutcome::kNotFound;
  gen0_.emplace(id, tombstone_entry(in_gen1->tag));
  return DelOutcome::kFabricatedFromGen1;
}

void AttributeCache::rotate() {
  gen1_ = std::move(gen0_);
  gen0_.clear();
}

void AttributeCache::clear() {
  gen0_.clear();
  gen1_.clear();
}

}  // namespace tally::cache
