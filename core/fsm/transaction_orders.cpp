// Transaction orders: create and revert.
#include "core/fsm/ledger_access.hpp"
#include "core/fsm/metadata_access.hpp"
#include "core/fsm/order_executor.hpp"
#include "core/fsm/postings_application.hpp"
#include "core/fsm/script_execution.hpp"
#include "core/fsm/transaction_access.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

Result<OrderResult> execute(const domain::CreateTransaction& order, OrderContext& context) {
  if (order.script) return execute_scripted(order, context);
  GatedScope& scope = context.scope;
  auto boundary = open_ledger_boundary(scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  std::uint64_t id = boundary->next_transaction_id++;
  if (order.reference) TALLY_TRY(claim_reference(scope, order.ledger, *order.reference, id));
  TALLY_TRY(apply_postings(scope, order.ledger, order.postings, order.force));
  domain::TransactionState state;
  state.id = id;
  state.postings = order.postings;
  state.metadata = order.metadata;
  state.timestamp_us = order.timestamp_us.value_or(context.proposal_timestamp_us);
  state.reference = order.reference;
  scope.put(keys::transaction_key(order.ledger, id), state);
  for (const auto& [account, metadata] : order.account_metadata) {
    TALLY_TRY(
        merge_metadata_at(scope, keys::account_metadata_key(order.ledger, account), metadata));
  }
  return OrderResult{id, take_log_sequence(scope, order.ledger, *boundary)};
}

Result<OrderResult> execute(const domain::RevertTransaction& order, OrderContext& context) {
  GatedScope& scope = context.scope;
  auto boundary = open_ledger_boundary(scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  auto original = read_transaction(scope, order.ledger, order.transaction_id);
  if (!original.ok()) return std::move(original).error();
  if (original->reverted_by) {
    return make_error(Code::kAlreadyReverted, "transaction " + std::to_string(original->id) +
                                                  " is already reverted by " +
                                                  std::to_string(*original->reverted_by));
  }
  std::uint64_t id = boundary->next_transaction_id++;
  // Postings come from the stored state, never from the request (docs/design.md §6).
  std::vector<domain::Posting> postings = domain::reversed_postings(original->postings);
  TALLY_TRY(apply_postings(scope, order.ledger, postings, order.force));
  domain::TransactionState revert;
  revert.id = id;
  revert.postings = std::move(postings);
  revert.metadata = order.metadata;
  revert.metadata.insert_or_assign(std::string(domain::kRevertMetadataKey),
                                   std::to_string(original->id));
  revert.timestamp_us =
      order.at_effective_date ? original->timestamp_us : context.proposal_timestamp_us;
  revert.reverts = original->id;
  original->reverted_by = id;
  scope.put(keys::transaction_key(order.ledger, original->id), *original);
  scope.put(keys::transaction_key(order.ledger, id), revert);
  return OrderResult{id, take_log_sequence(scope, order.ledger, *boundary)};
}

}  // namespace tally::fsm
