#include "core/cache/generation_map.hpp"

#include <utility>

namespace tally::cache {

namespace {

GenerationMap::Table new_table() {
  GenerationMap::Table table;
  // Robin hood probing keeps lookups short even this full; the default 0.5 would spend up to
  // four times the entries' size on empty buckets (memory per cached key).
  table.max_load_factor(0.9f);
  return table;
}

std::vector<GenerationMap::Table> new_shards() {
  std::vector<GenerationMap::Table> shards;
  shards.reserve(GenerationMap::kShards);
  for (std::size_t i = 0; i < GenerationMap::kShards; ++i)
    shards.push_back(new_table());
  return shards;
}

}  // namespace

GenerationMap::GenerationMap() : shards_(new_shards()) {}

GenerationMap::GenerationMap(const GenerationMap& other)
    : shards_(other.shards_), size_(other.size_) {}

GenerationMap::GenerationMap(GenerationMap&& other) noexcept
    : shards_(std::exchange(other.shards_, new_shards())), size_(std::exchange(other.size_, 0)) {
  other.cursor_shard_ = 0;
  other.cursor_started_ = false;
}

GenerationMap& GenerationMap::operator=(const GenerationMap& other) {
  if (this != &other) *this = GenerationMap(other);
  return *this;
}

GenerationMap& GenerationMap::operator=(GenerationMap&& other) noexcept {
  if (this == &other) return *this;
  shards_ = std::move(other.shards_);
  size_ = other.size_;
  cursor_shard_ = 0;
  cursor_started_ = false;
  other.size_ = 0;
  other.cursor_shard_ = 0;
  other.cursor_started_ = false;
  other.shards_ = new_shards();
  return *this;
}

const CacheEntry* GenerationMap::find(const keys::Id128& id) const {
  const Table& table = shards_[shard_of(id)];
  auto it = table.find(id);
  return it == table.end() ? nullptr : &it->second;
}

CacheEntry* GenerationMap::find(const keys::Id128& id) {
  Table& table = shards_[shard_of(id)];
  auto it = table.find(id);
  return it == table.end() ? nullptr : &it.value();
}

std::size_t GenerationMap::release(std::size_t budget) {
  while (cursor_shard_ < kShards) {
    Table& table = shards_[cursor_shard_];
    if (!cursor_started_) {
      cursor_ = table.begin();
      cursor_started_ = true;
    }
    for (; budget > 0 && cursor_ != table.end(); --budget, ++cursor_) {
      cursor_.value().value = CompactValue();
    }
    if (cursor_ != table.end()) return 0;
    size_ -= table.size();
    Table().swap(table);  // its bucket array too
    ++cursor_shard_;
    cursor_started_ = false;
  }
  return budget;
}

}  // namespace tally::cache
