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
  for (const auto& [begin, end] : ranges_) {
    if (in_range(key, begin, end)) return true;
  }
  return false;
}

void GroupView::record(const store::Batch& batch, std::size_t first_op) {
  for (std::size_t i = first_op; i < batch.size(); ++i) {
    const store::BatchOp& op = batch.ops()[i];
    switch (op.type) {
      case store::BatchOp::Type::kPut:
        pending_.insert_or_assign(op.key, Write{false, op.value});
        break;
      case store::BatchOp::Type::kDelete: pending_.insert_or_assign(op.key, Write{true, {}}); break;
      case store::BatchOp::Type::kDeleteRange:
        // Earlier pending writes in the range are deleted too; later ones win over it.
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
          if (in_range(it->first, op.key, op.value)) it.value() = Write{true, {}};
        }
        ranges_.emplace_back(op.key, op.value);
        break;
    }
  }
}

void GroupView::clear() {
  pending_.clear();
  ranges_.clear();
}

Result<std::optional<Bytes>> GroupView::get(ByteView key) const {
  auto it = pending_.find(key);
  if (it != pending_.end()) {
    if (it->second.deleted) return std::optional<Bytes>();
    return std::optional<Bytes>(it->second.value);
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
  for (const auto& [key, write] : pending_) {
    if (!in_range(key, begin, end)) continue;
    if (write.deleted) {
      rows.erase(key);
    } else {
      rows.insert_or_assign(key, write.value);
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
  if (entries_max_ > 1) view_.record(batch_, entry_begin_);
  ++entries_;
  return entries_ >= entries_max_;
}

bool GroupCommit::add(store::Batch&& entry) {
  store::Batch& batch = entry_batch();
  batch.append(std::move(entry));
  return end_entry(batch);
}

void GroupCommit::overlay(const Bytes& key, const Bytes& value) {
  store::Batch row;
  row.put(key, value);
  view_.record(row);
}

Status GroupCommit::commit() {
  Status written = store_->absorb(batch_);  // the batch is cleared next: move, not copy
  batch_.clear();
  view_.clear();
  entries_ = 0;
  return written;
}

}  // namespace tally::fsm
