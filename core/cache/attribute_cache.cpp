#include "core/cache/attribute_cache.hpp"

namespace tally::cache {

AttributeCache::Generation AttributeCache::new_generation() {
  Generation generation;
  // Robin hood probing keeps lookups short even this full; the default 0.5 would spend up to
  // four times the entries' size on empty buckets (issue #8: memory per cached key).
  generation.max_load_factor(0.9f);
  return generation;
}

AttributeCache::AttributeCache(const AttributeCache& other)
    : gen0_(other.gen0_),
      gen1_(other.gen1_),
      retired_(other.retired_),
      retired_next_(other.retired_next_),
      retired_cursor_(retired_.begin()) {}

AttributeCache::AttributeCache(AttributeCache&& other) noexcept
    : gen0_(std::move(other.gen0_)),
      gen1_(std::move(other.gen1_)),
      retired_(std::move(other.retired_)),
      retired_next_(std::move(other.retired_next_)),
      retired_cursor_(retired_.begin()) {
  other.retired_cursor_ = other.retired_.begin();
}

AttributeCache& AttributeCache::operator=(const AttributeCache& other) {
  if (this != &other) *this = AttributeCache(other);
  return *this;
}

AttributeCache& AttributeCache::operator=(AttributeCache&& other) noexcept {
  gen0_ = std::move(other.gen0_);
  gen1_ = std::move(other.gen1_);
  retired_ = std::move(other.retired_);
  retired_next_ = std::move(other.retired_next_);
  retired_cursor_ = retired_.begin();
  other.retired_cursor_ = other.retired_.begin();
  return *this;
}

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
    in_gen0.value() = tombstone_entry(in_gen0->second.tag);
    return DelOutcome::kTombstonedGen0;
  }
  const CacheEntry* in_gen1 = find_gen1(id);
  if (in_gen1 == nullptr || in_gen1->deleted) return DelOutcome::kNotFound;
  gen0_.emplace(id, tombstone_entry(in_gen1->tag));
  return DelOutcome::kFabricatedFromGen1;
}

void AttributeCache::retire(Generation&& generation) {
  if (generation.empty()) {
    generation = new_generation();
    return;
  }
  if (!retired_next_.empty()) {
    // Sweeps fell behind two retirements: finish the oldest now.
    retired_ = std::move(retired_next_);
    retired_next_ = new_generation();
    retired_cursor_ = retired_.begin();
  }
  if (retired_.empty()) {
    retired_ = std::move(generation);
    retired_cursor_ = retired_.begin();
  } else {
    retired_next_ = std::move(generation);
  }
  generation = new_generation();
}

void AttributeCache::rotate() {
  retire(std::move(gen1_));
  gen1_ = std::move(gen0_);
  gen0_ = new_generation();
}

void AttributeCache::clear() {
  retire(std::move(gen0_));
  retire(std::move(gen1_));
}

bool AttributeCache::sweep(std::size_t budget) {
  while (budget > 0 && !retired_.empty()) {
    // Each entry's value is freed once, walking a cursor; the emptied table itself is
    // released in one go when the cursor reaches its end.
    for (; budget > 0 && retired_cursor_ != retired_.end(); --budget, ++retired_cursor_) {
      retired_cursor_.value().value = CompactValue();
    }
    if (retired_cursor_ != retired_.end()) break;
    retired_ = std::move(retired_next_);
    retired_next_ = new_generation();
    retired_cursor_ = retired_.begin();
  }
  return retired_.empty();
}

std::size_t AttributeCache::retired_size() const {
  return retired_.size() + retired_next_.size();
}

}  // namespace tally::cache
