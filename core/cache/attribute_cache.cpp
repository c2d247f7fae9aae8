#include "core/cache/attribute_cache.hpp"

namespace tally::cache {

const CacheEntry* AttributeCache::get(const keys::Id128& id) const {
  const CacheEntry* entry = find_gen0(id);
  return entry != nullptr ? entry : find_gen1(id);
}

DelOutcome AttributeCache::del(const keys::Id128& id) {
  if (CacheEntry* in_gen0 = gen0_.find(id)) {
    if (in_gen0->deleted) return DelOutcome::kNotFound;
    *in_gen0 = tombstone_entry(in_gen0->tag);
    return DelOutcome::kTombstonedGen0;
  }
  const CacheEntry* in_gen1 = find_gen1(id);
  if (in_gen1 == nullptr || in_gen1->deleted) return DelOutcome::kNotFound;
  gen0_.insert_or_assign(id, tombstone_entry(in_gen1->tag));
  return DelOutcome::kFabricatedFromGen1;
}

void AttributeCache::retire(Generation&& generation) {
  if (generation.empty()) {
    generation = Generation();
    return;
  }
  if (!retired_next_.empty()) {
    // Sweeps fell behind two retirements: finish the oldest now.
    retired_ = std::move(retired_next_);
  }
  if (retired_.empty()) {
    retired_ = std::move(generation);
  } else {
    retired_next_ = std::move(generation);
  }
}

void AttributeCache::rotate() {
  retire(std::move(gen1_));
  gen1_ = std::move(gen0_);
}

void AttributeCache::clear() {
  retire(std::move(gen0_));
  retire(std::move(gen1_));
}

bool AttributeCache::sweep(std::size_t budget) {
  while (budget > 0 && !retired_.empty()) {
    budget = retired_.release(budget);
    if (!retired_.released()) break;
    retired_ = std::move(retired_next_);
  }
  return retired_.empty();
}

std::size_t AttributeCache::retired_size() const {
  return retired_.size() + retired_next_.size();
}

}  // namespace tally::cache
