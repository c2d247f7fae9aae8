// A scripted CreateTransaction at apply: the script runs against the gated cache only
// (inv#3, inv#5) and what it yields goes through the same writes as a transaction given as
// postings (core/numscript/script_transaction.hpp for the run itself).
//
// Admission bound the script's variables against the state it saw and declared the footprint
// they give (core/plan/script_footprint.hpp). Apply binds them again against the state at its
// index; if an in-flight proposal changed a value an origin reads (meta() of an account
// another proposal re-pointed), the script may now name attributes admission never declared.
// Every read the script makes, and every volume and account metadata it is about to write,
// is therefore checked against the order's coverage first, and an undeclared one makes the
// whole proposal stale (kStaleProposal: retryable, not audited; admission will see the new
// value). A script never reads past its declaration, and never turns a moved footprint into
// a business failure.
#pragma once

#include "core/domain/order.hpp"
#include "core/fsm/order_executor.hpp"

namespace tally::fsm {

// REQUIRES: order.script.
Result<OrderResult> execute_scripted(const domain::CreateTransaction& order, OrderContext& context);

}  // namespace tally::fsm
