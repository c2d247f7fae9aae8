// MemoryStore: the in-memory ordered store, for tests, the simulator and WebAssembly.
//
// Rows live in hash maps (tsl::robin_map), so get(), overwrites and inserts cost O(1) instead
// of a walk of memcmp's down a tree of a million rows. Each range's rows are split
// over kShards maps by hash, so a growing map rehashes 1/kShards of the rows at a time: no
// write stalls for a rehash of the whole store. Key order, which scans need
// (the order SQLite keeps: memcmp, shorter first), is kept lazily: a sorted key vector plus
// the keys added since; a scan merges them first, in O(rows + added·log added). Only scans
// walk rows, always through the sorted keys: hash order never reaches a caller (inv#2).
//
// The two cache generation bytes ([0x02][0x00], [0x02][0x01], docs/design.md §3) have a partition
// each: a range delete of exactly one of them (a rotation) retires it in O(1), and later
// writes free it a bounded number of rows at a time, so no write pays for a whole generation.
//
// Batches apply all-or-nothing. The whole content can be copied out and compared, which is
// how tests check that two stores hold identical bytes, and copied in, which is how the
// simulator installs a snapshot. Fault injection (docs/style.md, after SQLite's test_vfs):
// fail_next_writes(n) makes the next n batches fail with kStorage and change nothing, as a
// crash before the commit would. Not thread-safe (scans reorder lazily, even on a const
// store).
#pragma once

#include <tsl/robin_map.h>

#include <array>
#include <map>
#include <memory>
#include <vector>

#include "core/store/byte_keys.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::store {

class MemoryStore final : public KeyValueStore {
 public:
  using Rows = std::map<Bytes, Bytes>;

  Result<std::optional<Bytes>> get(ByteView key) const override;
  Status scan(ByteView begin, ByteView end, ScanOrder order,
              const ScanVisitor& visit) const override;
  Status write(const Batch& batch) override;
  Status absorb(Batch& batch) override;

  // Every row, in key order (a copy).
  Rows rows() const;
  void set_rows(const Rows& rows);
  // The row at key, if any, without a copy; valid until the next write.
  const Bytes* find(ByteView key) const;
  void fail_next_writes(std::size_t count) { failing_writes_ = count; }

 private:
  // Hashes are stored: a rehash or a probe compares them before any key bytes.
  using Map = tsl::robin_map<Bytes, Bytes, BytesHash, BytesEqual,
                             std::allocator<std::pair<Bytes, Bytes>>, true>;

  static constexpr std::size_t kShards = 64;

  // Rows of one key range, with their lazily sorted keys.
  struct Partition {
    std::array<Map, kShards> shards;   // a key's shard: the top bits of its hash
    mutable std::vector<Bytes> order;  // sorted; may still hold keys erased since
    mutable std::vector<Bytes> added;  // keys inserted since order was last merged
    mutable bool dirty = false;        // added or erased since the last merge

    static std::size_t shard_of(ByteView key);
    Map& map_of(ByteView key) { return shards[shard_of(key)]; }
    const Map& map_of(ByteView key) const { return shards[shard_of(key)]; }
    bool empty() const;
    std::size_t size() const;
    const Bytes* find(ByteView key) const;
    void put(const Bytes& key, const Bytes& value);
    void put(Bytes&& key, Bytes&& value);
    void erase(ByteView key);
    void erase_range(ByteView from, ByteView to);  // to empty: unbounded
    void sort() const;                             // merges added into order, drops erased
    // Visits rows with from <= key < to in order; false when the visitor stopped.
    bool visit(ByteView from, ByteView to, ScanOrder direction, const ScanVisitor& visit) const;
  };

  // A partition dropped whole, freed a bounded number of rows per write.
  struct Retired {
    Partition partition;
    std::size_t shard = 0;  // the shard being freed, and where in it
    Map::iterator cursor;
  };

  Partition& partition_of(ByteView key);
  const Partition& partition_of(ByteView key) const;
  void erase_range(const Bytes& begin, const Bytes& end);
  void sweep_retired();

  Partition main_;          // every row outside the two cache generation bytes
  Partition cache_gen_[2];  // rows [0x02][gen byte]...
  std::vector<std::unique_ptr<Retired>> retired_;  // stable addresses: cursors stay valid
  std::size_t failing_writes_ = 0;
};

}  // namespace tally::store
