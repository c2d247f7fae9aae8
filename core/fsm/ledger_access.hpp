// Reads every ledger order starts with: the ledger must exist and be open, and each accepted
// order takes the next log sequence from the ledger's boundary.
#pragma once

#include <string>

#include "core/domain/values.hpp"
#include "core/fsm/gated_scope.hpp"

namespace tally::fsm {

// The ledger's info; NotFound when it does not exist or is deleted.
Result<domain::LedgerInfo> require_open_ledger(const GatedScope& scope, const std::string& ledger);

// The open ledger's boundary. Boundaries leave only with their ledger, so an open ledger
// without one was planted by a seed of a log entry (a ledger row no store holds):
// kMalformedProposal, the proposal is rejected unaudited.
Result<domain::Boundary> read_boundary(const GatedScope& scope, const std::string& ledger);

// Both, as every order on an existing ledger starts: the open ledger's boundary.
Result<domain::Boundary> open_ledger_boundary(const GatedScope& scope, const std::string& ledger);

// Hands out the boundary's next log sequence and writes the boundary back.
std::uint64_t take_log_sequence(GatedScope& scope, const std::string& ledger,
                                domain::Boundary& boundary);

}  // namespace tally::fsm
