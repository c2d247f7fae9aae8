#include "core/store/batch.hpp"

#include "core/invariant.hpp"

namespace tally::store {

void Batch::del_range(Bytes begin, Bytes end) {
  TALLY_INVARIANT(!end.empty() && begin < end, "a range delete needs begin < end");
  ops_.push_back({BatchOp::Type::kDeleteRange, std::move(begin), std::move(end)});
}

}  // namespace tally::store
