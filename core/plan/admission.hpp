// Admission (DESIGN.md §4): runs on the leader before proposing.
//
// From a request and the index the leader will assign (predicted_index), lists every
// attribute each order reads or deletes, classifies each with CheckCache, reads Misses from
// the store into seeds, and builds the plan with per-order coverage bits. A request whose
// prediction lies two or more generations ahead is refused as retryable
// (CacheHorizonExceeded): nothing is proposed, nothing is audited.
//
// REQUIRES: the cache is at the generation of the leader's applied index (the state machine
// keeps it there). Reads the cache and the store; writes nothing.
#pragma once

#include "core/cache/cache.hpp"
#include "core/plan/proposal.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::plan {

struct AdmissionInput {
  const cache::Cache& cache;
  const store::KeyValueStore& store;
  std::uint64_t predicted_index;  // the log index the leader expects this entry to get
  std::uint64_t timestamp_us;     // the leader's clock
};

// Errors: kValidation (malformed request), kCacheHorizonExceeded (retry later),
// kStorage / kCorrupt / kCollisionDetected (the node's own state is broken).
Result<Proposal> admit(const Request& request, const AdmissionInput& input);

}  // namespace tally::plan
