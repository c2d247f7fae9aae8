#include "native/raft/log_memory_bound.hpp"

#include <algorithm>

#include "core/invariant.hpp"

namespace tally::replica {

LogMemoryBound::LogMemoryBound(std::uint64_t bytes_max, Setting configured)
    : bytes_max_(bytes_max), configured_(configured), trailing_in_force_(configured.trailing) {
  TALLY_INVARIANT(bytes_max_ > 0, "a log memory bound of zero bytes");
  TALLY_INVARIANT(configured_.threshold > 0, "a snapshot threshold of zero entries");
}

void LogMemoryBound::applied(std::uint64_t index, std::uint64_t bytes) {
  TALLY_INVARIANT(entries_.empty() || index > entries_.back().index,
                  "entries are applied in index order");
  entries_.push_back({index, bytes});
  total_bytes_ += bytes;
  window_bytes_ += bytes;
  const std::uint64_t half = bytes_max_ / 2;
  while (window_start_ < entries_.size() &&
         (entries_.size() - window_start_ > configured_.trailing || window_bytes_ > half)) {
    window_bytes_ -= entries_[window_start_].bytes;
    ++window_start_;
  }
}

void LogMemoryBound::forget_before(std::uint64_t first_kept) {
  while (!entries_.empty() && entries_.front().index < first_kept) {
    const std::uint64_t bytes = entries_.front().bytes;
    entries_.pop_front();
    total_bytes_ -= bytes;
    if (snapshotted_ > 0) {
      --snapshotted_;
      snapshotted_bytes_ -= bytes;
    }
    if (window_start_ > 0) {
      --window_start_;
    } else {
      window_bytes_ -= bytes;
    }
  }
}

void LogMemoryBound::restored() {
  entries_.clear();
  total_bytes_ = 0;
  snapshotted_ = 0;
  snapshotted_bytes_ = 0;
  window_start_ = 0;
  window_bytes_ = 0;
  snapshot_index_ = 0;
}

LogMemoryBound::Setting LogMemoryBound::setting(std::uint64_t snapshot_index) {
  if (snapshot_index > snapshot_index_) {
    snapshot_index_ = snapshot_index;
    while (snapshotted_ < entries_.size() && entries_[snapshotted_].index <= snapshot_index) {
      snapshotted_bytes_ += entries_[snapshotted_].bytes;
      ++snapshotted_;
    }
    // libraft kept the trailing entries in force when the snapshot completed.
    if (snapshot_index >= trailing_in_force_)
      forget_before(snapshot_index - trailing_in_force_ + 1);
  }
  Setting next = configured_;
  const std::uint64_t since_bytes = total_bytes_ - snapshotted_bytes_;
  const std::size_t since_entries = entries_.size() - snapshotted_;
  if (since_bytes >= bytes_max_ / 2 && since_entries > 0) {
    next.threshold =
        static_cast<unsigned>(std::min<std::size_t>(configured_.threshold, since_entries));
  }
  const std::size_t window = entries_.size() - window_start_;
  const unsigned floor = std::min(kTrailingMin, configured_.trailing);
  next.trailing = static_cast<unsigned>(std::max<std::size_t>(floor, window));
  trailing_in_force_ = next.trailing;
  return next;
}

}  // namespace tally::replica
