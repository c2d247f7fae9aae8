// Executes one order against a gated scope (docs/design.md §5, §6).
//
// Business rejections come back as Errors with business codes (the proposal then fails,
// audited, and its write set is discarded); anything else (corruption, collisions,
// invariant violations) is hard and stops the node. Executors read and write only through
// the scope. SetRotationThreshold touches no attribute: the state machine applies it.
#pragma once

#include "core/domain/order.hpp"
#include "core/domain/outcome.hpp"
#include "core/fsm/gated_scope.hpp"

namespace tally::fsm {

using domain::OrderResult;

struct OrderContext {
  GatedScope& scope;
  std::uint64_t proposal_timestamp_us;
};

Result<OrderResult> execute_order(const domain::Order& order, OrderContext& context);

// One function per order family; execute_order dispatches to them.
Result<OrderResult> execute(const domain::CreateLedger& order, OrderContext& context);
Result<OrderResult> execute(const domain::DeleteLedger& order, OrderContext& context);
Result<OrderResult> execute(const domain::SetLedgerMetadata& order, OrderContext& context);
Result<OrderResult> execute(const domain::DeleteLedgerMetadata& order, OrderContext& context);
Result<OrderResult> execute(const domain::CreateTransaction& order, OrderContext& context);
Result<OrderResult> execute(const domain::RevertTransaction& order, OrderContext& context);
Result<OrderResult> execute(const domain::SetAccountMetadata& order, OrderContext& context);
Result<OrderResult> execute(const domain::DeleteAccountMetadata& order, OrderContext& context);
Result<OrderResult> execute(const domain::SetTransactionMetadata& order, OrderContext& context);
Result<OrderResult> execute(const domain::DeleteTransactionMetadata& order, OrderContext& context);

}  // namespace tally::fsm
