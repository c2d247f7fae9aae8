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

Outcome Outcome::not_applied() {
  Outcome outcome;
  outcome.kind = Kind::kNotApplied;
  return outcome;
}

Outcome Outcome::each(std::vector<Outcome> per_order) {
  Outcome outcome;
  outcome.kind = Kind::kPerOrder;
  outcome.per_order = std::move(per_order);
  return outcome;
}

std::optional<OrderResult> result_of(const Outcome& outcome, std::size_t index) {
  if (outcome.kind == Outcome::Kind::kSuccess && index < outcome.results.size()) {
    return outcome.results[index];
  }
  if (outcome.kind == Outcome::Kind::kPerOrder && index < outcome.per_order.size()) {
    const Outcome& one = outcome.per_order[index];
    if (one.ok() && !one.results.empty()) return one.results.front();
  }
  return std::nullopt;
}

bool outcomes_agree(const Outcome& a, const Outcome& b) {
  if (a.kind != b.kind || a.replay_of_sequence != b.replay_of_sequence) return false;
  switch (a.kind) {
    case Outcome::Kind::kSuccess: return a.results == b.results;
    case Outcome::Kind::kFailure: return a.code == b.code && a.failed_order == b.failed_order;
    case Outcome::Kind::kNotApplied: return true;
    case Outcome::Kind::kPerOrder: break;
  }
  if (a.per_order.size() != b.per_order.size()) return false;
  for (std::size_t i = 0; i < a.per_order.size(); ++i) {
    if (!outcomes_agree(a.per_order[i], b.per_order[i])) return false;
  }
  return true;
}

std::string describe_outcome(const Outcome& outcome) {
  std::string out;
  if (outcome.is_replay()) out = "replay of " + std::to_string(outcome.replay_of_sequence) + ": ";
  if (outcome.kind == Outcome::Kind::kNotApplied) return out + "not applied";
  if (outcome.kind == Outcome::Kind::kPerOrder) {
    out += "per order [";
    for (std::size_t i = 0; i < outcome.per_order.size(); ++i) {
      out += (i ? "; " : "") + describe_outcome(outcome.per_order[i]);
    }
    return out + "]";
  }
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
