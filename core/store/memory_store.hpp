// MemoryStore: the in-memory ordered store, for tests, the simulator and WebAssembly.
//
// A std::map keeps rows in the same order SQLite does. Batches apply all-or-nothing. The whole
// content can be copied out and compared, which is how tests check that two stores hold
// identical bytes, and copied in, which is how the simulator installs a snapshot.
// Fault injection (STYLE.md, after SQLite's test_vfs): fail_next_writes(n) makes the next n
// batches fail with kStorage and change nothing, as a crash before the commit would.
#pragma once

#include <map>

#include "core/store/key_value_store.hpp"

namespace tally::store {

class MemoryStore final : public KeyValueStore {
 public:
  using Rows = std::map<Bytes, Bytes>;

  Result<std::optional<Bytes>> get(ByteView key) const override;
  Status scan(ByteView begin, ByteView end, ScanOrder order,
              const ScanVisitor& visit) const override;
  Status write(const Batch& batch) override;

  const Rows& rows() const { return rows_; }
  void set_rows(Rows rows) { rows_ = std::move(rows); }
  void fail_next_writes(std::size_t count) { failing_writes_ = count; }

 private:
  Rows rows_;
  std::size_t failing_writes_ = 0;
};

}  // namespace tally::store
