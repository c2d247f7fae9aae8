#include "core/store/batch.hpp"

#include "core/invariant.hpp"

namespace tally::store {

void Batch::del_range(Bytes begin, Bytes end) {
  TALLY_INVARIANT(!end.empty() && begin < end, "a range delete needs begin < end");
  ops_.push_back({BatchOp::Type::kDeleteRange, std::move(begin), std::move(end)});
}

void Batch::retain(const std::vector<bool>& keep) {
  TALLY_INVARIANT(keep.size() == ops_.size(), "retain needs one flag per op");
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (!keep[i]) continue;
    if (kept != i) ops_[kept] = std::move(ops_[i]);
    ++kept;
  }
  ops_.erase(ops_.begin() + static_cast<std::ptrdiff_t>(kept), ops_.end());
}

}  // namespace tally::store
