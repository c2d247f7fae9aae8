// Structural checks of a proposal that arrives from the log, before anything is written
// (DESIGN.md §4): known kinds, 16-byte ids, entries sorted and unique, seeds exactly where the
// source says so, coverage bits naming only existing entries, orders within limits.
#pragma once

#include "core/plan/proposal.hpp"
#include "core/result.hpp"

namespace tally::fsm {

// kCorrupt naming the first problem; ok otherwise.
Status validate_proposal_shape(const plan::Proposal& proposal);

}  // namespace tally::fsm
