#include "native/http/v2_common.hpp"

#include "core/domain/timestamp.hpp"
#include "core/query/ledger_reads.hpp"
#include "native/json/request_json.hpp"

namespace tally::http {

std::optional<std::string> readable_ledger(Server::Impl& impl, const CallPtr& call) {
  const std::string& ledger = call->path_param("ledger");
  auto found = query::get_ledger(impl.node->store(), ledger);
  if (!found.ok()) {
    impl.respond_error(call, found.error());
    return std::nullopt;
  }
  if (!found->has_value()) {
    impl.respond_error(call, make_error(Code::kLedgerNotFound, "ledger " + ledger + " not found"));
    return std::nullopt;
  }
  return ledger;
}

std::optional<LedgerList> open_ledger_list(Server::Impl& impl, const CallPtr& call,
                                           std::string_view what, const query::Schema& schema,
                                           std::initializer_list<std::string_view> refused) {
  auto ledger = readable_ledger(impl, call);
  if (!ledger) return std::nullopt;
  LedgerList list;
  list.ledger = *ledger;
  list.name = std::string(what) + "/" + *ledger;
  auto request = open_list(impl, *call, list.name);
  if (!request.ok()) {
    impl.respond_error(call, request.error());
    return std::nullopt;
  }
  for (const auto& [key, value] : request->params) {
    for (std::string_view name : refused) {
      if (key == name && !value.empty() && value != "false") {
        impl.respond_error(call, not_implemented("reads at a point in time (" + key + ")"));
        return std::nullopt;
      }
    }
  }
  auto filter = request->filter(schema);
  if (!filter.ok()) {
    impl.respond_error(call, filter.error());
    return std::nullopt;
  }
  list.request = std::move(request).value();
  list.filter = std::move(filter).value();
  return list;
}

Result<json::Json> body_json(const Call& call, bool empty_is_object) {
  std::string_view body = call.body();
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    if (!empty_is_object) return json::field_error("body", "missing");
    json::Json empty;
    empty.type = json::Json::Type::kObject;
    return empty;
  }
  return json::parse_json(body);
}

Result<std::uint64_t> path_id(const Call& call, std::string_view name) {
  return json::parse_id(call.path_param(name), std::string(name));
}

bool expands(const std::vector<std::pair<std::string, std::string>>& params,
             std::string_view what) {
  for (const auto& [key, value] : params) {
    if (key != "expand") continue;
    std::size_t at = 0;
    while (at <= value.size()) {
      std::size_t comma = value.find(',', at);
      if (comma == std::string::npos) comma = value.size();
      if (std::string_view(value).substr(at, comma - at) == what) return true;
      at = comma + 1;
    }
  }
  return false;
}

Result<std::optional<std::uint64_t>> time_param(const std::optional<std::string>& value,
                                                std::string_view name) {
  if (!value || value->empty()) return std::optional<std::uint64_t>();
  auto parsed = domain::parse_rfc3339(*value);
  if (!parsed.ok()) return json::field_error(std::string(name), parsed.error().message);
  return std::optional<std::uint64_t>(*parsed);
}

}  // namespace tally::http
