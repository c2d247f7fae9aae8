// An atomic write: puts, deletes and range deletes, applied in the order they were added.
//
// Every state change of one applied log entry (attribute rows, their cache mirror rows, the
// audit entry, the applied index) goes into one Batch, so a crash lands before or after the
// whole entry, never inside it (inv#9).
#pragma once

#include <cstdint>
#include <iterator>
#include <vector>

#include "core/bytes.hpp"

namespace tally::store {

struct BatchOp {
  enum class Type : std::uint8_t { kPut, kDelete, kDeleteRange };
  Type type;
  Bytes key;    // kPut / kDelete: the key; kDeleteRange: first key deleted
  Bytes value;  // kPut: the value; kDeleteRange: first key kept (exclusive end, non-empty)

  friend bool operator==(const BatchOp&, const BatchOp&) = default;
};

class Batch {
 public:
  void put(Bytes key, Bytes value) {
    ops_.push_back({BatchOp::Type::kPut, std::move(key), std::move(value)});
  }
  void del(Bytes key) { ops_.push_back({BatchOp::Type::kDelete, std::move(key), {}}); }
  // Deletes every key k with begin <= k < end. REQUIRES: begin < end.
  void del_range(Bytes begin, Bytes end);

  // Appends every op of other after this batch's own (group commit).
  void append(Batch&& other) {
    ops_.insert(ops_.end(), std::make_move_iterator(other.ops_.begin()),
                std::make_move_iterator(other.ops_.end()));
    other.ops_.clear();
  }

  // Drops every op i with !keep[i], keeping the others in order. REQUIRES: keep.size() == size().
  void retain(const std::vector<bool>& keep);

  const std::vector<BatchOp>& ops() const { return ops_; }
  // For KeyValueStore::absorb only: ops whose keys and values may be moved out.
  std::vector<BatchOp>& ops_to_absorb() { return ops_; }
  bool empty() const { return ops_.empty(); }
  std::size_t size() const { return ops_.size(); }
  void clear() { ops_.clear(); }

 private:
  std::vector<BatchOp> ops_;
};

}  // namespace tally::store
