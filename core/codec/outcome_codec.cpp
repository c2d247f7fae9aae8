#include "core/codec/outcome_codec.hpp"

#include "core/codec/domain_fields.hpp"
#include "core/limits.hpp"

namespace tally::codec {

void write_outcome(Writer& w, const domain::Outcome& outcome) {
  w.u8(static_cast<std::uint8_t>(outcome.kind));
  w.u64(outcome.replay_of_sequence);
  if (outcome.kind == domain::Outcome::Kind::kNotApplied) return;
  if (outcome.kind == domain::Outcome::Kind::kPerOrder) {
    w.u32(static_cast<std::uint32_t>(outcome.per_order.size()));
    for (const domain::Outcome& one : outcome.per_order)
      write_outcome(w, one);
    return;
  }
  if (outcome.kind == domain::Outcome::Kind::kSuccess) {
    w.u32(static_cast<std::uint32_t>(outcome.results.size()));
    for (const domain::OrderResult& result : outcome.results) {
      write_optional_u64(w, result.transaction_id);
      write_optional_u64(w, result.log_sequence);
    }
    return;
  }
  w.u32(static_cast<std::uint32_t>(outcome.code));
  w.string(outcome.message);
  w.u32(outcome.failed_order);
}

namespace {

domain::Outcome read_one(Reader& r, bool nested);

// kPerOrder: u32 count, then each order's outcome (success, failure or not applied).
void read_per_order(Reader& r, domain::Outcome& outcome) {
  outcome.kind = domain::Outcome::Kind::kPerOrder;
  if (outcome.replay_of_sequence != 0) r.fail("a per-order outcome replayed as a whole");
  std::uint32_t n = r.count(limits::kOrdersPerProposalMax, 9);
  if (n == 0) r.fail("a per-order outcome with no order");
  for (std::uint32_t i = 0; i < n && r.ok(); ++i)
    outcome.per_order.push_back(read_one(r, true));
}

domain::Outcome read_one(Reader& r, bool nested) {
  domain::Outcome outcome;
  std::uint8_t kind = r.u8();
  outcome.replay_of_sequence = r.u64();
  if (kind == 3 && nested) {
    outcome.kind = domain::Outcome::Kind::kNotApplied;
    if (outcome.replay_of_sequence != 0) r.fail("a replayed order that was not applied");
    return outcome;
  }
  if (kind == 2 && !nested) {
    read_per_order(r, outcome);
    return outcome;
  }
  if (kind == 0) {
    std::uint32_t n = r.count(limits::kOrdersPerProposalMax, 2);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
      domain::OrderResult result;
      result.transaction_id = read_optional_u64(r);
      result.log_sequence = read_optional_u64(r);
      outcome.results.push_back(result);
    }
    if (nested && n != 1) r.fail("a per-order success with other than one result");
    return outcome;
  }
  if (kind != 1) {
    r.fail("unknown outcome kind " + std::to_string(kind));
    return outcome;
  }
  outcome.kind = domain::Outcome::Kind::kFailure;
  std::uint32_t code = r.u32();
  Code as_code = code <= 0xffff ? static_cast<Code>(code) : Code::kCorrupt;
  if (!is_business(as_code) || code_name(as_code) == "UNKNOWN") {
    r.fail("outcome with a code that is not a business code: " + std::to_string(code));
  }
  outcome.code = as_code;
  outcome.message = r.string();
  outcome.failed_order = r.u32();
  if (nested && outcome.failed_order != 0) r.fail("a per-order failure names another order");
  return outcome;
}

}  // namespace

domain::Outcome read_outcome(Reader& r) {
  return read_one(r, false);
}

}  // namespace tally::codec
