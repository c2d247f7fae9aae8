#include "core/fsm/group_commit.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/invariant.hpp"

namespace tally::fsm {

namespace {

bool in_range(ByteView key, ByteView begin, ByteView end) {
  return store::compare_keys(key, begin) >= 0 && (end.empty() || store::compare_keys(key, end) < 0);
}

}  // namespace

bool GroupView::in_deleted_range(ByteView key) const {
  for (std::uint32_t index : ranges_) {
    if (in_range(key, op(index).key, op(index).value)) return true;
  }
  return false;
}

void GroupView::supersede(std::uint32_t index) {
  // A range delete stays in the group whatever follows: later writes land after it.
  if (op(index).type != store::BatchOp::Type::kDeleteRange) superseded_[index] = true;
}

void GroupView::record(std::size_t first_op) {
  TALLY_INVARIANT(batch_->size() <= UINT32_MAX, "a group of more than 2^32 ops");
  TALLY_INVARIANT(first_op == superseded_.size(), "ops recorded out of order");
  superseded_.resize(batch_->size(), false);
  for (std::size_t i = first_op; i < batch_->size(); ++i) {
    const store::BatchOp& recorded = batch_->ops()[i];
    auto index = static_cast<std::uint32_t>(i);
    switch (recorded.type) {
      case store::BatchOp::Type::kPut:
      case store::BatchOp::Type::kDelete: {
        // One lookup: the key's earlier op, if any, is superseded here and now.
        auto [it, inserted] = pending_.try_emplace(ByteView(recorded.key), index);
        if (!inserted) {
          supersede(it->second);
          it.value() = index;
        }
        break;
      }
      case store::BatchOp::Type::kDeleteRange:
        // Earlier pending writes in the range are deleted by it; later ones win over it.
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
          if (!in_range(it->first, recorded.key, recorded.value)) continue;
          supersede(it->second);
          it.value() = index;
        }
        ranges_.push_back(index);
        break;
    }
  }
}

void GroupView::clear() {
  pending_.clear();
  ranges_.clear();
  superseded_.clear();
}

Result<std::optional<Bytes>> GroupView::get(ByteView key) const {
  auto it = pending_.find(key);
  if (it != pending_.end()) {
    const store::BatchOp& latest = op(it->second);
    if (latest.type != store::BatchOp::Type::kPut) return std::optional<Bytes>();
    return std::optional<Bytes>(latest.value);
  }
  if (in_deleted_range(key)) return std::optional<Bytes>();
  return store_->get(key);
}

Status GroupView::scan(ByteView begin, ByteView end, store::ScanOrder order,
                       const store::ScanVisitor& visit) const {
  if (empty()) return store_->scan(begin, end, order, visit);
  // The group's keys in range, in scan order, merged into the store's scan as it streams:
  // nothing is copied, and a visitor that stops stops the store's scan too.
  const bool ascending = order == store::ScanOrder::kAscending;
  std::vector<ByteView> keys;
  for (const auto& [key, index] : pending_) {
    if (in_range(key, begin, end)) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end(), [ascending](ByteView a, ByteView b) {
    return ascending ? store::compare_keys(a, b) < 0 : store::compare_keys(a, b) > 0;
  });
  std::size_t next = 0;
  bool stopped = false;
  // Visits the group's key at next (a put's value; a delete hides the key).
  auto visit_pending = [&]() {
    const store::BatchOp& latest = op(pending_.find(keys[next])->second);
    ++next;
    if (latest.type == store::BatchOp::Type::kPut && !visit(latest.key, latest.value))
      stopped = true;
  };
  // True while the group's next key comes before key in scan order.
  auto pending_first = [&](ByteView key) {
    if (next == keys.size()) return false;
    const int c = store::compare_keys(keys[next], key);
    return ascending ? c < 0 : c > 0;
  };
  TALLY_TRY(store_->scan(begin, end, order, [&](ByteView key, ByteView value) {
    while (!stopped && pending_first(key))
      visit_pending();
    if (stopped) return false;
    if (next < keys.size() && store::compare_keys(keys[next], key) == 0) {
      visit_pending();  // the group's write of this key decides it
      return !stopped;
    }
    if (in_deleted_range(key)) return true;
    if (!visit(key, value)) stopped = true;
    return !stopped;
  }));
  while (!stopped && next < keys.size())
    visit_pending();
  return ok_status();
}

Status GroupView::write(const store::Batch&) {
  TALLY_UNREACHABLE("a write through the read-only group view");
}

store::Batch& GroupCommit::entry_batch() {
  entry_begin_ = batch_.size();
  return batch_;
}

bool GroupCommit::end_entry(const store::Batch& batch) {
  TALLY_INVARIANT(&batch == &batch_, "an entry written outside the group's batch");
  if (entries_max_ > 1) view_.record(entry_begin_);
  ++entries_;
  return entries_ >= entries_max_;
}

bool GroupCommit::add(store::Batch&& entry) {
  store::Batch& batch = entry_batch();
  batch.append(std::move(entry));
  return end_entry(batch);
}

Status GroupCommit::commit() {
  if (entries_max_ > 1) {
    // Decide every op before moving any: the view's keys point into the ops' buffers.
    TALLY_INVARIANT(view_.superseded().size() == batch_.size(),
                    "a group op the view never recorded");
    std::vector<bool> keep = view_.superseded();
    keep.flip();
    view_.clear();
    batch_.retain(keep);
  }
  Status written = store_->absorb(batch_);  // the batch is cleared next: move, not copy
  batch_.clear();
  view_.clear();
  entries_ = 0;
  return written;
}

}  // namespace tally::fsm
