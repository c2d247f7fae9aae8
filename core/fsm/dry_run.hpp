// A dry run (the API's dryRun=true): what a request would do if it applied now, without
// proposing, auditing or writing anything.
//
// Admission runs as for a real request (its refusals answer the dry run too, and keys are
// ignored: a dry run records nothing); every attribute the plan declares is copied, at its
// current value, into a scratch cache; the orders then run through the same executors under
// the same gate, atomically. The answer is the outcome and the transactions the orders would
// store. It reflects the applied state only: proposals in flight are not seen, so an id may
// differ from the one a real request gets.
#pragma once

#include <optional>
#include <vector>

#include "core/domain/outcome.hpp"
#include "core/domain/values.hpp"
#include "core/plan/admission.hpp"

namespace tally::fsm {

struct DryRun {
  domain::Outcome outcome;  // kSuccess or kFailure (business codes), as an atomic request
  // Per order: the transaction it would create (a create or a revert), else none.
  std::vector<std::optional<domain::TransactionState>> transactions;
};

// Errors: what admission refuses, and hard errors (the node's own state is broken).
Result<DryRun> dry_run(const plan::Request& request, const plan::AdmissionInput& input);

}  // namespace tally::fsm
