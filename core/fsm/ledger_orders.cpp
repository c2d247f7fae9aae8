// Ledger orders: create, delete (soft), and ledger metadata.
#include "core/fsm/ledger_access.hpp"
#include "core/fsm/metadata_access.hpp"
#include "core/fsm/order_executor.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

Result<OrderResult> execute(const domain::CreateLedger& order, OrderContext& context) {
  GatedScope& scope = context.scope;
  auto existing = scope.get<domain::LedgerInfo>(keys::ledger_key(order.ledger));
  if (!existing.ok()) return std::move(existing).error();
  if (existing->has_value()) {
    return make_error(Code::kAlreadyExists, "ledger " + order.ledger + " already exists");
  }
  scope.put(keys::ledger_key(order.ledger),
            domain::LedgerInfo{order.ledger, context.proposal_timestamp_us, false, 0});
  // Always written, even empty (zero bytes): a ledger's metadata exists with the ledger.
  scope.put(keys::ledger_metadata_key(order.ledger), order.metadata);
  domain::Boundary boundary;
  std::uint64_t sequence = take_log_sequence(scope, order.ledger, boundary);
  return OrderResult{std::nullopt, sequence};
}

Result<OrderResult> execute(const domain::DeleteLedger& order, OrderContext& context) {
  GatedScope& scope = context.scope;
  auto info = require_open_ledger(scope, order.ledger);
  if (!info.ok()) return std::move(info).error();
  auto boundary = read_boundary(scope, order.ledger);  // the boundary leaves with the ledger
  if (!boundary.ok()) return std::move(boundary).error();
  std::uint64_t sequence = boundary->next_log_sequence;
  info->deleted = true;
  info->deleted_at_us = context.proposal_timestamp_us;
  scope.put(keys::ledger_key(order.ledger), *info);
  // The boundary leaves with the ledger: the delete passes the gate like any read (inv#5).
  TALLY_TRY(scope.del(keys::boundary_key(order.ledger)));
  return OrderResult{std::nullopt, sequence};
}

Result<OrderResult> execute(const domain::SetLedgerMetadata& order, OrderContext& context) {
  auto boundary = open_ledger_boundary(context.scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  TALLY_TRY(
      merge_metadata_at(context.scope, keys::ledger_metadata_key(order.ledger), order.metadata));
  return OrderResult{std::nullopt, take_log_sequence(context.scope, order.ledger, *boundary)};
}

Result<OrderResult> execute(const domain::DeleteLedgerMetadata& order, OrderContext& context) {
  auto boundary = open_ledger_boundary(context.scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  TALLY_TRY(erase_metadata_key_at(context.scope, keys::ledger_metadata_key(order.ledger), order.key,
                                  WhenEmpty::kKeepEmpty));
  return OrderResult{std::nullopt, take_log_sequence(context.scope, order.ledger, *boundary)};
}

}  // namespace tally::fsm
