// Reading a stored transaction, with the distinction DESIGN.md §6 asks for: a transaction
// admission never saw is NotFound (audited). One the plan declares as seen (a cache hit, a
// seed) that the cache lacks at apply cannot come from an admission (transactions are never
// deleted, and a hit stays cached until apply, inv#4), so the plan is a log entry's bytes,
// not admission's: kMalformedProposal, the proposal is rejected unaudited.
#pragma once

#include "core/domain/values.hpp"
#include "core/fsm/gated_scope.hpp"

namespace tally::fsm {

Result<domain::TransactionState> read_transaction(const GatedScope& scope,
                                                  const std::string& ledger, std::uint64_t id);

}  // namespace tally::fsm
