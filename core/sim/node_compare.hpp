// Every node side by side (inv#1: at each applied index every node's cache equals every
// other's). Compares the nodes of one step key by key and marks the rows where nodes at the
// same applied index hold a key otherwise in memory: the live-versus-tombstone split of
// formancehq/ledger#1455 shows up here. Nodes that are down, at another index, or whose rows
// are not known are left out; a slot a trace never saw (CacheSlot::unknown) is not compared.
#pragma once

#include <string>
#include <vector>

#include "core/sim/step_state.hpp"

namespace tally::sim {

// Sets KeyRow::nodes_differ on every differing row of every node and returns the first
// difference in words ("alice's metadata at gen1: node 0 holds live {k: true}, node 1 a
// tombstone"), or "" when the nodes agree.
std::string mark_node_differences(std::vector<NodeStep>& nodes);

// The same slot for people: "nothing", "a tombstone", "live {k: true}", "a malformed row".
std::string say_slot(const CacheSlot& slot);

// Same bytes: presence, tombstone flag, tag and value (the decoded text follows from them).
bool same_bytes(const CacheSlot& a, const CacheSlot& b);

}  // namespace tally::sim
