// The ordered key-value interface every Tally store implements (docs/design.md §8).
//
// Keys compare as unsigned bytes, shorter first on a common prefix (memcmp order: the order
// of std::vector<uint8_t> and of SQLite BLOBs). Implementations: MemoryStore (tests, the
// simulator, WebAssembly) and native SqliteStore. Both must produce identical bytes for the
// same batches. Not thread-safe: one owner, one thread.
#pragma once

#include <functional>
#include <optional>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/store/batch.hpp"

namespace tally::store {

enum class ScanOrder { kAscending, kDescending };

// Return false to stop the scan.
using ScanVisitor = std::function<bool(ByteView key, ByteView value)>;

class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;

  // The value at key, or nothing. Errors are infrastructure failures (kStorage).
  virtual Result<std::optional<Bytes>> get(ByteView key) const = 0;

  // Visits every row with begin <= key < end (end empty: no upper bound) in the given order.
  virtual Status scan(ByteView begin, ByteView end, ScanOrder order,
                      const ScanVisitor& visit) const = 0;

  // Applies every op of the batch, in order, atomically: all or nothing.
  virtual Status write(const Batch& batch) = 0;

  // write(), for a caller that drops the batch afterwards: a store may move its keys and values
  // out instead of copying them (the group commit's batch). The batch is left valid
  // but unspecified; the caller clears it.
  virtual Status absorb(Batch& batch) { return write(batch); }
};

// Ascending scan helper for the common case.
inline Status scan_range(const KeyValueStore& store, ByteView begin, ByteView end,
                         const ScanVisitor& visit) {
  return store.scan(begin, end, ScanOrder::kAscending, visit);
}

}  // namespace tally::store
