// Ledgers and the service routes (the Go ledger's v2): create, read, list, metadata, info,
// stats; /_/info, /_/metrics and /v2/_info.
#include "core/limits.hpp"
#include "core/query/account_reads.hpp"
#include "core/query/transaction_reads.hpp"
#include "native/http/cursors.hpp"
#include "native/http/route_table.hpp"
#include "native/http/v2_common.hpp"
#include "native/http/writes.hpp"
#include "native/json/request_json.hpp"

namespace tally::http {
namespace {

// The members that name the server: {"server":"tally","version"...
void write_server(json::JsonWriter& out, const Server::Impl& impl) {
  out.key("server");
  out.string("tally");
  out.key("version");
  out.string(impl.config.version);
}

// The list's filter narrowed to the ledgers the caller's token names (docs/security.md): a
// token for one ledger neither reads nor learns the names of the others. The token's ledgers
// become a `$in` on the name, and-ed with the request's own filter.
std::optional<query::Filter> visible_ledgers(const Call& call, std::optional<query::Filter> asked) {
  if (!call.claims || !call.claims->ledgers) return asked;
  query::Filter named{query::Filter::Op::kIn, "name", std::nullopt, {}, {}};
  named.value.type = query::FilterValue::Type::kArray;
  for (const std::string& ledger : *call.claims->ledgers) {
    named.value.items.push_back({query::FilterValue::Type::kString, false, ledger, {}});
  }
  if (!asked) return named;
  query::Filter both;  // kAnd
  both.children.push_back(std::move(*asked));
  both.children.push_back(std::move(named));
  return both;
}

}  // namespace

void handle_config_info(Server::Impl& impl, const CallPtr& call) {
  json::JsonWriter out;
  out.begin_object();
  write_server(out, impl);
  out.end_object();
  impl.respond(call, 200, out.take());
}

void handle_v2_info(Server::Impl& impl, const CallPtr& call) {
  auto ledgers = query::list_ledgers(impl.node->store(), {limits::kPageSizeMax, std::nullopt});
  if (!ledgers.ok()) return impl.respond_error(call, ledgers.error());
  json::JsonWriter out;
  out.begin_object();
  write_server(out, impl);
  out.key("config");
  out.begin_object();
  out.key("storage");
  out.begin_object();
  out.key("driver");
  out.string("tally");
  out.key("ledgers");
  out.begin_array();
  for (const query::LedgerView& ledger : ledgers->data)
    out.string(ledger.info.name);
  out.end_array();
  out.end_object();
  out.end_object();
  out.end_object();
  impl.respond_data(call, 200, out.take());
}

void handle_gateway_metrics(Server::Impl& impl, const CallPtr& call) {
  replica::Node& node = *impl.node;
  json::JsonWriter out;
  out.begin_object();
  out.key("appliedIndex");
  out.u64(node.applied_index());
  out.key("appliedEntries");
  out.u64(node.stats().entries_applied);
  out.key("proposalsInFlight");
  out.u64(node.in_flight());
  out.key("leader");
  out.boolean(node.is_leader());
  out.end_object();
  impl.respond(call, 200, out.take());
}

void handle_create_ledger(Server::Impl& impl, const CallPtr& call) {
  auto body = body_json(*call, true);
  if (!body.ok()) return impl.respond_error(call, body.error());
  auto parsed = json::parse_create_ledger(*body);
  if (!parsed.ok()) return impl.respond_error(call, parsed.error());
  if (!parsed->bucket.empty() && parsed->bucket != "_default") {
    return impl.respond_error(call, not_implemented("buckets"));
  }
  if (parsed->features) return impl.respond_error(call, not_implemented("ledger features"));
  domain::CreateLedger order{call->path_param("ledger"), std::move(parsed->metadata)};
  submit_write(impl, call, plan::Request{{std::move(order)}, std::nullopt}, answer_no_content);
}

void handle_get_ledger(Server::Impl& impl, const CallPtr& call) {
  const std::string& ledger = call->path_param("ledger");
  auto found = query::get_ledger(impl.node->store(), ledger);
  if (!found.ok()) return impl.respond_error(call, found.error());
  if (!found->has_value()) {
    return impl.respond_error(call, make_error(Code::kNotFound, "ledger " + ledger + " not found"));
  }
  json::JsonWriter out;
  json::write_ledger(out, **found);
  impl.respond_data(call, 200, out.take());
}

void handle_delete_ledger(Server::Impl& impl, const CallPtr& call) {
  domain::DeleteLedger order{call->path_param("ledger")};
  submit_write(impl, call, plan::Request{{std::move(order)}, std::nullopt}, answer_no_content);
}

void handle_list_ledgers(Server::Impl& impl, const CallPtr& call) {
  const std::string list = "ledgers";
  auto request = open_list(impl, *call, list);
  if (!request.ok()) return impl.respond_error(call, request.error());
  auto filter = request->filter(query::ledger_schema());
  if (!filter.ok()) return impl.respond_error(call, filter.error());
  auto include_deleted = request->flag("includeDeleted");
  if (!include_deleted.ok()) return impl.respond_error(call, include_deleted.error());
  std::optional<query::Filter> visible = visible_ledgers(*call, std::move(*filter));
  query::PageRequest page{request->page_size, request->position, visible ? &*visible : nullptr,
                          query::ListOrder::kAscending};
  if (auto sort = request->param("sort"); sort && sort->find(":desc") != std::string::npos) {
    page.order = query::ListOrder::kDescending;
  }
  auto listed = query::list_ledgers(impl.node->store(), page, *include_deleted);
  if (!listed.ok()) return impl.respond_error(call, listed.error());
  impl.respond(call, 200,
               json::page_body(listed->data, next_cursor(impl, *request, list, listed->next),
                               request->page_size,
                               [](json::JsonWriter& out, const query::LedgerView& ledger) {
                                 json::write_ledger(out, ledger);
                               }));
}

void handle_update_ledger_metadata(Server::Impl& impl, const CallPtr& call) {
  auto body = body_json(*call);
  if (!body.ok()) return impl.respond_error(call, body.error());
  auto metadata = json::parse_metadata(*body, "metadata");
  if (!metadata.ok()) return impl.respond_error(call, metadata.error());
  domain::SetLedgerMetadata order{call->path_param("ledger"), std::move(metadata).value()};
  submit_write(impl, call, plan::Request{{std::move(order)}, std::nullopt}, answer_no_content);
}

void handle_delete_ledger_metadata(Server::Impl& impl, const CallPtr& call) {
  domain::DeleteLedgerMetadata order{call->path_param("ledger"), call->path_param("key")};
  submit_write(impl, call, plan::Request{{std::move(order)}, std::nullopt}, answer_no_content);
}

void handle_ledger_info(Server::Impl& impl, const CallPtr& call) {
  auto ledger = readable_ledger(impl, call);
  if (!ledger) return;
  json::JsonWriter out;
  out.begin_object();
  out.key("name");
  out.string(*ledger);
  out.key("storage");
  out.begin_object();
  out.key("migrations");
  out.begin_array();
  out.end_array();
  out.end_object();
  out.end_object();
  impl.respond_data(call, 200, out.take());
}

void handle_ledger_stats(Server::Impl& impl, const CallPtr& call) {
  auto ledger = readable_ledger(impl, call);
  if (!ledger) return;
  const store::KeyValueStore& store = impl.node->store();
  auto accounts = query::count_accounts(store, *ledger, nullptr);
  if (!accounts.ok()) return impl.respond_error(call, accounts.error());
  auto transactions = query::count_transactions(store, *ledger, nullptr);
  if (!transactions.ok()) return impl.respond_error(call, transactions.error());
  json::JsonWriter out;
  out.begin_object();
  out.key("accounts");
  out.u64(*accounts);
  out.key("transactions");
  out.u64(*transactions);
  out.end_object();
  impl.respond_data(call, 200, out.take());
}

}  // namespace tally::http
