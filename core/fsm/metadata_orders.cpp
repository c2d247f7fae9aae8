// Account and transaction metadata: set (merge) and delete by key. Deleting a key that is
// not there succeeds and changes nothing (idempotent, like an HTTP DELETE).
#include "core/fsm/ledger_access.hpp"
#include "core/fsm/metadata_access.hpp"
#include "core/fsm/order_executor.hpp"
#include "core/fsm/transaction_access.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

Result<OrderResult> execute(const domain::SetAccountMetadata& order, OrderContext& context) {
  auto boundary = open_ledger_boundary(context.scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  TALLY_TRY(merge_metadata_at(
      context.scope, keys::account_metadata_key(order.ledger, order.account), order.metadata));
  return OrderResult{std::nullopt, take_log_sequence(context.scope, order.ledger, *boundary)};
}

Result<OrderResult> execute(const domain::DeleteAccountMetadata& order, OrderContext& context) {
  auto boundary = open_ledger_boundary(context.scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  TALLY_TRY(erase_metadata_key_at(context.scope,
                                  keys::account_metadata_key(order.ledger, order.account),
                                  order.key, WhenEmpty::kDeleteAttribute));
  return OrderResult{std::nullopt, take_log_sequence(context.scope, order.ledger, *boundary)};
}

// Transaction metadata lives inside the transaction's state.
template <class Edit>
Result<OrderResult> edit_transaction(const std::string& ledger, std::uint64_t id,
                                     OrderContext& context, Edit edit) {
  auto boundary = open_ledger_boundary(context.scope, ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  auto state = read_transaction(context.scope, ledger, id);
  if (!state.ok()) return std::move(state).error();
  auto changed = edit(state->metadata);
  if (!changed.ok()) return std::move(changed).error();
  if (*changed) context.scope.put(keys::transaction_key(ledger, id), *state);
  return OrderResult{std::nullopt, take_log_sequence(context.scope, ledger, *boundary)};
}

Result<OrderResult> execute(const domain::SetTransactionMetadata& order, OrderContext& context) {
  return edit_transaction(order.ledger, order.transaction_id, context,
                          [&](domain::Metadata& metadata) -> Result<bool> {
                            auto merged = domain::merge_metadata(metadata, order.metadata);
                            if (!merged.ok()) return std::move(merged).error();
                            metadata = std::move(merged).value();
                            return true;
                          });
}

Result<OrderResult> execute(const domain::DeleteTransactionMetadata& order, OrderContext& context) {
  return edit_transaction(
      order.ledger, order.transaction_id, context,
      [&](domain::Metadata& metadata) -> Result<bool> { return metadata.erase(order.key) == 1; });
}

}  // namespace tally::fsm
