// One node's cache, row by row, for the stepping model (step_state.hpp): each key's memory
// gen0 and gen1 beside its mirror rows on disk at both gen bytes, decoded for people, and
// the parity check. Scenarios, free play and the simulator's trace all take their NodeSteps
// from here, so every view decodes a row the same way.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/fsm/state_machine.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/sim/key_names.hpp"
#include "core/sim/step_state.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::sim {

using WatchedKeys = std::vector<std::pair<std::string, keys::AttributeKey>>;

struct NodeSource {
  std::string name;
  const fsm::StateMachine* machine = nullptr;  // null while the node is down
  const store::KeyValueStore* store = nullptr;  // what its disk holds (REQUIRED)
  const KeyNames* names = nullptr;              // REQUIRED
  const WatchedKeys* watched = nullptr;         // shown first, flagged watched; may be null
};

// The node's state: counters, parity (memory against the store's cache zone) and every key
// in play: watched keys first, then every key in memory or on disk in (kind, id) order.
NodeStep snapshot_node(const NodeSource& source);

// The cache as a slot, for a key of kind (absent when entry is null).
CacheSlot slot_of(keys::AttributeKind kind, const cache::CacheEntry* entry);
// The mirror row at (gen byte, kind, id) of store, decoded as restore would.
CacheSlot disk_slot(const store::KeyValueStore& store, std::uint8_t gen_byte,
                    keys::AttributeKind kind, const keys::Id128& id);

// SHA-256 over every mirror row the cache's memory implies (cache::mirror_rows), in hex: two
// nodes at the same applied index hold equal caches exactly when these agree (inv#1).
std::string cache_digest(const cache::Cache& cache);

// "0123456789abcdef": a tag as it is shown and written in traces (big-endian hex).
std::string tag_hex(keys::Tag tag);

}  // namespace tally::sim
