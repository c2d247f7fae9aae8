#include "core/plan/admission_rules.hpp"

#include "core/domain/validation.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "core/overloaded.hpp"

namespace tally::plan {

namespace {

using namespace domain;

Status ledger_rule(const Order& order, const StateLookup& state, RequestSoFar& so_far) {
  const std::string* ledger = order_ledger(order);
  if (ledger == nullptr || so_far.created_ledgers.count(*ledger) != 0) return ok_status();
  auto info = state.get<LedgerInfo>(keys::ledger_key(*ledger));
  if (!info.ok()) return std::move(info).error();
  if (std::holds_alternative<CreateLedger>(order)) {
    // A deleted ledger keeps its name.
    if (info->has_value()) {
      return make_error(Code::kAlreadyExists, "ledger " + quote_input(*ledger) + " already exists");
    }
    so_far.created_ledgers.insert(*ledger);
    return ok_status();
  }
  if (!info->has_value()) {
    return make_error(Code::kLedgerNotFound, "ledger " + quote_input(*ledger) + " not found");
  }
  if ((*info)->deleted) {
    return make_error(Code::kLedgerNotFound, "ledger " + quote_input(*ledger) + " is deleted");
  }
  return ok_status();
}

Status reference_rule(const CreateTransaction& order, const StateLookup& state) {
  if (!order.reference) return ok_status();
  auto holder = state.get<ReferenceTarget>(keys::reference_key(order.ledger, *order.reference));
  if (!holder.ok()) return std::move(holder).error();
  if (!holder->has_value()) return ok_status();
  return make_error(Code::kConflict, "reference " + quote_input(*order.reference) +
                                         " is held by transaction " +
                                         std::to_string((*holder)->transaction_id));
}

Status revert_rule(const RevertTransaction& order, const StateLookup& state) {
  auto original =
      state.get<TransactionState>(keys::transaction_key(order.ledger, order.transaction_id));
  if (!original.ok()) return std::move(original).error();
  if (!original->has_value() || !(*original)->reverted_by) return ok_status();
  return make_error(Code::kAlreadyReverted, "transaction " + std::to_string(order.transaction_id) +
                                                " is already reverted by " +
                                                std::to_string(*(*original)->reverted_by));
}

}  // namespace

Status check_order_rules(const Order& order, const StateLookup& state, RequestSoFar& so_far) {
  TALLY_TRY(ledger_rule(order, state, so_far));
  return std::visit(Overloaded{
                        [&](const CreateTransaction& o) { return reference_rule(o, state); },
                        [&](const RevertTransaction& o) { return revert_rule(o, state); },
                        [](const auto&) { return ok_status(); },
                    },
                    order);
}

Result<bool> replays_key(const std::string& key, const std::vector<Order>& orders,
                         const StateLookup& state) {
  auto raw = state.raw(keys::idempotency_key(key));
  if (!raw.ok()) return std::move(raw).error();
  if (!*raw) return false;
  auto record = fsm::decode_idempotency_record(**raw);
  if (!record.ok()) return std::move(record).error();
  if (record->intent_hash == fsm::intent_hash(orders)) return true;
  return make_error(Code::kIdempotencyConflict, "idempotency key " + quote_input(key) +
                                                    " was used for another request (audit entry " +
                                                    std::to_string(record->audit_sequence) + ")");
}

}  // namespace tally::plan
