// Accounts, aggregated balances and volumes (the Go ledger's v2).
#include "core/domain/validation.hpp"
#include "core/query/account_reads.hpp"
#include "native/http/route_table.hpp"
#include "native/http/v2_common.hpp"
#include "native/http/writes.hpp"
#include "native/json/request_json.hpp"

namespace tally::http {

void handle_get_account(Server::Impl& impl, const CallPtr& call) {
  auto ledger = readable_ledger(impl, call);
  if (!ledger) return;
  if (auto pit = call->param("pit"); pit && !pit->empty()) {
    return impl.respond_error(call, not_implemented("reads at a point in time (pit)"));
  }
  const std::string& address = call->path_param("address");
  if (Status valid = domain::validate_account(address); !valid.ok()) {
    return impl.respond_error(call, json::field_error("address", valid.error().message));
  }
  auto account = query::get_account(impl.node->store(), *ledger, address);
  if (!account.ok()) return impl.respond_error(call, account.error());
  if (!account->has_value()) {
    return impl.respond_error(
        call,
        make_error(Code::kNotFound, "account " + domain::quote_input(address) + " not found"));
  }
  json::JsonWriter out;
  json::write_account(out, **account, expands(call->query, "volumes"),
                      expands(call->query, "effectiveVolumes"), call->render_options());
  impl.respond_data(call, 200, out.take());
}

void handle_list_accounts(Server::Impl& impl, const CallPtr& call) {
  auto list = open_ledger_list(impl, call, "accounts", query::account_schema(), {"pit"});
  if (!list) return;
  if (auto sort = list->request.param("sort");
      sort && !sort->empty() && sort->rfind("address", 0) != 0) {
    return impl.respond_error(call, json::field_error("sort", "Tally sorts accounts by address"));
  }
  query::PageRequest page{list->request.page_size, list->request.position, list->filter_or_null(),
                          query::ListOrder::kAscending};
  auto listed = query::list_accounts(impl.node->store(), list->ledger, page);
  if (!listed.ok()) return impl.respond_error(call, listed.error());
  const bool volumes = expands(list->request.params, "volumes");
  const bool effective = expands(list->request.params, "effectiveVolumes");
  const json::RenderOptions options = call->render_options();
  impl.respond(
      call, 200,
      json::page_body(listed->data, list->next(impl, listed->next), list->request.page_size,
                      [&](json::JsonWriter& out, const query::AccountView& account) {
                        json::write_account(out, account, volumes, effective, options);
                      }));
}

void handle_count_accounts(Server::Impl& impl, const CallPtr& call) {
  auto list = open_ledger_list(impl, call, "accounts", query::account_schema(), {"pit"});
  if (!list) return;
  auto count = query::count_accounts(impl.node->store(), list->ledger, list->filter_or_null());
  if (!count.ok()) return impl.respond_error(call, count.error());
  impl.respond(call, 204, "", {{"count", std::to_string(*count)}});
}

void handle_add_account_metadata(Server::Impl& impl, const CallPtr& call) {
  if (auto version = call->param("schemaVersion"); version && !version->empty()) {
    return impl.respond_error(call, not_implemented("ledger schemas (schemaVersion)"));
  }
  auto body = body_json(*call);
  if (!body.ok()) return impl.respond_error(call, body.error());
  auto metadata = json::parse_metadata(*body, "metadata");
  if (!metadata.ok()) return impl.respond_error(call, metadata.error());
  submit_no_content(
      impl, call,
      domain::SetAccountMetadata{call->path_param("ledger"), call->path_param("address"),
                                 std::move(metadata).value()});
}

void handle_delete_account_metadata(Server::Impl& impl, const CallPtr& call) {
  auto key = idempotency_key(*call);
  if (!key.ok()) return impl.respond_error(call, key.error());
  domain::DeleteAccountMetadata order{call->path_param("ledger"), call->path_param("address"),
                                      call->path_param("key")};
  submit_write(impl, call, plan::Request{{std::move(order)}, *key}, answer_no_content);
}

void handle_aggregate_balances(Server::Impl& impl, const CallPtr& call) {
  auto list = open_ledger_list(impl, call, "balances", query::balance_schema(),
                               {"pit", "useInsertionDate", "use_insertion_date"});
  if (!list) return;
  auto balances =
      query::aggregate_balances(impl.node->store(), list->ledger, list->filter_or_null());
  if (!balances.ok()) return impl.respond_error(call, balances.error());
  json::JsonWriter out;
  json::write_balances(out, *balances, call->render_options());
  impl.respond_data(call, 200, out.take());
}

void handle_list_volumes(Server::Impl& impl, const CallPtr& call) {
  auto list = open_ledger_list(impl, call, "volumes", query::volume_schema(),
                               {"startTime", "endTime", "insertionDate"});
  if (!list) return;
  query::VolumeQuery volume_query;
  volume_query.page = {list->request.page_size, list->request.position, list->filter_or_null(),
                       query::ListOrder::kAscending};
  if (auto group = list->request.param("groupBy"); group && !group->empty()) {
    auto parsed = json::parse_id(*group, "groupBy");
    if (!parsed.ok()) return impl.respond_error(call, parsed.error());
    volume_query.group_by = *parsed;
  }
  if (auto sort = list->request.param("sort"); sort && sort->find(":desc") != std::string::npos) {
    volume_query.page.order = query::ListOrder::kDescending;
  }
  auto listed = query::list_volumes(impl.node->store(), list->ledger, volume_query);
  if (!listed.ok()) return impl.respond_error(call, listed.error());
  const json::RenderOptions options = call->render_options();
  impl.respond(
      call, 200,
      json::page_body(listed->data, list->next(impl, listed->next), list->request.page_size,
                      [&](json::JsonWriter& out, const query::VolumeRow& row) {
                        json::write_volume_row(out, row, options);
                      }));
}

}  // namespace tally::http
