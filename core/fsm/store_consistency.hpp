// What recovery cross-checks before trusting a store (DESIGN.md §3, §8; issue #7).
//
// Three rows tell the cache where it stands: the FSM state row (applied index, audit tail,
// epoch, threshold), the cache meta row (generation, epoch, threshold) and the last audit
// entry. They are written in one batch, so on a sound store they agree. A damaged one must
// not silently realign the cache: a generation one off swaps gen0 and gen1 (the next
// transaction then reuses an existing id), an epoch off makes every proposal stale on one
// node only. StateMachine::open refuses a store with any disagreement (kCorrupt naming the
// rows); the checker reports each as a typed mismatch. Reads two rows and one audit row.
// check_cache_rows then holds the restored cache against the attribute rows.
#pragma once

#include <string>
#include <vector>

#include "core/cache/cache.hpp"
#include "core/cache/cache_mirror.hpp"
#include "core/fsm/fsm_state.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::fsm {

struct Disagreement {
  enum class About {
    kCacheMeta,     // the cache meta row against the FSM state row
    kAppliedIndex,  // the applied index against the audit chain's last entry
    kAuditTail,     // the state row's audit sequence or head against the last audit entry
  };
  About about;
  std::string rows;      // which rows disagree, readable
  std::string expected;  // what the FSM state row implies
  std::string actual;    // what the other row holds
};

// Every disagreement between state, meta and the audit chain's last entry; empty when they
// agree. Errors only when the store cannot be read.
Result<std::vector<Disagreement>> find_disagreements(const store::KeyValueStore& store,
                                                     const FsmState& state,
                                                     const cache::CacheMeta& meta);

// "cache meta row vs FSM state row: expected generation 3 ..., store has generation 4 ..."
std::string describe(const Disagreement& disagreement);

// Every visible entry of the restored cache against the attribute row it stands for
// (cache/row_agreement.hpp): kCorrupt naming the first entry that disagrees, with its key and
// both values. A node must not serve or vote from a cache that would spend money the store
// does not hold. One ordered scan of the store's attribute rows.
Status check_cache_rows(const cache::Cache& cache, const store::KeyValueStore& store);

}  // namespace tally::fsm
