// Writes (POST, PUT, DELETE): the leader validates, refuses what would only be an audited
// failure it can already see (unknown ledger, reused idempotency key), proposes, and answers
// when the entry is applied here. Followers redirect to the leader.
#include "core/domain/validation.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/overloaded.hpp"
#include "core/store/layout.hpp"
#include "native/http/orders_json.hpp"
#include "native/http/server_impl.hpp"
#include "native/http/views_json.hpp"

namespace tally::http {
namespace {

enum class Answer { kNoContent, kTransaction, kBulk };

struct Write {
  std::vector<BulkElement> elements;  // one unless bulk
  bool atomic = true;                 // one proposal for every element
  Answer answer = Answer::kNoContent;
  int success_status = 204;
  std::string ledger;
};

using Parser = std::function<Result<Write>(const Call&)>;

Result<Json> body_json(const Call& call) {
  std::string_view body = call.body();
  if (body.empty()) return make_error(Code::kValidation, "body: missing");
  return parse_json(body);
}

Result<bool> flag_param(const Call& call, std::string_view name) {
  auto value = call.param(name);
  if (!value || *value == "false" || *value == "0") return false;
  if (value->empty() || *value == "true" || *value == "1") return true;
  return field_error(std::string(name),
                     "expected true or false, got " + domain::quote_input(*value));
}

Write single(domain::Order order, Answer answer, int status, const std::string& ledger) {
  Write write;
  write.elements.push_back({std::move(order), std::nullopt});
  write.answer = answer;
  write.success_status = status;
  write.ledger = ledger;
  return write;
}

Result<domain::Metadata> metadata_body(const Call& call) {
  auto json = body_json(call);
  if (!json.ok()) return std::move(json).error();
  return parse_metadata(json.value(), "metadata");
}

// The route's parser and its name for metrics; nullptr when no write route matches.
Parser match(const Call& call, std::string& route) {
  const auto& s = call.segments;
  const std::string& m = call.method;
  const std::size_t n = s.size();
  if (n < 2) return nullptr;
  const std::string& ledger = s[1];
  if (n == 2 && m == "POST") {
    route = "POST /v3/{ledger}";
    return [&ledger](const Call& c) -> Result<Write> {
      domain::CreateLedger order{ledger, {}};
      if (!c.body().empty()) {
        auto json = body_json(c);
        if (!json.ok()) return std::move(json).error();
        if (!json.value().is_object()) return field_error("body", "expected an object");
        for (const auto& member : json.value().members) {
          if (member.first != "metadata") return field_error(member.first, "unknown field");
        }
        if (const Json* metadata = json.value().find("metadata")) {
          auto parsed = parse_metadata(*metadata, "metadata");
          if (!parsed.ok()) return std::move(parsed).error();
          order.metadata = std::move(parsed).value();
        }
      }
      return single(order, Answer::kNoContent, 204, ledger);
    };
  }
  if (n == 2 && m == "DELETE") {
    route = "DELETE /v3/{ledger}";
    return [&ledger](const Call&) -> Result<Write> {
      return single(domain::DeleteLedger{ledger}, Answer::kNoContent, 204, ledger);
    };
  }
  if (n == 3 && s[2] == "metadata" && (m == "POST" || m == "PUT")) {
    route = "POST /v3/{ledger}/metadata";
    return [&ledger](const Call& c) -> Result<Write> {
      auto metadata = metadata_body(c);
      if (!metadata.ok()) return std::move(metadata).error();
      return single(domain::SetLedgerMetadata{ledger, metadata.value()}, Answer::kNoContent, 204,
                    ledger);
    };
  }
  if (n == 4 && s[2] == "metadata" && m == "DELETE") {
    route = "DELETE /v3/{ledger}/metadata/{key}";
    return [&ledger, &s](const Call&) -> Result<Write> {
      return single(domain::DeleteLedgerMetadata{ledger, s[3]}, Answer::kNoContent, 204, ledger);
    };
  }
  if (n == 3 && s[2] == "transactions" && m == "POST") {
    route = "POST /v3/{ledger}/transactions";
    return [&ledger](const Call& c) -> Result<Write> {
      auto json = body_json(c);
      if (!json.ok()) return std::move(json).error();
      auto transaction = parse_transaction(json.value(), ledger, "");
      if (!transaction.ok()) return std::move(transaction).error();
      return single(std::move(transaction).value(), Answer::kTransaction, 200, ledger);
    };
  }
  if (n == 5 && s[2] == "transactions" && s[4] == "revert" && m == "POST") {
    route = "POST /v3/{ledger}/transactions/{id}/revert";
    return [&ledger, &s](const Call& c) -> Result<Write> {
      auto id = parse_id(s[3], "id");
      if (!id.ok()) return std::move(id).error();
      auto force = flag_param(c, "force");
      if (!force.ok()) return std::move(force).error();
      auto effective = flag_param(c, "atEffectiveDate");
      if (!effective.ok()) return std::move(effective).error();
      return single(domain::RevertTransaction{ledger, id.value(), force.value(), effective.value()},
                    Answer::kTransaction, 201, ledger);
    };
  }
  if (n == 5 && s[2] == "transactions" && s[4] == "metadata" && (m == "POST" || m == "PUT")) {
    route = "POST /v3/{ledger}/transactions/{id}/metadata";
    return [&ledger, &s](const Call& c) -> Result<Write> {
      auto id = parse_id(s[3], "id");
      if (!id.ok()) return std::move(id).error();
      auto metadata = metadata_body(c);
      if (!metadata.ok()) return std::move(metadata).error();
      return single(domain::SetTransactionMetadata{ledger, id.value(), metadata.value()},
                    Answer::kNoContent, 204, ledger);
    };
  }
  if (n == 6 && s[2] == "transactions" && s[4] == "metadata" && m == "DELETE") {
    route = "DELETE /v3/{ledger}/transactions/{id}/metadata/{key}";
    return [&ledger, &s](const Call&) -> Result<Write> {
      auto id = parse_id(s[3], "id");
      if (!id.ok()) return std::move(id).error();
      return single(domain::DeleteTransactionMetadata{ledger, id.value(), s[5]}, Answer::kNoContent,
                    204, ledger);
    };
  }
  if (n == 5 && s[2] == "accounts" && s[4] == "metadata" && (m == "POST" || m == "PUT")) {
    route = "POST /v3/{ledger}/accounts/{address}/metadata";
    return [&ledger, &s](const Call& c) -> Result<Write> {
      auto metadata = metadata_body(c);
      if (!metadata.ok()) return std::move(metadata).error();
      return single(domain::SetAccountMetadata{ledger, s[3], metadata.value()}, Answer::kNoContent,
                    204, ledger);
    };
  }
  if (n == 6 && s[2] == "accounts" && s[4] == "metadata" && m == "DELETE") {
    route = "DELETE /v3/{ledger}/accounts/{address}/metadata/{key}";
    return [&ledger, &s](const Call&) -> Result<Write> {
      return single(domain::DeleteAccountMetadata{ledger, s[3], s[5]}, Answer::kNoContent, 204,
                    ledger);
    };
  }
  if (n == 3 && s[2] == "bulk" && m == "POST") {
    route = "POST /v3/{ledger}/bulk";
    return [&ledger](const Call& c) -> Result<Write> {
      auto json = body_json(c);
      if (!json.ok()) return std::move(json).error();
      auto elements = parse_bulk(json.value(), ledger);
      if (!elements.ok()) return std::move(elements).error();
      auto atomic = flag_param(c, "atomic");
      if (!atomic.ok()) return std::move(atomic).error();
      Write write;
      write.elements = std::move(elements).value();
      write.atomic = atomic.value();
      write.answer = Answer::kBulk;
      write.success_status = 200;
      write.ledger = ledger;
      if (write.atomic) {
        for (const auto& element : write.elements) {
          if (element.idempotency_key)
            return field_error("ik",
                               "per-element keys need a non-atomic bulk; use the "
                               "Idempotency-Key header");
        }
      }
      return write;
    };
  }
  return nullptr;
}

// What a follower or a leaderless node answers to a write.
void redirect_or_unavailable(Server::Impl& impl, const CallPtr& call, std::uint64_t leader) {
  auto address = impl.config.peer_http.find(leader);
  if (leader == 0 || address == impl.config.peer_http.end()) {
    impl.respond_unavailable(call, "NO_LEADER", "no leader is known yet");
    return;
  }
  impl.owner->metrics().record_write("REDIRECT");
  impl.respond_error(call, 307, "NOT_LEADER", "node " + std::to_string(leader) + " leads",
                     {{"location", "http://" + address->second + call->path_and_query()}});
}

// Refusals the leader can decide from its own store without proposing anything: an audited
// failure would change the digest for input that is simply wrong.
Status precheck(const Server::Impl& impl, const std::vector<domain::Order>& orders,
                const std::optional<std::string>& idempotency_key) {
  const store::KeyValueStore& store = impl.node->store();
  for (const auto& order : orders) {
    const std::string* ledger = domain::order_ledger(order);
    if (ledger == nullptr) continue;
    auto found = query::get_ledger_info(store, *ledger);
    if (!found.ok()) return found.error();
    const bool open = found.value() && !found.value()->deleted;
    if (std::holds_alternative<domain::CreateLedger>(order)) {
      if (found.value())
        return make_error(Code::kAlreadyExists,
                          "ledger " + domain::quote_input(*ledger) + " already exists");
    } else if (!open) {
      return make_error(Code::kNotFound, "no ledger " + domain::quote_input(*ledger));
    }
  }
  if (idempotency_key) {
    auto row = store.get(store::attribute_row_key(keys::idempotency_key(*idempotency_key)));
    if (!row.ok()) return row.error();
    if (row.value()) {
      auto record = fsm::decode_idempotency_record(*row.value());
      if (record.ok() && record.value().intent_hash != fsm::intent_hash(orders))
        return make_error(Code::kIdempotencyConflict, "idempotency key " +
                                                          domain::quote_input(*idempotency_key) +
                                                          " was used with another request");
    }
  }
  return ok_status();
}

std::string_view action_name(const domain::Order& order) {
  return std::visit(
      Overloaded{[](const domain::CreateTransaction&) { return "CREATE_TRANSACTION"; },
                 [](const domain::RevertTransaction&) { return "REVERT_TRANSACTION"; },
                 [](const domain::SetAccountMetadata&) { return "ADD_METADATA"; },
                 [](const domain::SetTransactionMetadata&) { return "ADD_METADATA"; },
                 [](const domain::DeleteAccountMetadata&) { return "DELETE_METADATA"; },
                 [](const domain::DeleteTransactionMetadata&) { return "DELETE_METADATA"; },
                 [](const auto&) { return "OTHER"; }},
      order);
}

// The data of one successful order: the transaction it created, else null.
void write_order_data(const Server::Impl& impl, JsonWriter& out, const std::string& ledger,
                      const domain::OrderResult& result) {
  if (result.transaction_id) {
    auto transaction = query::get_transaction(impl.node->store(), ledger, *result.transaction_id);
    if (transaction.ok() && transaction.value()) {
      write_transaction(out, *transaction.value());
      return;
    }
  }
  out.null();
}

std::string error_element(const Error& error) {
  JsonWriter out;
  out.begin_object();
  out.key("responseType");
  out.string("ERROR");
  out.key("errorCode");
  out.string(http_status_of(error.code).second);
  out.key("errorDescription");
  out.string(error.message);
  out.end_object();
  return out.take();
}

Error reply_error(const replica::Reply& reply) {
  if (reply.status == replica::Reply::Status::kApplied && reply.report) {
    const auto& outcome = reply.report->outcome;
    return make_error(outcome.code, outcome.message);
  }
  return reply.error.value_or(make_error(Code::kInvariantViolation, "no error in reply"));
}

Headers applied_headers(const replica::Reply& reply) {
  Headers headers{{"tally-applied-index", std::to_string(reply.index)}};
  if (reply.report && reply.report->outcome.is_replay())
    headers.emplace_back("idempotency-hit", "true");
  return headers;
}

// Answers an atomic write from its reply.
void answer_atomic(Server::Impl& impl, const CallPtr& call, const Write& write,
                   const replica::Reply& reply) {
  using S = replica::Reply::Status;
  impl.owner->metrics().record_write(replica::reply_status_name(reply.status));
  switch (reply.status) {
    case S::kApplied: break;
    case S::kNotLeader: return redirect_or_unavailable(impl, call, reply.leader_id);
    case S::kRetry: {
      // Retryable whatever the code says (a raft_apply refusal while leadership moves).
      const Error error = reply_error(reply);
      if (http_status_of(error.code).first == 503) return impl.respond_core_error(call, error);
      return impl.respond_unavailable(call, "RETRY", error.message);
    }
    case S::kUnknown:
      return impl.respond_unavailable(call, "UNKNOWN",
                                      "leadership changed in flight; the request may or may not "
                                      "apply: retry with an Idempotency-Key");
    case S::kRejected: {
      const Error error = reply_error(reply);
      if (http_status_of(error.code).first < 500) return impl.respond_core_error(call, error);
      return impl.respond_error(call, 400, "VALIDATION", error.message);
    }
    case S::kFailed: return impl.respond_error(call, 500, "INTERNAL", reply_error(reply).message);
  }
  const Headers headers = applied_headers(reply);
  const domain::Outcome& outcome = reply.report->outcome;
  if (!outcome.ok()) return impl.respond_core_error(call, reply_error(reply), headers);
  if (write.answer == Answer::kNoContent) return impl.respond(call, 204, "", headers);
  JsonWriter out;
  if (write.answer == Answer::kTransaction) {
    write_order_data(impl, out, write.ledger, outcome.results.at(0));
    return impl.respond_data(call, write.success_status, out.take(), headers);
  }
  out.begin_array();
  for (std::size_t i = 0; i < write.elements.size() && i < outcome.results.size(); ++i) {
    out.begin_object();
    out.key("responseType");
    out.string(action_name(write.elements[i].order));
    out.key("data");
    write_order_data(impl, out, write.ledger, outcome.results[i]);
    out.end_object();
  }
  out.end_array();
  impl.respond_data(call, 200, out.take(), headers);
}

// A non-atomic bulk: one proposal per element, in order, each answered in the list.
struct BulkRun {
  CallPtr call;
  Write write;
  std::size_t next = 0;
  std::vector<std::string> answers;
  bool failed = false;
  std::uint64_t applied_index = 0;
};

void run_bulk(Server::Impl& impl, std::shared_ptr<BulkRun> run) {
  if (run->next == run->write.elements.size()) {
    std::string body = "{\"data\":[";
    for (std::size_t i = 0; i < run->answers.size(); ++i)
      body += (i ? "," : "") + run->answers[i];
    body += "]}";
    Headers headers{{"tally-applied-index", std::to_string(run->applied_index)}};
    impl.respond(run->call, run->failed ? 400 : 200, body, headers);
    return;
  }
  const BulkElement& element = run->write.elements[run->next];
  std::vector<domain::Order> orders{element.order};
  if (Status checked = precheck(impl, orders, element.idempotency_key); !checked.ok()) {
    run->answers.push_back(error_element(checked.error()));
    run->failed = true;
    ++run->next;
    return run_bulk(impl, run);
  }
  plan::Request request{orders, element.idempotency_key};
  impl.node->submit(std::move(request), [&impl, run](replica::Reply reply) {
    impl.owner->metrics().record_write(replica::reply_status_name(reply.status));
    const BulkElement& current = run->write.elements[run->next];
    if (reply.status == replica::Reply::Status::kApplied && reply.report &&
        reply.report->outcome.ok()) {
      run->applied_index = reply.index;
      JsonWriter out;
      out.begin_object();
      out.key("responseType");
      out.string(action_name(current.order));
      out.key("data");
      write_order_data(impl, out, run->write.ledger, reply.report->outcome.results.at(0));
      out.end_object();
      run->answers.push_back(out.take());
    } else {
      if (reply.status == replica::Reply::Status::kApplied) run->applied_index = reply.index;
      run->answers.push_back(error_element(reply_error(reply)));
      run->failed = true;
    }
    ++run->next;
    run_bulk(impl, run);
  });
}

}  // namespace

void handle_write(Server::Impl& impl, const CallPtr& call) {
  std::string route;
  Parser parser = match(*call, route);
  if (!parser) {
    call->route = "unknown";
    return impl.respond_error(call, 404, "NOT_FOUND",
                              "no route " + call->method + " " + call->path_and_query());
  }
  call->route = route;
  if (Status valid = domain::validate_ledger_name(call->segments[1]); !valid.ok())
    return impl.respond_core_error(call, field_error("ledger", valid.error().message));
  if (!impl.node->is_leader()) return redirect_or_unavailable(impl, call, impl.node->leader_id());
  auto parsed = parser(*call);
  if (!parsed.ok()) return impl.respond_core_error(call, parsed.error());
  Write write = std::move(parsed).value();
  std::optional<std::string> key = call->header("idempotency-key");
  if (key) {
    if (Status valid = domain::validate_idempotency_key(*key); !valid.ok())
      return impl.respond_core_error(call, field_error("Idempotency-Key", valid.error().message));
  }
  std::vector<domain::Order> orders;
  for (const auto& element : write.elements)
    orders.push_back(element.order);
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (Status valid = domain::validate_order(orders[i]); !valid.ok()) {
      const std::string at = orders.size() > 1 ? "[" + std::to_string(i) + "]: " : "";
      return impl.respond_core_error(call,
                                     make_error(Code::kValidation, at + valid.error().message));
    }
    if (write.elements[i].idempotency_key) {
      if (Status valid = domain::validate_idempotency_key(*write.elements[i].idempotency_key);
          !valid.ok())
        return impl.respond_core_error(
            call, field_error("[" + std::to_string(i) + "].ik", valid.error().message));
    }
  }
  if (!write.atomic) {
    auto run = std::make_shared<BulkRun>();
    run->call = call;
    run->write = std::move(write);
    return run_bulk(impl, run);
  }
  if (Status valid = domain::validate_orders(orders); !valid.ok())
    return impl.respond_core_error(call, valid.error());
  if (Status checked = precheck(impl, orders, key); !checked.ok())
    return impl.respond_core_error(call, checked.error());
  plan::Request request{std::move(orders), key};
  auto shared = std::make_shared<Write>(std::move(write));
  impl.node->submit(std::move(request), [&impl, call, shared](replica::Reply reply) {
    answer_atomic(impl, call, *shared, reply);
  });
}

}  // namespace tally::http
