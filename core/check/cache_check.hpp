// The checker's look at the cache (DESIGN.md §3, §7): is it what it stands for? Every visible
// cache entry against the attribute row it caches (cache/row_agreement.hpp), each
// disagreement a kCacheAttribute mismatch naming the key and both values. (The meta row's
// agreement with the FSM state and the chain is checked in checker.cpp.)
#pragma once

#include "core/cache/cache.hpp"
#include "core/check/mismatch.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::check {

// Errors only when the store cannot be read; findings go into report.
Status check_cache_against_rows(const cache::Cache& cache, const store::KeyValueStore& store,
                                CheckReport& report);

}  // namespace tally::check
