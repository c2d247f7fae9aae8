// Checks of a proposal that arrives from the log, before anything is built from it or written
// (DESIGN.md §4, §7). Every field is untrusted: it may come from another node's admission or a
// damaged log. Orders and the idempotency key pass the request rules (names, limits); plan
// entries have known kinds, 16-byte ids, are sorted and unique; seeds are exactly where the
// source says so and decode as valid values of their kind; coverage bits name only existing
// entries; the base index names gen0 or gen1 of the cache the entry is applied to.
//
// A proposal that fails is rejected unaudited (kMalformedProposal) on every replica alike,
// and the index advances: a bad entry must never stop a replica, since Raft would replay it
// after every restart. The same holds for what only the state can tell, found while the
// orders run (proposal_rejection below): a plan claiming admission saw a transaction or a
// ledger's boundary the cache lacks, a seed or an order whose key shares its id with another
// key the cache holds. Caches are equal on every replica at equal index (inv#1), so every
// replica rejects alike and their stores stay byte-identical.
//
// What stays an invariant violation (inv#6) is what no log bytes can reach: each such check
// says why where it stands (the write set's merge after its collision pass, a preload after
// check_preload, a PlanIndex over a validated plan).
#pragma once

#include "core/cache/cache.hpp"
#include "core/keys/attribute_kind.hpp"
#include "core/plan/proposal.hpp"
#include "core/result.hpp"

namespace tally::fsm {

// kMalformedProposal naming the first problem; ok otherwise.
Status validate_proposal_shape(const plan::Proposal& proposal);

// The plan's base index must be the base index of gen0 or gen1 (DESIGN.md §4): admission
// reads at gen0's base and never predicts two rotations ahead, so any other value did not
// come from an admission. kMalformedProposal otherwise.
Status validate_base_index(const plan::Plan& plan, const cache::Cache& cache);

// Whether seed decodes as a valid value of kind (kCorrupt otherwise).
Status validate_seed(keys::AttributeKind kind, ByteView seed);

// True for the errors apply answers by rejecting the proposal unaudited, not by stopping:
// kMalformedProposal, and kCollisionDetected (a key of this proposal, or a seed's tag, clashes
// with what the cache holds: refusing that one proposal keeps every replica alike).
bool is_proposal_rejection(Code code);

// A kMalformedProposal error: "malformed proposal: <problem>".
Error malformed_proposal(const std::string& problem);

}  // namespace tally::fsm
