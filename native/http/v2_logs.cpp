// A ledger's log (the Go ledger's v2 /logs).
#include "core/query/log_reads.hpp"
#include "native/http/route_table.hpp"
#include "native/http/v2_common.hpp"

namespace tally::http {

void handle_list_logs(Server::Impl& impl, const CallPtr& call) {
  auto list = open_ledger_list(impl, call, "logs", query::log_schema(), {"pit"});
  if (!list) return;
  query::PageRequest page{list->request.page_size, list->request.position, list->filter_or_null(),
                          query::ListOrder::kDescending};
  if (auto sort = list->request.param("sort"); sort && sort->find(":asc") != std::string::npos) {
    page.order = query::ListOrder::kAscending;
  }
  auto listed = query::list_logs(impl.node->store(), list->ledger, page);
  if (!listed.ok()) return impl.respond_error(call, listed.error());
  const json::RenderOptions options = call->render_options();
  impl.respond(
      call, 200,
      json::page_body(listed->data, list->next(impl, listed->next), list->request.page_size,
                      [&](json::JsonWriter& out, const query::LogView& log) {
                        json::write_log(out, log, options);
                      }));
}

}  // namespace tally::http
