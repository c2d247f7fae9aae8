// Ledger orders: create, delete (soft), and ledger metadata.
#include "core/fsm/ledger_access.hpp"
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
  auto boundary = read_boundary(scope, order.ledger);
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
  GatedScope& scope = context.scope;
  TALLY_TRY(require_open_ledger(scope, order.ledger));
  auto boundary = read_boundary(scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  auto key = keys::ledger_metadata_key(order.ledger);
  auto current = scope.get<domain::Metadata>(key);
  if (!current.ok()) return std::move(current).error();
  auto merged = domain::merge_metadata(current->value_or(domain::Metadata{}), order.metadata);
  if (!merged.ok()) return std::move(merged).error();
  scope.put(key, *merged);
  return OrderResult{std::nullopt, take_log_sequence(scope, order.ledger, *boundary)};
}

Result<OrderResult> execute(const domain::DeleteLedgerMetadata& order, OrderContext& context) {
  GatedScope& scope = context.scope;
  TALLY_TRY(require_open_ledger(scope, order.ledger));
  auto boundary = read_boundary(scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  auto key = keys::ledger_metadata_key(order.ledger);
  auto current = scope.get<domain::Metadata>(key);
  if (!current.ok()) return std::move(current).error();
  // A ledger's metadata lives as long as the ledger: the last key leaves an empty map.
  if (current->has_value() && (*current)->erase(order.key) == 1) scope.put(key, **current);
  return OrderResult{std::nullopt, take_log_sequence(scope, order.ledger, *boundary)};
}

}  // namespace tally::fsm
