// Transactions (the Go ledger's v2): create, list, count, read, revert, metadata.
#include "core/query/transaction_reads.hpp"
#include "native/http/cursors.hpp"
#include "native/http/route_table.hpp"
#include "native/http/v2_common.hpp"
#include "native/http/writes.hpp"
#include "native/json/request_json.hpp"

namespace tally::http {
namespace {

// What a read of transactions expands: the volumes each left, by id and by effective date.
struct Expansion {
  std::map<std::uint64_t, query::AccountVolumes> volumes;
  std::map<std::uint64_t, query::AccountVolumes> effective;
  bool with_volumes = false;
  bool with_effective = false;
};

Result<Expansion> expand(const store::KeyValueStore& store, const std::string& ledger,
                         const std::vector<domain::TransactionState>& transactions,
                         bool with_volumes, bool with_effective) {
  Expansion out;
  out.with_volumes = with_volumes;
  out.with_effective = with_effective;
  if (with_volumes) {
    auto volumes = query::post_commit_volumes(store, ledger, transactions, false);
    if (!volumes.ok()) return std::move(volumes).error();
    out.volumes = std::move(volumes).value();
  }
  if (with_effective) {
    auto volumes = query::post_commit_volumes(store, ledger, transactions, true);
    if (!volumes.ok()) return std::move(volumes).error();
    out.effective = std::move(volumes).value();
  }
  return out;
}

// One transaction as the API shows it: its revert date and the expansions asked for.
Status write_one(json::JsonWriter& out, const store::KeyValueStore& store,
                 const std::string& ledger, const domain::TransactionState& state,
                 const Expansion& expansion, const json::RenderOptions& options) {
  auto reverted_at = query::reverted_at(store, ledger, state);
  if (!reverted_at.ok()) return std::move(reverted_at).error();
  json::TransactionView view{&state, *reverted_at, nullptr, nullptr};
  if (expansion.with_volumes) view.post_commit = &expansion.volumes.at(state.id);
  if (expansion.with_effective) view.post_commit_effective = &expansion.effective.at(state.id);
  json::write_transaction(out, view, options);
  return ok_status();
}

// The transaction an applied write created (its id from the outcome), with its volumes.
void answer_transaction(Server::Impl& impl, const CallPtr& call, const std::string& ledger,
                        const domain::Outcome& outcome, const Headers& headers, int status) {
  const store::KeyValueStore& store = impl.node->store();
  auto result = domain::result_of(outcome, 0);
  if (!result || !result->transaction_id) {
    return impl.respond_error(call, make_error(Code::kInvariantViolation, "no transaction made"));
  }
  auto state = query::get_transaction(store, ledger, *result->transaction_id);
  if (!state.ok()) return impl.respond_error(call, state.error());
  if (!state->has_value()) {
    return impl.respond_error(
        call, make_error(Code::kInvariantViolation, "a made transaction is missing"));
  }
  auto expansion = expand(store, ledger, {**state}, true, false);
  if (!expansion.ok()) return impl.respond_error(call, expansion.error());
  json::JsonWriter out;
  Status written = write_one(out, store, ledger, **state, *expansion, call->render_options());
  if (!written.ok()) return impl.respond_error(call, written.error());
  impl.respond_data(call, status, out.take(), headers);
}

void answer_dry_transaction(Server::Impl& impl, const CallPtr& call, const fsm::DryRun& run,
                            int status) {
  if (run.transactions.empty() || !run.transactions.front()) {
    return impl.respond_error(call, make_error(Code::kInvariantViolation, "no transaction made"));
  }
  json::JsonWriter out;
  json::write_transaction(out, {&*run.transactions.front(), std::nullopt, nullptr, nullptr},
                          call->render_options());
  impl.respond_data(call, status, out.take());
}

// schemaVersion names a schema of the Go ledger's ledger schemas, which Tally has none of.
bool refuse_schema(Server::Impl& impl, const CallPtr& call) {
  auto version = call->param("schemaVersion");
  if (!version || version->empty()) return false;
  impl.respond_error(call, not_implemented("ledger schemas (schemaVersion)"));
  return true;
}

}  // namespace

void handle_create_transaction(Server::Impl& impl, const CallPtr& call) {
  const std::string ledger = call->path_param("ledger");
  if (refuse_schema(impl, call)) return;
  auto body = body_json(*call);
  if (!body.ok()) return impl.respond_error(call, body.error());
  auto transaction = json::parse_transaction(*body, ledger, "");
  if (!transaction.ok()) return impl.respond_error(call, transaction.error());
  if (transaction->script_template) {
    return impl.respond_error(call, not_implemented("Numscript templates (script.template)"));
  }
  // The Go ledger takes force as a query parameter too.
  auto force = flag_param(*call, "force");
  if (!force.ok()) return impl.respond_error(call, force.error());
  transaction->order.force = transaction->order.force || *force;
  auto key = idempotency_key(*call);
  if (!key.ok()) return impl.respond_error(call, key.error());
  plan::Request request{{std::move(transaction->order)}, *key};
  submit_or_dry_run(
      impl, call, std::move(request),
      [ledger](Server::Impl& impl, const CallPtr& call, const domain::Outcome& outcome,
               const Headers& headers) {
        answer_transaction(impl, call, ledger, outcome, headers, 200);
      },
      [](Server::Impl& impl, const CallPtr& call, const fsm::DryRun& run) {
        answer_dry_transaction(impl, call, run, 200);
      });
}

void handle_revert_transaction(Server::Impl& impl, const CallPtr& call) {
  const std::string ledger = call->path_param("ledger");
  if (refuse_schema(impl, call)) return;
  auto id = path_id(*call, "id");
  if (!id.ok()) return impl.respond_error(call, id.error());
  auto force = flag_param(*call, "force");
  if (!force.ok()) return impl.respond_error(call, force.error());
  auto effective = flag_param(*call, "atEffectiveDate");
  if (!effective.ok()) return impl.respond_error(call, effective.error());
  auto body = body_json(*call, true);
  if (!body.ok()) return impl.respond_error(call, body.error());
  auto metadata = json::parse_revert_body(*body);
  if (!metadata.ok()) return impl.respond_error(call, metadata.error());
  auto key = idempotency_key(*call);
  if (!key.ok()) return impl.respond_error(call, key.error());
  domain::RevertTransaction revert{ledger, *id, *force, *effective, std::move(metadata).value()};
  submit_or_dry_run(
      impl, call, plan::Request{{std::move(revert)}, *key},
      [ledger](Server::Impl& impl, const CallPtr& call, const domain::Outcome& outcome,
               const Headers& headers) {
        answer_transaction(impl, call, ledger, outcome, headers, 201);
      },
      [](Server::Impl& impl, const CallPtr& call, const fsm::DryRun& run) {
        answer_dry_transaction(impl, call, run, 201);
      });
}

void handle_add_transaction_metadata(Server::Impl& impl, const CallPtr& call) {
  if (refuse_schema(impl, call)) return;
  auto id = path_id(*call, "id");
  if (!id.ok()) return impl.respond_error(call, id.error());
  auto body = body_json(*call);
  if (!body.ok()) return impl.respond_error(call, body.error());
  auto metadata = json::parse_metadata(*body, "metadata");
  if (!metadata.ok()) return impl.respond_error(call, metadata.error());
  submit_no_content(
      impl, call,
      domain::SetTransactionMetadata{call->path_param("ledger"), *id, std::move(metadata).value()});
}

void handle_delete_transaction_metadata(Server::Impl& impl, const CallPtr& call) {
  auto id = path_id(*call, "id");
  if (!id.ok()) return impl.respond_error(call, id.error());
  auto key = idempotency_key(*call);
  if (!key.ok()) return impl.respond_error(call, key.error());
  domain::DeleteTransactionMetadata order{call->path_param("ledger"), *id, call->path_param("key")};
  submit_write(impl, call, plan::Request{{std::move(order)}, *key}, answer_no_content);
}

void handle_get_transaction(Server::Impl& impl, const CallPtr& call) {
  auto ledger = readable_ledger(impl, call);
  if (!ledger) return;
  auto id = path_id(*call, "id");
  if (!id.ok()) return impl.respond_error(call, id.error());
  const store::KeyValueStore& store = impl.node->store();
  auto state = query::get_transaction(store, *ledger, *id);
  if (!state.ok()) return impl.respond_error(call, state.error());
  auto pit = time_param(call->param("pit"), "pit");
  if (!pit.ok()) return impl.respond_error(call, pit.error());
  if (!state->has_value() || (*pit && (*state)->timestamp_us > **pit)) {
    return impl.respond_error(
        call, make_error(Code::kNotFound, "transaction " + std::to_string(*id) + " not found"));
  }
  auto expansion = expand(store, *ledger, {**state}, expands(call->query, "volumes"),
                          expands(call->query, "effectiveVolumes"));
  if (!expansion.ok()) return impl.respond_error(call, expansion.error());
  json::JsonWriter out;
  Status written = write_one(out, store, *ledger, **state, *expansion, call->render_options());
  if (!written.ok()) return impl.respond_error(call, written.error());
  impl.respond_data(call, 200, out.take());
}

namespace {

// order=effective, reverse=true, sort=id|timestamp[:asc|desc], pit.
Result<query::TransactionQuery> transaction_query(const ListRequest& request) {
  query::TransactionQuery out;
  out.by_effective = request.param("order").value_or("") == "effective";
  auto reverse = request.flag("reverse");
  if (!reverse.ok()) return std::move(reverse).error();
  out.page.order = *reverse ? query::ListOrder::kAscending : query::ListOrder::kDescending;
  if (auto sort = request.param("sort"); sort && !sort->empty()) {
    const std::size_t colon = sort->find(':');
    const std::string column = sort->substr(0, colon);
    const std::string direction = colon == std::string::npos ? "" : sort->substr(colon + 1);
    if (column == "timestamp" || column == "effective") {
      out.by_effective = true;
    } else if (column != "id") {
      return json::field_error("sort", "Tally sorts transactions by id or timestamp");
    }
    if (direction == "asc" || direction == "ASC") {
      out.page.order = query::ListOrder::kAscending;
    } else if (direction == "desc" || direction == "DESC") {
      out.page.order = query::ListOrder::kDescending;
    } else if (!direction.empty()) {
      return json::field_error("sort", "invalid order " + direction);
    }
  }
  auto pit = time_param(request.param("pit"), "pit");
  if (!pit.ok()) return std::move(pit).error();
  out.pit_us = *pit;
  out.page.limit = request.page_size;
  out.page.cursor = request.position;
  return out;
}

}  // namespace

void handle_list_transactions(Server::Impl& impl, const CallPtr& call) {
  auto list = open_ledger_list(impl, call, "transactions", query::transaction_schema());
  if (!list) return;
  auto query = transaction_query(list->request);
  if (!query.ok()) return impl.respond_error(call, query.error());
  query->page.filter = list->filter_or_null();
  const store::KeyValueStore& store = impl.node->store();
  auto page = query::list_transactions(store, list->ledger, *query);
  if (!page.ok()) return impl.respond_error(call, page.error());
  auto expansion = expand(store, list->ledger, page->data, expands(list->request.params, "volumes"),
                          expands(list->request.params, "effectiveVolumes"));
  if (!expansion.ok()) return impl.respond_error(call, expansion.error());
  const json::RenderOptions options = call->render_options();
  Status written = ok_status();
  std::string body = json::page_body(
      page->data, list->next(impl, page->next), list->request.page_size,
      [&](json::JsonWriter& out, const domain::TransactionState& state) {
        Status one = write_one(out, store, list->ledger, state, *expansion, options);
        if (!one.ok() && written.ok()) written = one;
      });
  if (!written.ok()) return impl.respond_error(call, written.error());
  impl.respond(call, 200, std::move(body));
}

void handle_count_transactions(Server::Impl& impl, const CallPtr& call) {
  auto list = open_ledger_list(impl, call, "transactions", query::transaction_schema());
  if (!list) return;
  auto pit = time_param(list->request.param("pit"), "pit");
  if (!pit.ok()) return impl.respond_error(call, pit.error());
  auto count =
      query::count_transactions(impl.node->store(), list->ledger, list->filter_or_null(), *pit);
  if (!count.ok()) return impl.respond_error(call, count.error());
  impl.respond(call, 204, "", {{"count", std::to_string(*count)}});
}

}  // namespace tally::http
