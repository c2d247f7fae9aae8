// Sample values of every encoded type, covering every field and variant: shared by the codec
// tests and the fuzz corpus generator.
#pragma once

#include <vector>

#include "core/audit/audit_entry.hpp"
#include "core/domain/order.hpp"
#include "core/domain/values.hpp"
#include "core/plan/proposal.hpp"

namespace tally::testing {

std::vector<domain::Order> sample_orders();  // one of every order type, fields set
domain::TransactionState sample_transaction();
plan::Proposal sample_proposal();
audit::AuditEntry sample_audit_entry();

}  // namespace tally::testing
