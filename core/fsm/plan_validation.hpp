// Checks of a proposal that arrives from the log, before anything is built from it or written
// (DESIGN.md §4, §7; issue #7). Every field is untrusted: it may come from another node's
// admission or a damaged log. Orders and the idempotency key pass the request rules (names,
// limits); plan entries have known kinds, 16-byte ids, are sorted and unique; seeds are
// exactly where the source says so and decode as valid values of their kind; coverage bits
// name only existing entries. A proposal that fails is rejected unaudited; the index advances.
#pragma once

#include "core/keys/attribute_kind.hpp"
#include "core/plan/proposal.hpp"
#include "core/result.hpp"

namespace tally::fsm {

// kCorrupt naming the first problem; ok otherwise.
Status validate_proposal_shape(const plan::Proposal& proposal);

// Whether seed decodes as a valid value of kind (kCorrupt otherwise).
Status validate_seed(keys::AttributeKind kind, ByteView seed);

}  // namespace tally::fsm
