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

bool outcomes_agree(const Outcome& a, const Outcome& b) {
  if (a.kind != b.kind || a.replay_of_sequence != b.replay_of_sequence) return false;
  if (a.ok()) return a.results == b.results;
  return a.code == b.code && a.failed_order == b.failed_order;
}

std::string describe_outcome(const Outcome& outcome) {
  std::string out;
  if (outcome.is_replay()) out = "replay of " + std::to_string(outcome.replay_of_sequence) + ": ";
  if (!outcome.ok()) {
    return out + "failure " + std::string(code_name(outcome.code)) + " at order " +
           std::to_string(outcome.failed_order);
  }
  out += "success [";
  for (const OrderResult& r : outcome.results) {
    out += "(";
    out += r.transaction_id ? "tx " + std::to_string(*r.transaction_id) : "-";
    out += r.log_sequence ? " log " + std::to_string(*r.log_sequence) : "";
    out += ")";
  }
  return out + "]";
}

}  // namespace tally::domain
