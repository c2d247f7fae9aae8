// LogMemoryBound: keeps the Raft log that libraft holds in memory under a bound in bytes
// (docs/design.md §9, "The log in memory").
//
// libraft 0.15 keeps in memory every entry since its last snapshot and `trailing` entries
// before it, and takes a snapshot once `threshold` entries have been applied since the last:
// bounds in entries. An entry is a batch of requests or a bulk (up to batch_bytes_max), so
// they bound nothing in bytes: tallyd's default threshold of 131,072 entries is ~4.5 GiB of
// bulks of 100. The bound learns the size of every entry the node applies (or skips at a
// replay) and, after each, gives the threshold and trailing libraft should use:
// - once the entries since the last snapshot hold half the bound, a threshold that takes a
//   snapshot after this apply;
// - a trailing of as many of the last entries as fit in the other half, at most the
//   configured trailing and at least kTrailingMin (or the configured trailing, if fewer).
// The log in memory then stays near the bound: the trailing is measured on the latest
// entries, not those before the snapshot's index, and entries appended but not yet applied
// (at most the batches in flight) come on top.
//
// Contract: applied() in index order; every call on the loop thread.
#pragma once

#include <cstdint>
#include <deque>

namespace tally::replica {

class LogMemoryBound {
 public:
  struct Setting {
    unsigned threshold = 0;  // raft_set_snapshot_threshold
    unsigned trailing = 0;   // raft_set_snapshot_trailing
  };
  static constexpr unsigned kTrailingMin = 16;

  // REQUIRES: bytes_max > 0, configured.threshold > 0.
  LogMemoryBound(std::uint64_t bytes_max, Setting configured);

  // The entry at this index, of this many bytes, was applied or skipped.
  void applied(std::uint64_t index, std::uint64_t bytes);
  // libraft restored a snapshot (installed from the leader, or its own at a start): none of
  // the entries counted so far are in its memory.
  void restored();
  // The setting for libraft, given its last snapshot's index now.
  Setting setting(std::uint64_t snapshot_index);

  // Bytes of the entries this bound counts as in libraft's memory (after the last setting()).
  std::uint64_t held_bytes() const { return total_bytes_; }

 private:
  struct Entry {
    std::uint64_t index = 0;
    std::uint64_t bytes = 0;
  };
  void forget_before(std::uint64_t first_kept);

  std::uint64_t bytes_max_;
  Setting configured_;
  std::deque<Entry> entries_;            // applied, oldest first, as libraft may still hold them
  std::uint64_t total_bytes_ = 0;        // over entries_
  std::size_t snapshotted_ = 0;          // entries_ at or before the last snapshot's index
  std::uint64_t snapshotted_bytes_ = 0;  // their bytes
  std::uint64_t snapshot_index_ = 0;
  std::size_t window_start_ = 0;  // the last entries that would fit as the trailing
  std::uint64_t window_bytes_ = 0;
  unsigned trailing_in_force_;
};

}  // namespace tally::replica
