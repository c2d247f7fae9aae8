#include "core/store/memory_store.hpp"

namespace tally::store {

Result<std::optional<Bytes>> MemoryStore::get(ByteView key) const {
  auto it = rows_.find(key.to_bytes());
  if (it == rows_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

Status MemoryStore::scan(ByteView begin, ByteView end, ScanOrder order,
                         const ScanVisitor& visit) const {
  auto first = rows_.lower_bound(begin.to_bytes());
  auto last = end.empty() ? rows_.end() : rows_.lower_bound(end.to_bytes());
  if (order == ScanOrder::kAscending) {
    for (auto it = first; it != last; ++it) {
      if (!visit(it->first, it->second)) break;
    }
  } else {
    for (auto it = last; it != first;) {
      --it;
      if (!visit(it->first, it->second)) break;
    }
  }
  return ok_status();
}

Status MemoryStore::write(const Batch& batch) {
  if (failing_writes_ > 0) {
    --failing_writes_;
    return make_error(Code::kStorage, "injected write failure: batch of " +
                                          std::to_string(batch.size()) + " ops lost");
  }
  for (const BatchOp& op : batch.ops()) {
    switch (op.type) {
      case BatchOp::Type::kPut: rows_[op.key] = op.value; break;
      case BatchOp::Type::kDelete: rows_.erase(op.key); break;
      case BatchOp::Type::kDeleteRange:
        rows_.erase(rows_.lower_bound(op.key), rows_.lower_bound(op.value));
        break;
    }
  }
  return ok_status();
}

}  // namespace tally::store
