// The reference ledger's per-order proposals (domain/bulk.hpp), from the specification: each
// order runs alone, in order; a failed order's changes are undone, the others' stay (atomic
// mode: everything is undone when one fails). Each order with a key answers from its record
// or records its own outcome; each order that succeeded gets a log pointer.
#include "core/check/reference_ledger.hpp"

#include "core/domain/validation.hpp"

namespace tally::check {

namespace {

using domain::Outcome;

// A script whose footprint moved between admission and apply does not run (stale): only the
// plan tells, so the node's word is taken for it, as for a coverage miss.
bool is_scripted(const domain::Order& order) {
  const auto* create = std::get_if<domain::CreateTransaction>(&order);
  return create != nullptr && create->script.has_value();
}

bool is_conflict(const Outcome& outcome) {
  return !outcome.ok() && outcome.code == Code::kIdempotencyConflict;
}

}  // namespace

domain::Outcome ReferenceLedger::run_keyed(const domain::Order& order,
                                           const std::optional<std::string>& key, Context context) {
  if (key) {
    auto record = idempotency_.find(*key);
    if (record != idempotency_.end()) {
      if (record->second.intent_hash != fsm::intent_hash({order})) {
        return Outcome::failure(0, make_error(Code::kIdempotencyConflict,
                                              "idempotency key reused with another intent"));
      }
      Outcome replay = record->second.outcome;
      replay.replay_of_sequence = record->second.audit_sequence;
      return replay;
    }
  }
  Status valid = domain::validate_order(order);
  if (!valid.ok()) return Outcome::failure(0, valid.error());
  Result<domain::OrderResult> result = apply_order(order, context);
  if (!result.ok()) return Outcome::failure(0, result.error());
  return Outcome::success({result.value()});
}

void ReferenceLedger::remember(const std::string& key, const domain::Order& order,
                               std::uint64_t audit_sequence, const Outcome& outcome,
                               const Outcome* answered) {
  if (outcome.is_replay() || is_conflict(outcome)) return;
  if (!outcome.ok() &&
      (outcome.code == Code::kCoverageMiss || outcome.code == Code::kStaleProposal)) {
    return;
  }
  bool adopt = answered != nullptr && domain::outcomes_agree(*answered, outcome);
  if (touched_) touched_->idempotency.insert(key);
  idempotency_.insert_or_assign(key,
                                fsm::IdempotencyRecord{fsm::intent_hash({order}), audit_sequence,
                                                       adopt ? *answered : outcome});
}

domain::Outcome ReferenceLedger::apply_per_order(const std::vector<domain::Order>& orders,
                                                 domain::BulkMode mode,
                                                 const domain::OrderKeys& order_keys,
                                                 std::uint64_t timestamp_us,
                                                 std::uint64_t audit_sequence,
                                                 const Outcome* answered) {
  TALLY_INVARIANT(audit_sequence >= 1, "audit sequences start at 1");
  const bool atomic = mode == domain::BulkMode::kAtomic;
  auto key_of = [&](std::size_t i) {
    return i < order_keys.size() ? order_keys[i] : std::optional<std::string>();
  };
  auto told = [&](std::size_t i) -> const Outcome* {
    if (answered == nullptr || answered->kind != Outcome::Kind::kPerOrder) return nullptr;
    return i < answered->per_order.size() ? &answered->per_order[i] : nullptr;
  };
  Journal whole(*this);
  std::vector<Outcome> outcomes;
  bool failed = false;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (failed && mode != domain::BulkMode::kContinueOnFailure) {
      outcomes.push_back(Outcome::not_applied());
      continue;
    }
    const Outcome* node = told(i);
    Outcome outcome;
    if (node != nullptr && !node->ok() &&
        (node->code == Code::kCoverageMiss ||
         (node->code == Code::kStaleProposal && is_scripted(orders[i])))) {
      outcome = *node;  // a fact of the plan: the order did not run
    } else {
      Journal own(*this);
      outcome = run_keyed(orders[i], key_of(i), Context{atomic ? whole : own, timestamp_us});
      if (!outcome.ok() && !atomic) own.roll_back();
    }
    failed = failed || !outcome.ok();
    if (!atomic) {
      if (outcome.ok() && !outcome.is_replay()) {
        record_log_pointers({orders[i]}, outcome.results, audit_sequence, i);
      }
      if (key_of(i)) remember(*key_of(i), orders[i], audit_sequence, outcome, node);
    }
    outcomes.push_back(std::move(outcome));
  }
  if (atomic && failed) {
    whole.roll_back();
    for (Outcome& outcome : outcomes) {
      if (outcome.ok() && !outcome.is_replay()) outcome = Outcome::not_applied();
    }
  } else if (atomic) {
    for (std::size_t i = 0; i < orders.size(); ++i) {
      if (outcomes[i].is_replay()) continue;
      record_log_pointers({orders[i]}, outcomes[i].results, audit_sequence, i);
      if (key_of(i)) remember(*key_of(i), orders[i], audit_sequence, outcomes[i], told(i));
    }
  }
  return Outcome::each(std::move(outcomes));
}

}  // namespace tally::check
