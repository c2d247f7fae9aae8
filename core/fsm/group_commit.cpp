#include "core/fsm/group_commit.hpp"

#include <algorithm>
#include <cstring>
#include <map>

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

void GroupView::record(std::size_t first_op) {
  TALLY_INVARIANT(batch_->size() <= UINT32_MAX, "a group of more than 2^32 ops");
  for (std::size_t i = first_op; i < batch_->size(); ++i) {
    const store::BatchOp& recorded = batch_->ops()[i];
    auto index = static_cast<std::uint32_t>(i);
    switch (recorded.type) {
      case store::BatchOp::Type::kPut:
      case store::BatchOp::Type::kDelete:
        pending_.insert_or_assign(ByteView(recorded.key), index);
        break;
      case store::BatchOp::Type::kDeleteRange:
        // Earlier pending writes in the range are deleted by it; later ones win over it.
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
          if (in_range(it->first, recorded.key, recorded.value)) it.value() = index;
        }
        ranges_.push_back(index);
        break;
    }
  }
}

bool GroupView::is_latest(std::size_t index) const {
  const store::BatchOp& candidate = batch_->ops()[index];
  TALLY_INVARIANT(candidate.type != store::BatchOp::Type::kDeleteRange,
                  "is_latest asked of a range delete");
  auto it = pending_.find(ByteView(candidate.key));
  TALLY_INVARIANT(it != pending_.end(), "is_latest asked of an op the view never recorded");
  return it->second == index;
}

void GroupView::clear() {
  pending_.clear();
  ranges_.clear();
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
  // The store's rows in range, overlaid with the group's writes, then visited in order.
  std::map<Bytes, Bytes> rows;
  TALLY_TRY(store_->scan(begin, end, store::ScanOrder::kAscending, [&](ByteView k, ByteView v) {
    if (!in_deleted_range(k)) rows.emplace(k.to_bytes(), v.to_bytes());
    return true;
  }));
  for (const auto& [key, index] : pending_) {
    if (!in_range(key, begin, end)) continue;
    const store::BatchOp& latest = op(index);
    if (latest.type == store::BatchOp::Type::kPut) {
      rows.insert_or_assign(key.to_bytes(), latest.value);
    } else {
      rows.erase(key.to_bytes());
    }
  }
  if (order == store::ScanOrder::kAscending) {
    for (const auto& [key, value] : rows) {
      if (!visit(key, value)) break;
    }
  } else {
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
      if (!visit(it->first, it->second)) break;
    }
  }
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
    std::vector<bool> keep(batch_.size());
    for (std::size_t i = 0; i < batch_.size(); ++i) {
      keep[i] = batch_.ops()[i].type == store::BatchOp::Type::kDeleteRange || view_.is_latest(i);
    }
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
