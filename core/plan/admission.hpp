// Admission (docs/design.md §4): runs on the leader before proposing.
//
// From a request and the index the leader will assign (predicted_index), applies the
// refusal rules (admission_rules.hpp), lists every attribute each order reads or deletes,
// classifies each with CheckCache, reads Misses from the store into seeds, and builds the
// plan with per-order coverage bits. A request whose prediction lies two or more generations
// ahead is refused as retryable (CacheHorizonExceeded): nothing is proposed, nothing is
// audited.
//
// A request whose orders each apply on their own (domain/bulk.hpp: continue- or
// stop-on-failure) is refused order by order: the verdicts say which orders were refused
// (and why) or not run (after a refusal, stop-on-failure), and the proposal holds only the
// others, in order. An atomic request is refused whole by any refusal.
//
// REQUIRES: the cache is at the generation of the leader's applied index (the state machine
// keeps it there). Reads the cache and the store; writes nothing.
#pragma once

#include <optional>
#include <vector>

#include "core/cache/cache.hpp"
#include "core/domain/outcome.hpp"
#include "core/plan/proposal.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::plan {

struct AdmissionInput {
  const cache::Cache& cache;
  const store::KeyValueStore& store;
  std::uint64_t predicted_index;  // the log index the leader expects this entry to get
  std::uint64_t timestamp_us;     // the leader's clock
  // false skips the refusal rules (admission_rules.hpp): only to build what a proposal in
  // flight can carry when the state it was admitted against has changed since (the state
  // machine's own checks are tested with it).
  bool refusal_rules = true;
};

// What admission decided for one order of a request.
struct OrderVerdict {
  enum class Kind : std::uint8_t {
    kProposed,  // in the proposal, in request order
    kRefused,   // refused before proposing: refusal says why
    kNotRun,    // after a refusal in a stop-on-failure request
  };
  Kind kind = Kind::kProposed;
  std::optional<Error> refusal;
};
using Verdicts = std::vector<OrderVerdict>;

// Errors: kValidation (malformed request), the business codes of the refusal rules,
// kCacheHorizonExceeded (retry later), kStorage / kCorrupt / kCollisionDetected (the node's
// own state is broken). verdicts (may be null) gets one per request order. A request whose
// every order is refused or not run yields a proposal with no orders: nothing to propose,
// answer_per_order(verdicts, nullptr) is the answer.
Result<Proposal> admit(const Request& request, const AdmissionInput& input,
                       Verdicts* verdicts = nullptr);

// The answer to a request answering per order: the refused orders' refusals, the not-run
// orders not applied, and the proposed orders' outcomes from applied (the state machine's
// per-order outcome of the proposal; null when nothing was proposed).
domain::Outcome answer_per_order(const Verdicts& verdicts, const domain::Outcome* applied);

}  // namespace tally::plan
