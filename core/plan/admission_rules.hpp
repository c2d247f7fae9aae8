// The refusals admission decides before proposing (docs/design.md §4): input that the state it
// reads already dooms is refused with the business code the state machine would give, so a
// request that is simply wrong leaves no log entry, no audit entry and no idempotency record.
//
// A rule refuses only what no proposal in flight can save: a ledger that exists cannot be
// created again, a reference once held stays held, a revert never comes undone, and an
// idempotency record never changes. A missing ledger is the exception a client sees as
// ordering: its creation, still in flight, is not yet applied, so the request is answered as
// if it came first. What admission cannot know (funds, a transaction in flight) is the state
// machine's, audited. The simulator and the WebAssembly build run these rules as nodes do.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/domain/order.hpp"
#include "core/plan/state_lookup.hpp"

namespace tally::plan {

// What earlier orders of the same request change for the later ones' rules.
struct RequestSoFar {
  std::set<std::string> created_ledgers;
};

// kAlreadyExists, kLedgerNotFound, kConflict (reference), kAlreadyReverted; ok otherwise.
// Hard errors (storage, corruption) come back with their own codes.
Status check_order_rules(const domain::Order& order, const StateLookup& state,
                         RequestSoFar& so_far);

// Whether key already holds a record for the same intent (the request is a retry that the
// state machine answers from the record, so no rule applies to it); kIdempotencyConflict when
// it holds another intent's.
Result<bool> replays_key(const std::string& key, const std::vector<domain::Order>& orders,
                         const StateLookup& state);

}  // namespace tally::plan
