// MemoryStore: the in-memory ordered store, for tests, the simulator and WebAssembly.
//
// A std::map keeps rows in the same order SQLite does. Batches apply all-or-nothing (they
// are validated first and cannot fail halfway). The whole content can be copied out and
// compared, which is how tests check that two stores hold identical bytes.
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

 private:
  Rows rows_;
};

}  // namespace tally::store
