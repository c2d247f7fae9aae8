// Account and transaction metadata: set (merge) and delete by key. Deleting a key that is
// not there succeeds and changes nothing (idempotent, like an HTTP DELETE).
#include "core/fsm/ledger_access.hpp"
#include "core/fsm/order_executor.hpp"
#include "core/fsm/transaction_access.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

Result<OrderResult> execute(const domain::SetAccountMetadata& order, OrderContext& context) {
  GatedScope& scope = context.scope;
  TALLY_TRY(require_open_ledger(scope, order.ledger));
  auto boundary = read_boundary(scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  auto key = keys::account_metadata_key(order.ledger, order.account);
  auto current = scope.get<domain::Metadata>(key);
  if (!current.ok()) return std::move(current).error();
  auto merged = domain::merge_metadata(current->value_or(domain::Metadata{}), order.metadata);
  if (!merged.ok()) return std::move(merged).error();
  scope.put(key, *merged);
  return OrderResult{std::nullopt, take_log_sequence(scope, order.ledger, *boundary)};
}

Result<OrderResult> execute(const domain::DeleteAccountMetadata& order, OrderContext& context) {
  GatedScope& scope = context.scope;
  TALLY_TRY(require_open_ledger(scope, order.ledger));
  auto boundary = read_boundary(scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  auto key = keys::account_metadata_key(order.ledger, order.account);
  auto current = scope.get<domain::Metadata>(key);
  if (!current.ok()) return std::move(current).error();
  if (current->has_value() && (*current)->erase(order.key) == 1) {
    // The last key takes the attribute with it: the delete goes through Del and the gate.
    if ((*current)->empty()) {
      TALLY_TRY(scope.del(key));
    } else {
      scope.put(key, **current);
    }
  }
  return OrderResult{std::nullopt, take_log_sequence(scope, order.ledger, *boundary)};
}

Result<OrderResult> execute(const domain::SetTransactionMetadata& order, OrderContext& context) {
  GatedScope& scope = context.scope;
  TALLY_TRY(require_open_ledger(scope, order.ledger));
  auto boundary = read_boundary(scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  auto state = read_transaction(scope, order.ledger, order.transaction_id);
  if (!state.ok()) return std::move(state).error();
  auto merged = domain::merge_metadata(state->metadata, order.metadata);
  if (!merged.ok()) return std::move(merged).error();
  state->metadata = std::move(merged).value();
  scope.put(keys::transaction_key(order.ledger, order.transaction_id), *state);
  return OrderResult{std::nullopt, take_log_sequence(scope, order.ledger, *boundary)};
}

Result<OrderResult> execute(const domain::DeleteTransactionMetadata& order, OrderContext& context) {
  GatedScope& scope = context.scope;
  TALLY_TRY(require_open_ledger(scope, order.ledger));
  auto boundary = read_boundary(scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  auto state = read_transaction(scope, order.ledger, order.transaction_id);
  if (!state.ok()) return std::move(state).error();
  if (state->metadata.erase(order.key) == 1) {
    scope.put(keys::transaction_key(order.ledger, order.transaction_id), *state);
  }
  return OrderResult{std::nullopt, take_log_sequence(scope, order.ledger, *boundary)};
}

}  // namespace tally::fsm
