// Reading a stored transaction, with the distinction DESIGN.md §6 asks for: a transaction
// admission never saw is NotFound (audited); one admission saw but the cache lacks at apply
// is an invariant violation (transactions are never deleted).
#pragma once

#include "core/domain/values.hpp"
#include "core/fsm/gated_scope.hpp"

namespace tally::fsm {

Result<domain::TransactionState> read_transaction(const GatedScope& scope,
                                                  const std::string& ledger, std::uint64_t id);

}  // namespace tally::fsm
