// Bulks (the Go ledger's v2 /_bulk): every element kind, atomic or each on its own
// (continueOnFailure), a key per element (ik), one result per element with its log id, all
// in one log entry (domain/bulk.hpp).
#include "core/limits.hpp"
#include "core/query/ledger_reads.hpp"
#include "native/http/cursors.hpp"
#include "native/http/route_table.hpp"
#include "native/http/v2_common.hpp"
#include "native/http/writes.hpp"
#include "native/json/request_json.hpp"

namespace tally::http {
namespace {

struct BulkAnswer {
  std::string ledger;
  std::vector<std::string> actions;  // each element's responseType
};

void write_error(json::JsonWriter& out, const std::string& code, const std::string& message) {
  out.begin_object();
  out.key("responseType");
  out.string("ERROR");
  out.key("errorCode");
  out.string(code);
  out.key("errorDescription");
  out.string(message);
  out.key("logID");
  out.u64(0);
  out.end_object();
}

// A replayed element (its ik was used before with the same element) also says
// "idempotencyHit": true, beside Formance's fields, as the Idempotency-Hit header does.
Status write_success(json::JsonWriter& out, const Server::Impl& impl, const BulkAnswer& bulk,
                     std::size_t index, const domain::OrderResult& result, bool replay,
                     const json::RenderOptions& options) {
  out.begin_object();
  out.key("responseType");
  out.string(bulk.actions[index]);
  if (replay) {
    out.key("idempotencyHit");
    out.boolean(true);
  }
  if (result.transaction_id) {
    auto state = query::get_transaction(impl.node->store(), bulk.ledger, *result.transaction_id);
    if (!state.ok()) return std::move(state).error();
    if (state->has_value()) {
      out.key("data");
      json::write_transaction(out, {&**state, std::nullopt, nullptr, nullptr}, options);
    }
  }
  out.key("logID");
  out.u64(result.log_sequence.value_or(0));
  out.end_object();
  return ok_status();
}

// One element's answer from its own outcome (a per-order answer).
Status write_element(json::JsonWriter& out, const Server::Impl& impl, const BulkAnswer& bulk,
                     std::size_t index, const domain::Outcome& outcome, bool atomic,
                     const json::RenderOptions& options) {
  switch (outcome.kind) {
    case domain::Outcome::Kind::kSuccess:
      return write_success(out, impl, bulk, index, outcome.results.front(), outcome.is_replay(),
                           options);
    case domain::Outcome::Kind::kFailure: {
      ApiError error = api_error(make_error(outcome.code, outcome.message));
      write_error(out, error.code, error.message);
      return ok_status();
    }
    default:
      // The Go ledger reports an element it did not run as an INTERNAL error.
      write_error(out, "INTERNAL",
                  atomic ? "not applied: another element of this atomic bulk failed"
                         : "not applied: an earlier element failed (continueOnFailure=false)");
      return ok_status();
  }
}

// An atomic bulk without keys answers one outcome: spread over its elements.
domain::Outcome spread(const domain::Outcome& outcome, std::size_t count) {
  if (outcome.kind == domain::Outcome::Kind::kPerOrder) return outcome;
  std::vector<domain::Outcome> each;
  for (std::size_t i = 0; i < count; ++i) {
    if (outcome.ok()) {
      each.push_back(domain::Outcome::success({outcome.results.at(i)}));
    } else if (i == outcome.failed_order) {
      each.push_back(domain::Outcome::failure(0, make_error(outcome.code, outcome.message)));
    } else {
      each.push_back(domain::Outcome::not_applied());
    }
  }
  return domain::Outcome::each(std::move(each));
}

void answer_bulk(Server::Impl& impl, const CallPtr& call, const BulkAnswer& bulk, bool atomic,
                 const domain::Outcome& outcome, const Headers& headers) {
  const domain::Outcome each = spread(outcome, bulk.actions.size());
  // A bulk on a ledger that does not exist is answered as the Go ledger's ledger-scoped
  // routes answer it (admission refused every element for it).
  bool no_ledger = true;
  for (const domain::Outcome& one : each.per_order) {
    no_ledger = no_ledger && one.kind == domain::Outcome::Kind::kFailure &&
                one.code == Code::kLedgerNotFound;
  }
  if (no_ledger) {
    const domain::Outcome& first = each.per_order.front();
    return impl.respond_error(call, make_error(first.code, first.message), headers);
  }
  const json::RenderOptions options = call->render_options();
  json::JsonWriter out;
  out.begin_array();
  bool failed = false;
  for (std::size_t i = 0; i < each.per_order.size(); ++i) {
    failed = failed || !each.per_order[i].ok();
    Status written = write_element(out, impl, bulk, i, each.per_order[i], atomic, options);
    if (!written.ok()) return impl.respond_error(call, written.error());
  }
  out.end_array();
  impl.respond_data(call, failed ? 400 : 200, out.take(), headers);
}

Result<domain::BulkMode> bulk_mode(const Call& call) {
  auto atomic = flag_param(call, "atomic");
  if (!atomic.ok()) return std::move(atomic).error();
  auto go_on = flag_param(call, "continueOnFailure");
  if (!go_on.ok()) return std::move(go_on).error();
  auto parallel = flag_param(call, "parallel");
  if (!parallel.ok()) return std::move(parallel).error();
  if (*atomic && *parallel) {
    return json::field_error("parallel", "atomic and parallel options are mutually exclusive");
  }
  if (*atomic) return domain::BulkMode::kAtomic;
  return *go_on ? domain::BulkMode::kContinueOnFailure : domain::BulkMode::kStopOnFailure;
}

}  // namespace

void handle_bulk(Server::Impl& impl, const CallPtr& call) {
  if (auto version = call->param("schemaVersion"); version && !version->empty()) {
    return impl.respond_error(call, not_implemented("ledger schemas (schemaVersion)"));
  }
  std::string type = call->header("content-type").value_or("application/json");
  type = type.substr(0, type.find(';'));
  if (type != "application/json") {
    return impl.respond_error(call, json::field_error("Content-Type", "unsupported " + type));
  }
  auto mode = bulk_mode(*call);
  if (!mode.ok()) {
    return impl.respond_error(call, ApiError{412, "VALIDATION", mode.error().message, ""});
  }
  auto body = body_json(*call);
  if (!body.ok()) return impl.respond_error(call, body.error());
  BulkAnswer bulk{call->path_param("ledger"), {}};
  auto elements = json::parse_bulk(*body, bulk.ledger);
  if (!elements.ok()) return impl.respond_error(call, elements.error());
  if (elements->size() > limits::kOrdersPerProposalMax) {
    return impl.respond_error(call, ApiError{413, "BULK_SIZE_EXCEEDED",
                                             "bulk size exceeded, max size is " +
                                                 std::to_string(limits::kOrdersPerProposalMax),
                                             ""});
  }
  if (elements->empty()) return impl.respond_data(call, 200, "[]");
  plan::Request request;
  request.mode = *mode;
  domain::OrderKeys keys;
  bool keyed = false;
  for (json::BulkElement& element : *elements) {
    if (element.script_template) {
      return impl.respond_error(call, not_implemented("Numscript templates (script.template)"));
    }
    bulk.actions.push_back(element.action);
    request.orders.push_back(std::move(element.order));
    keyed = keyed || element.idempotency_key.has_value();
    keys.push_back(std::move(element.idempotency_key));
  }
  if (keyed) request.order_keys = std::move(keys);
  // An Idempotency-Key header keys an atomic bulk as one request (elements keep their ik).
  auto key = idempotency_key(*call);
  if (!key.ok()) return impl.respond_error(call, key.error());
  request.idempotency_key = *key;
  const bool atomic = *mode == domain::BulkMode::kAtomic;
  submit_write(
      impl, call, std::move(request),
      [bulk = std::move(bulk), atomic](Server::Impl& impl, const CallPtr& call,
                                       const domain::Outcome& outcome, const Headers& headers) {
        answer_bulk(impl, call, bulk, atomic, outcome, headers);
      },
      true);
}

}  // namespace tally::http
