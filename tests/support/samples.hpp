// Sample values of every encoded type, covering every field and variant: shared by the codec
// tests and the fuzz corpus generator.
#pragma once

#include <vector>

#include "core/audit/audit_entry.hpp"
#include "core/domain/order.hpp"
#include "core/domain/values.hpp"
#include "core/plan/proposal.hpp"

namespace tally::testing {

// One of every order type, fields set; then the two orders again with the fields that trail
// their encoding (a transaction's account metadata, a revert's metadata), and a transaction
// given as a script.
std::vector<domain::Order> sample_orders();
domain::TransactionState sample_transaction();
plan::Proposal sample_proposal();
audit::AuditEntry sample_audit_entry();
// A proposal and an audit entry answering per order: order keys, a bulk mode, an outcome of
// each kind.
plan::Proposal sample_per_order_proposal();
audit::AuditEntry sample_per_order_audit_entry();

}  // namespace tally::testing
