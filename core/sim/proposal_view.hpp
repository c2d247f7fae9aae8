// A proposal as the stepping model shows it (step_state.hpp ProposalStep): its plan's entries
// with their admission verdicts, seeds decoded, and each order's coverage bits. Scenarios,
// the simulator's trace and a node's trace report all describe plans through here.
#pragma once

#include <string>

#include "core/cache/cache.hpp"
#include "core/plan/proposal.hpp"
#include "core/sim/key_names.hpp"
#include "core/sim/node_snapshot.hpp"
#include "core/sim/step_state.hpp"

namespace tally::sim {

// What the proposal itself says: predicted index, epoch, base index, entries (labelled by
// names; watched keys flagged) and orders. Status "in flight"; the admission-time fields
// (admitted_at, cache generation, d) are fill_admission's.
ProposalStep plan_view(const plan::Proposal& p, const KeyNames& names, const WatchedKeys* watched);

// The leader's side at admission: the applied index and the cache generation it predicted
// from, and d (docs/design.md §4).
void fill_admission(ProposalStep& view, const cache::Cache& cache, std::uint64_t applied_index);

// "alice: set k", "world -> a 10 USD", ...: an order in a few words.
std::string order_summary(const domain::Order& order);

}  // namespace tally::sim
