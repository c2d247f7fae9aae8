// GenerationMap: one cache generation of one attribute kind, id -> entry (docs/design.md §3).
//
// Open addressing (tsl::robin_map) keyed by the 128-bit id, which is already a hash, split
// over kShards tables by the id's top bits. A table that grows rehashes only its own
// 1/kShards of the entries, so no apply takes time proportional to the size of a
// generation.
//
// Iteration walks shard by shard in table order, which is neither id order nor stable
// across copies: inv#2 forbids it from reaching disk, hashes, traces or parity output, so
// whatever walks a generation for output sorts first.
#pragma once

#include <tsl/robin_map.h>

#include <cstddef>
#include <iterator>
#include <vector>

#include "core/cache/cache_entry.hpp"
#include "core/keys/key_hash.hpp"

namespace tally::cache {

// Ids are XXH3-128 digests: their low word is already uniformly distributed.
struct IdHash {
  std::size_t operator()(const keys::Id128& id) const noexcept {
    return static_cast<std::size_t>(id.low);
  }
};

class GenerationMap {
 public:
  using Table = tsl::robin_map<keys::Id128, CacheEntry, IdHash>;
  static constexpr std::size_t kShards = 64;

  GenerationMap();

  const CacheEntry* find(const keys::Id128& id) const;
  CacheEntry* find(const keys::Id128& id);
  void insert_or_assign(const keys::Id128& id, CacheEntry entry) {
    if (shards_[shard_of(id)].insert_or_assign(id, std::move(entry)).second) ++size_;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // For a retired generation, which nothing reads: frees the values of up to budget
  // entries, shard by shard, and each shard's table once walked (size() drops by its
  // entries then). Returns what is left of budget; released() once every shard is freed.
  std::size_t release(std::size_t budget);
  bool released() const { return size_ == 0; }

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Table::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    const_iterator() = default;
    reference operator*() const { return *it_; }
    pointer operator->() const { return &*it_; }
    const_iterator& operator++() {
      ++it_;
      skip_empty();
      return *this;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.shard_ == b.shard_ && (a.shard_ == kShards || a.it_ == b.it_);
    }

   private:
    friend class GenerationMap;
    const_iterator(const GenerationMap* map, std::size_t shard) : map_(map), shard_(shard) {
      if (shard_ < kShards) it_ = map_->shards_[shard_].begin();
      skip_empty();
    }
    void skip_empty() {
      while (shard_ < kShards && it_ == map_->shards_[shard_].end()) {
        if (++shard_ < kShards) it_ = map_->shards_[shard_].begin();
      }
    }
    const GenerationMap* map_ = nullptr;
    std::size_t shard_ = kShards;
    Table::const_iterator it_;
  };

  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, kShards); }

  // Copies and moves restart a release on their own tables (entries already freed are
  // walked again: they cost budget, not correctness). A moved-from map is empty.
  GenerationMap(const GenerationMap& other);
  GenerationMap(GenerationMap&& other) noexcept;
  GenerationMap& operator=(const GenerationMap& other);
  GenerationMap& operator=(GenerationMap&& other) noexcept;

 private:
  // The top bits: robin_map's bucket index uses the low ones.
  static std::size_t shard_of(const keys::Id128& id) {
    static_assert(kShards == 64, "shard_of takes the top 6 bits");
    return static_cast<std::size_t>(id.high >> 58);
  }

  // On the heap: kShards tables inline would make each map 5 KB and a Cache 160 KB, too big
  // for the stack frames that build one (a thread's stack, a WebAssembly stack).
  std::vector<Table> shards_;  // always kShards tables
  std::size_t size_ = 0;
  // release()'s place: the shard being freed and, once started, the next entry in it.
  std::size_t cursor_shard_ = 0;
  bool cursor_started_ = false;
  Table::iterator cursor_;
};

}  // namespace tally::cache
