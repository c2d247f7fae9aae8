// The write path every write route shares: a follower redirects to the leader; the leader
// submits the request (admission refuses what is simply wrong, core/plan) and answers once
// the entry applies here; a dry run (dryRun=true) runs on the leader's applied state too and
// changes nothing. The route's handler parses the request and renders the success.
#pragma once

#include <functional>

#include "core/fsm/dry_run.hpp"
#include "native/http/server_impl.hpp"

namespace tally::http {

// Renders the answer to an applied request: a success, or one outcome per order; a failure
// of the whole request only for a write that answers its failures itself (a bulk).
using Answer = std::function<void(Server::Impl& impl, const CallPtr& call,
                                  const domain::Outcome& outcome, const Headers& headers)>;
// Renders the answer to a dry run that would succeed.
using DryAnswer =
    std::function<void(Server::Impl& impl, const CallPtr& call, const fsm::DryRun& run)>;

// Submits request and answers through answer. A request answering per order is answered
// through answer whatever its orders' outcomes.
void submit_write(Server::Impl& impl, const CallPtr& call, plan::Request request, Answer answer,
                  bool answers_failures = false);

// An order answered 204 when it applies (or, dryRun=true, would), keyed by the call's
// Idempotency-Key: setting an account's or a transaction's metadata.
void submit_no_content(Server::Impl& impl, const CallPtr& call, domain::Order order);

// submit_write, or a dry run when the call says dryRun=true (then dry_answer answers).
void submit_or_dry_run(Server::Impl& impl, const CallPtr& call, plan::Request request,
                       Answer answer, DryAnswer dry_answer);

// The write's Idempotency-Key header, validated; none without one.
Result<std::optional<std::string>> idempotency_key(const Call& call);

// 204 for an applied write that answers nothing.
void answer_no_content(Server::Impl& impl, const CallPtr& call, const domain::Outcome& outcome,
                       const Headers& headers);

// A follower's answer: 307 to the leader, or 503 NO_LEADER while none is known.
void redirect_to_leader(Server::Impl& impl, const CallPtr& call);

}  // namespace tally::http
