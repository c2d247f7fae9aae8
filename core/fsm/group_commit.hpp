// GroupCommit: a run of applied log entries written to the store as one batch.
//
// The Raft log is the durable record, so the store does not need a commit per entry: the
// state machine adds each entry's batch to the open group and writes the group, with the
// applied index of its last entry, in one store write (one SQLite transaction) when it holds
// entries_max entries or when the caller closes it (commit_group: the time bound is the
// caller's, the core has no clock). A crash loses at most the open group; its entries are
// above the stored applied index, so the log replays them (inv#9).
//
// The hazard it must not open: admission reads Misses from the store. If the store lagged
// memory by an open group, a seed could be stale (a key written in the group, rotated out of
// the cache since, read back from the store at its old value: a lost update). So every read
// that would go to the store goes through view(), which overlays the open group's writes on
// the store, exactly as the store will hold them once the group commits. Memory and disk
// agree at every group boundary (inv#1); parity checks, the checker and snapshots run there.
//
// The view indexes the group's own batch (key -> its latest op) instead of copying rows, and
// the same index drops every op a later one supersedes before the store sees the group: a
// row rewritten by every entry (the ledger state row, its mirror row, the FSM state row, a
// mirror row written by the preload and again by the put) reaches the store once per group.
// The pending index is a hash map (never iterated into output: inv#2); scans sort the keys
// they need. Not thread-safe; owned by the StateMachine.
#pragma once

#include <tsl/robin_map.h>

#include <optional>
#include <vector>

#include "core/store/byte_keys.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::fsm {

class GroupView final : public store::KeyValueStore {
 public:
  // A view of batch (the group's) over store. Keys are indexed by view into the batch's
  // ops, whose buffers stay put until the group is cleared (moving a BatchOp keeps them).
  GroupView(const store::KeyValueStore& store, const store::Batch& batch)
      : store_(&store), batch_(&batch) {}

  Result<std::optional<Bytes>> get(ByteView key) const override;
  Status scan(ByteView begin, ByteView end, store::ScanOrder order,
              const store::ScanVisitor& visit) const override;
  // A view is read-only: writing through it is a bug.
  Status write(const store::Batch& batch) override;

  // Overlays the batch's ops from first_op on (applied after everything recorded so far),
  // and marks every put or delete an op supersedes.
  void record(std::size_t first_op);
  // Per op of the batch up to the last recorded: true for a put or delete a later op of the
  // group overwrites or range-deletes (never for a range delete itself).
  const std::vector<bool>& superseded() const { return superseded_; }
  void clear();
  bool empty() const { return pending_.empty() && ranges_.empty(); }

 private:
  // Key -> index of the latest op of the group that decides it (a put, a delete or a range
  // delete that covers it).
  using Pending = tsl::robin_map<ByteView, std::uint32_t, store::BytesHash, store::BytesEqual>;

  const store::BatchOp& op(std::uint32_t index) const { return batch_->ops()[index]; }
  bool in_deleted_range(ByteView key) const;

  void supersede(std::uint32_t index);

  const store::KeyValueStore* store_;
  const store::Batch* batch_;
  Pending pending_;
  std::vector<std::uint32_t> ranges_;  // the group's range deletes, by op index
  std::vector<bool> superseded_;       // by op index
};

class GroupCommit {
 public:
  GroupCommit(store::KeyValueStore& store, std::size_t entries_max)
      : store_(&store), entries_max_(entries_max), view_(store, batch_) {}

  // The batch an entry writes into: the group's own, so ops are appended in place and the
  // batch's storage is reused from group to group (no per-entry allocation growth).
  store::Batch& entry_batch();
  // Closes the entry begun by entry_batch(). Returns true when the group is full and should
  // be committed. REQUIRES: batch is entry_batch().
  bool end_entry(const store::Batch& batch);
  // Adds a batch built elsewhere as one entry (tests). Same return as end_entry.
  bool add(store::Batch&& entry);
  // Writes the group, without the ops later ones supersede, and empties it. REQUIRES: the
  // caller appended its state row.
  Status commit();

  std::size_t entries() const { return entries_; }
  bool open() const { return entries_ > 0; }
  store::Batch& batch() { return batch_; }
  const store::KeyValueStore& view() const { return view_; }

 private:
  store::KeyValueStore* store_;
  std::size_t entries_max_;
  std::size_t entries_ = 0;
  std::size_t entry_begin_ = 0;  // first op of the entry being written
  store::Batch batch_;
  GroupView view_;
};

}  // namespace tally::fsm
