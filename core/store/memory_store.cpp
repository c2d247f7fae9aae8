#include "core/store/memory_store.hpp"

#include <algorithm>
#include <cstring>

#include "core/store/layout.hpp"

namespace tally::store {

namespace {

// Rows freed from retired partitions per write: enough to drain a generation long before the
// next rotation, few enough that no write stalls.
constexpr std::size_t kRetiredRowsPerWrite = 4096;

bool less(ByteView a, ByteView b) {
  return compare_keys(a, b) < 0;
}

bool is_cache_gen_key(ByteView key) {
  return key.size >= 2 && key[0] == kZoneCache && key[1] <= 1;
}

ByteView max_begin(ByteView a, ByteView b) {
  return compare_keys(a, b) >= 0 ? a : b;
}

// The smaller of two ends, where empty means unbounded.
ByteView min_end(ByteView a, ByteView b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return compare_keys(a, b) <= 0 ? a : b;
}

bool range_empty(ByteView begin, ByteView end) {
  return !end.empty() && compare_keys(begin, end) >= 0;
}

const Bytes kGen0Begin{kZoneCache, 0};
const Bytes kGen1Begin{kZoneCache, 1};
const Bytes kGenEnd{kZoneCache, 2};

}  // namespace

// ---- Partition ------------------------------------------------------------------------------

std::size_t MemoryStore::Partition::shard_of(ByteView key) {
  // The top bits, which robin_map's bucket index (the low bits) does not use.
  static_assert(kShards == 64, "shard_of takes the top 6 bits");
  return static_cast<std::size_t>(hash_key(key) >> 58);
}

bool MemoryStore::Partition::empty() const {
  for (const Map& map : shards) {
    if (!map.empty()) return false;
  }
  return order.empty() && added.empty();
}

std::size_t MemoryStore::Partition::size() const {
  std::size_t rows = 0;
  for (const Map& map : shards)
    rows += map.size();
  return rows;
}

const Bytes* MemoryStore::Partition::find(ByteView key) const {
  const Map& rows = map_of(key);
  auto it = rows.find(key);
  return it == rows.end() ? nullptr : &it->second;
}

void MemoryStore::Partition::put(const Bytes& key, const Bytes& value) {
  auto [it, inserted] = map_of(key).try_emplace(key, value);
  if (!inserted) {
    it.value() = value;
    return;
  }
  added.push_back(key);
  dirty = true;
}

void MemoryStore::Partition::put(Bytes&& key, Bytes&& value) {
  Map& rows = map_of(key);
  auto it = rows.find(ByteView(key));
  if (it != rows.end()) {
    it.value() = std::move(value);
    return;
  }
  added.push_back(key);  // the sorted view's own copy
  rows.emplace(std::move(key), std::move(value));
  dirty = true;
}

void MemoryStore::Partition::erase(ByteView key) {
  if (map_of(key).erase(key) > 0) dirty = true;
}

void MemoryStore::Partition::sort() const {
  if (!dirty) return;
  std::sort(added.begin(), added.end(), [](const Bytes& a, const Bytes& b) { return less(a, b); });
  std::vector<Bytes> merged;
  merged.reserve(size());
  auto keep = [&](Bytes& key) {
    if (!merged.empty() && ByteView(merged.back()) == ByteView(key)) return;  // re-added
    if (find(ByteView(key)) == nullptr) return;                               // erased
    merged.push_back(std::move(key));
  };
  auto a = order.begin(), b = added.begin();
  while (a != order.end() || b != added.end()) {
    if (b == added.end() || (a != order.end() && !less(*b, *a))) {
      keep(*a++);
    } else {
      keep(*b++);
    }
  }
  order = std::move(merged);
  added.clear();
  dirty = false;
}

bool MemoryStore::Partition::visit(ByteView from, ByteView to, ScanOrder direction,
                                   const ScanVisitor& visitor) const {
  sort();
  auto by_key = [](const Bytes& key, ByteView bound) { return less(key, bound); };
  auto first = std::lower_bound(order.begin(), order.end(), from, by_key);
  auto last = to.empty() ? order.end() : std::lower_bound(first, order.end(), to, by_key);
  auto value_of = [&](const Bytes& key) -> ByteView { return *find(ByteView(key)); };
  if (direction == ScanOrder::kAscending) {
    for (auto it = first; it != last; ++it) {
      if (!visitor(*it, value_of(*it))) return false;
    }
  } else {
    for (auto it = last; it != first;) {
      --it;
      if (!visitor(*it, value_of(*it))) return false;
    }
  }
  return true;
}

void MemoryStore::Partition::erase_range(ByteView from, ByteView to) {
  sort();
  auto by_key = [](const Bytes& key, ByteView bound) { return less(key, bound); };
  auto first = std::lower_bound(order.begin(), order.end(), from, by_key);
  auto last = to.empty() ? order.end() : std::lower_bound(first, order.end(), to, by_key);
  for (auto it = first; it != last; ++it)
    map_of(ByteView(*it)).erase(ByteView(*it));
  order.erase(first, last);
}

// ---- MemoryStore ----------------------------------------------------------------------------

MemoryStore::Partition& MemoryStore::partition_of(ByteView key) {
  return is_cache_gen_key(key) ? cache_gen_[key[1]] : main_;
}

const MemoryStore::Partition& MemoryStore::partition_of(ByteView key) const {
  return is_cache_gen_key(key) ? cache_gen_[key[1]] : main_;
}

const Bytes* MemoryStore::find(ByteView key) const {
  return partition_of(key).find(key);
}

Result<std::optional<Bytes>> MemoryStore::get(ByteView key) const {
  const Bytes* value = find(key);
  if (value == nullptr) return std::optional<Bytes>();
  return std::optional<Bytes>(*value);
}

Status MemoryStore::scan(ByteView begin, ByteView end, ScanOrder order,
                         const ScanVisitor& visit) const {
  // Four segments in key order: main_ below the cache generations, gen byte 0, gen byte 1,
  // main_ above them.
  struct Segment {
    const Partition* partition;
    ByteView begin;
    ByteView end;  // empty: unbounded
  };
  const Segment segments[4] = {{&main_, ByteView(), kGen0Begin},
                               {&cache_gen_[0], kGen0Begin, kGen1Begin},
                               {&cache_gen_[1], kGen1Begin, kGenEnd},
                               {&main_, kGenEnd, ByteView()}};
  for (int i = 0; i < 4; ++i) {
    const Segment& segment = segments[order == ScanOrder::kAscending ? i : 3 - i];
    ByteView from = max_begin(begin, segment.begin);
    ByteView to = min_end(end, segment.end);
    if (range_empty(from, to)) continue;
    if (!segment.partition->visit(from, to, order, visit)) break;
  }
  return ok_status();
}

void MemoryStore::erase_range(const Bytes& begin, const Bytes& end) {
  for (std::uint8_t gen_byte : {std::uint8_t{0}, std::uint8_t{1}}) {
    const Bytes& first = gen_byte == 0 ? kGen0Begin : kGen1Begin;
    const Bytes& last = gen_byte == 0 ? kGen1Begin : kGenEnd;
    ByteView from = max_begin(begin, first);
    ByteView to = min_end(end, last);
    if (range_empty(from, to)) continue;
    Partition& partition = cache_gen_[gen_byte];
    if (compare_keys(from, first) == 0 && compare_keys(to, last) == 0) {
      // A whole generation byte: retire it in O(1) (rotation without a stall).
      if (!partition.empty()) {
        auto retired = std::make_unique<Retired>();
        retired->partition = std::move(partition);
        retired->cursor = retired->partition.shards[0].begin();
        retired_.push_back(std::move(retired));
      }
      partition = Partition();
      continue;
    }
    partition.erase_range(from, to);
  }
  ByteView below_end = min_end(end, kGen0Begin);
  if (!range_empty(begin, below_end)) main_.erase_range(begin, below_end);
  ByteView above_begin = max_begin(begin, kGenEnd);
  if (!range_empty(above_begin, end)) main_.erase_range(above_begin, end);
}

void MemoryStore::sweep_retired() {
  std::size_t budget = kRetiredRowsPerWrite;
  while (budget > 0 && !retired_.empty()) {
    Retired& retired = *retired_.back();
    Partition& partition = retired.partition;
    for (; budget > 0 && !partition.order.empty(); --budget)
      partition.order.pop_back();
    for (; budget > 0 && !partition.added.empty(); --budget)
      partition.added.pop_back();
    while (budget > 0 && retired.shard < kShards) {
      Map& rows = partition.shards[retired.shard];
      for (; budget > 0 && retired.cursor != rows.end(); --budget)
        retired.cursor = rows.erase(retired.cursor);
      if (retired.cursor != rows.end()) break;
      Map().swap(rows);  // its bucket array too
      if (++retired.shard < kShards) retired.cursor = partition.shards[retired.shard].begin();
    }
    if (budget == 0) break;
    retired_.pop_back();  // empty: only its bucket array is left to free
  }
}

Status MemoryStore::write(const Batch& batch) {
  if (failing_writes_ > 0) {
    --failing_writes_;
    return make_error(Code::kStorage, "injected write failure: batch of " +
                                          std::to_string(batch.size()) + " ops lost");
  }
  sweep_retired();
  for (const BatchOp& op : batch.ops()) {
    switch (op.type) {
      case BatchOp::Type::kPut: partition_of(op.key).put(op.key, op.value); break;
      case BatchOp::Type::kDelete: partition_of(op.key).erase(op.key); break;
      case BatchOp::Type::kDeleteRange: erase_range(op.key, op.value); break;
    }
  }
  return ok_status();
}

Status MemoryStore::absorb(Batch& batch) {
  if (failing_writes_ > 0) return write(batch);  // the injected failure, batch untouched
  sweep_retired();
  for (BatchOp& op : batch.ops_to_absorb()) {
    switch (op.type) {
      case BatchOp::Type::kPut:
        partition_of(op.key).put(std::move(op.key), std::move(op.value));
        break;
      case BatchOp::Type::kDelete: partition_of(op.key).erase(op.key); break;
      case BatchOp::Type::kDeleteRange: erase_range(op.key, op.value); break;
    }
  }
  return ok_status();
}

MemoryStore::Rows MemoryStore::rows() const {
  Rows all;
  for (const Partition* partition : {&main_, &cache_gen_[0], &cache_gen_[1]}) {
    partition->sort();
    for (const Bytes& key : partition->order)
      all.emplace_hint(all.end(), key, *partition->find(ByteView(key)));
  }
  return all;
}

void MemoryStore::set_rows(const Rows& rows) {
  main_ = Partition();
  cache_gen_[0] = Partition();
  cache_gen_[1] = Partition();
  for (Map& shard : main_.shards)  // room to grow before the first rehash
    shard.reserve(2 * rows.size() / kShards);
  for (const auto& [key, value] : rows) {
    Partition& partition = partition_of(key);
    partition.map_of(key).emplace(key, value);
    partition.order.push_back(key);  // already in key order
  }
}

}  // namespace tally::store
