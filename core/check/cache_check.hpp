// The checker's look at the cache (DESIGN.md §3, §7; issue #7): is it what it stands for?
//
// Parity (inv#1) only proves that memory equals the mirror; a damaged mirror row restores
// into a damaged cache that still has parity, and the next apply spends from it. So every
// visible cache entry (gen0, else gen1) is compared with the attribute row it caches: a live
// entry must equal the row byte for byte under the row's tag, a tombstone means no row.
// (The meta row's agreement with the FSM state and the chain is checked in checker.cpp.)
#pragma once

#include "core/cache/cache.hpp"
#include "core/check/mismatch.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::check {

// Errors only when the store cannot be read; findings go into report.
Status check_cache_against_rows(const cache::Cache& cache, const store::KeyValueStore& store,
                                CheckReport& report);

}  // namespace tally::check
