#include "native/http/writes.hpp"

#include "core/domain/validation.hpp"
#include "native/http/cursors.hpp"
#include "native/json/request_json.hpp"

namespace tally::http {
namespace {

Headers applied_headers(const replica::Reply& reply) {
  Headers headers{{"tally-applied-index", std::to_string(reply.index)}};
  if (reply.report && reply.report->outcome.is_replay()) {
    headers.emplace_back("idempotency-hit", "true");
  }
  return headers;
}

void answer_reply(Server::Impl& impl, const CallPtr& call, const replica::Reply& reply,
                  const Answer& answer, bool answers_failures) {
  using S = replica::Reply::Status;
  impl.owner->metrics().record_write(replica::reply_status_name(reply.status));
  if (reply.status == S::kNotLeader) return redirect_to_leader(impl, call);
  if (reply.status != S::kApplied || !reply.report) {
    return impl.respond_error(call, api_error(reply));
  }
  const Headers headers = applied_headers(reply);
  const domain::Outcome& outcome = reply.report->outcome;
  if (outcome.kind == domain::Outcome::Kind::kFailure && !answers_failures) {
    return impl.respond_error(call, make_error(outcome.code, outcome.message), headers);
  }
  answer(impl, call, outcome, headers);
}

}  // namespace

void redirect_to_leader(Server::Impl& impl, const CallPtr& call) {
  const std::uint64_t leader = impl.node->leader_id();
  auto address = impl.config.peer_http.find(leader);
  if (leader == 0 || address == impl.config.peer_http.end()) {
    return impl.respond_error(call, unavailable("NO_LEADER", "no leader is known yet"));
  }
  impl.owner->metrics().record_write("REDIRECT");
  impl.respond(
      call, 307,
      error_body(ApiError{307, "NOT_LEADER", "node " + std::to_string(leader) + " leads", ""}),
      {{"location", impl.scheme() + address->second + call->path_and_query()}});
}

Result<std::optional<std::string>> idempotency_key(const Call& call) {
  std::optional<std::string> key = call.header("idempotency-key");
  if (!key || key->empty()) return std::optional<std::string>();
  Status valid = domain::validate_idempotency_key(*key);
  if (!valid.ok()) return json::field_error("Idempotency-Key", valid.error().message);
  return key;
}

void submit_write(Server::Impl& impl, const CallPtr& call, plan::Request request, Answer answer,
                  bool answers_failures) {
  if (!impl.node->is_leader()) return redirect_to_leader(impl, call);
  impl.node->submit(std::move(request), [&impl, call, answer = std::move(answer),
                                         answers_failures](replica::Reply reply) {
    answer_reply(impl, call, reply, answer, answers_failures);
  });
}

void submit_or_dry_run(Server::Impl& impl, const CallPtr& call, plan::Request request,
                       Answer answer, DryAnswer dry_answer) {
  auto dry = flag_param(*call, "dryRun");
  if (!dry.ok()) return impl.respond_error(call, dry.error());
  if (!*dry) return submit_write(impl, call, std::move(request), std::move(answer));
  // On the leader, a dry run sees every write the client was answered for.
  if (!impl.node->is_leader()) return redirect_to_leader(impl, call);
  auto run = impl.node->dry_run(request);
  if (!run.ok()) return impl.respond_error(call, run.error());
  if (!run->outcome.ok()) {
    return impl.respond_error(call, make_error(run->outcome.code, run->outcome.message));
  }
  dry_answer(impl, call, *run);
}

void submit_no_content(Server::Impl& impl, const CallPtr& call, domain::Order order) {
  auto key = idempotency_key(*call);
  if (!key.ok()) return impl.respond_error(call, key.error());
  submit_or_dry_run(impl, call, plan::Request{{std::move(order)}, *key}, answer_no_content,
                    [](Server::Impl& impl, const CallPtr& call, const fsm::DryRun&) {
                      impl.respond(call, 204, "");
                    });
}

void answer_no_content(Server::Impl& impl, const CallPtr& call, const domain::Outcome&,
                       const Headers& headers) {
  impl.respond(call, 204, "", headers);
}

}  // namespace tally::http
