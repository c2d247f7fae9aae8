// Proposals answering per order (domain/bulk.hpp): each order runs alone, in order, under its
// own gate; each has its own outcome, idempotency record and ledger log sequence, all in the
// entry's one batch and one audit entry (docs/design.md §5, §7).
#include "core/fsm/idempotency_record.hpp"
#include "core/fsm/order_executor.hpp"
#include "core/fsm/state_machine.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

Result<domain::Outcome> StateMachine::run_one(const plan::Proposal& proposal, std::uint32_t index,
                                              const PlanIndex& plan_index, WriteSet& writes,
                                              crypto::Digest& intent) {
  const plan::AdmittedOrder& admitted = proposal.orders[index];
  CoverageGate gate(plan_index, admitted.coverage_bits);
  if (admitted.idempotency_key) {
    intent = intent_hash({admitted.order});
    // The order's key is read under its own gate, like any attribute the order reads.
    Status declared = gate.check(keys::idempotency_key(*admitted.idempotency_key), "key");
    if (!declared.ok()) return domain::Outcome::failure(0, declared.error());
    auto early = check_key(*admitted.idempotency_key, intent);
    if (!early.ok()) return std::move(early).error();
    if (early->has_value()) return std::move(**early);
  }
  GatedScope scope(*key_store_, writes, gate);
  OrderContext context{scope, proposal.timestamp_us};
  Result<domain::OrderResult> result = execute_order(admitted.order, context);
  if (!result.ok()) {
    if (!is_business(result.error().code)) return std::move(result).error();
    return domain::Outcome::failure(0, result.error());
  }
  return domain::Outcome::success({*result});
}

// What a kept order leaves besides its writes: its log pointer and its key's record.
Status StateMachine::keep_order(const plan::Proposal& proposal, std::uint32_t index,
                                const crypto::Digest& intent, const domain::Outcome& outcome,
                                store::Batch& batch) {
  const plan::AdmittedOrder& admitted = proposal.orders[index];
  if (outcome.is_replay()) return ok_status();  // nothing ran again: nothing to keep
  if (outcome.ok()) write_ledger_log(admitted.order, outcome.results.front(), index, batch);
  if (!admitted.idempotency_key) return ok_status();
  // A conflict leaves the key's record as it was: it belongs to the request that made it.
  if (!outcome.ok() && outcome.code == Code::kIdempotencyConflict) return ok_status();
  return record_key(*admitted.idempotency_key, intent, outcome, batch);
}

Result<domain::Outcome> StateMachine::run_per_order(const plan::Proposal& proposal,
                                                    store::Batch& batch) {
  const bool atomic = proposal.mode == domain::BulkMode::kAtomic;
  const auto count = static_cast<std::uint32_t>(proposal.orders.size());
  PlanIndex plan_index(proposal.plan);
  WriteSet shared;  // atomic: every order's writes, kept only when all succeed
  std::vector<crypto::Digest> intents(count);
  std::vector<domain::Outcome> outcomes;
  bool failed = false;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (failed && proposal.mode != domain::BulkMode::kContinueOnFailure) {
      outcomes.push_back(domain::Outcome::not_applied());
      continue;
    }
    WriteSet own;  // an order on its own: its writes go, or stay, with it
    auto outcome = run_one(proposal, i, plan_index, atomic ? shared : own, intents[i]);
    if (!outcome.ok()) return std::move(outcome).error();
    if (atomic && !outcome->ok() && outcome->code == Code::kStaleProposal) {
      // A script's footprint moved (script_execution.hpp): nothing is merged yet, so the whole
      // proposal is stale, as it is outside per-order answers. Orders that apply on their own
      // cannot be undone once merged: there the stale order fails alone, retryable.
      return domain::Outcome::failure(i, make_error(Code::kStaleProposal, outcome->message));
    }
    failed = failed || !outcome->ok();
    if (!atomic) {
      // Merged now, so the next order reads what this one wrote (inv#2: in order).
      if (outcome->ok()) TALLY_TRY(own.merge_into(*key_store_, batch));
      TALLY_TRY(keep_order(proposal, i, intents[i], *outcome, batch));
    }
    outcomes.push_back(std::move(outcome).value());
  }
  if (atomic && failed) {
    // Nothing is kept: what ran before the failure is rolled back (a replay stays a replay).
    for (domain::Outcome& outcome : outcomes) {
      if (outcome.ok() && !outcome.is_replay()) outcome = domain::Outcome::not_applied();
    }
  } else if (atomic) {
    TALLY_TRY(shared.merge_into(*key_store_, batch));
    for (std::uint32_t i = 0; i < count; ++i)
      TALLY_TRY(keep_order(proposal, i, intents[i], outcomes[i], batch));
  }
  return domain::Outcome::each(std::move(outcomes));
}

}  // namespace tally::fsm
