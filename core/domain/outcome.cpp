#include "core/domain/outcome.hpp"

namespace tally::domain {

Outcome Outcome::success(std::vector<OrderResult> results) {
  Outcome outcome;
  outcome.kind = Kind::kSuccess;
  outcome.results = std::move(results);
  return outcome;
}

Outcome Outcome::failure(std::uint32_t order_index, const Error& error) {
  TALLY_INVARIANT(is_business(error.code), "only business errors become audited failures");
  Outcome outcome;
  outcome.kind = Kind::kFailure;
  outcome.code = error.code;
  outcome.message = error.message;
  outcome.failed_order = order_index;
  return outcome;
}

}  // namespace tally::domain
