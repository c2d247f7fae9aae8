#include "native/http/route_table.hpp"

#include <array>

namespace tally::http {

namespace {

constexpr RouteKind R = RouteKind::kRead;
constexpr RouteKind W = RouteKind::kWrite;
constexpr RouteKind N = RouteKind::kNode;
constexpr Scope kRead = Scope::kLedgerRead;
constexpr Scope kWrite = Scope::kLedgerWrite;
constexpr Scope kAdmin = Scope::kNodeAdmin;
constexpr Scope kInfo = Scope::kNodeInfo;

// Literal segments before {ledger} patterns: "/v2/_info" is not a ledger named _info.
constexpr std::array kRoutes = std::to_array<Route>({
    // Tally's own node routes.
    {"GET", "/_tally/info", handle_node_info, N, kInfo},
    {"GET", "/_tally/check", handle_node_check, N, kAdmin},
    {"GET", "/_tally/digest", handle_node_digest, N, kAdmin},
    {"GET", "/_tally/metrics", handle_node_metrics, N, kAdmin},
    {"GET", "/_tally/log", handle_node_log, N, kAdmin},
    {"GET", "/_tally/trace", handle_node_trace, N, kAdmin},
    // The gateway's service routes.
    {"GET", "/_/info", handle_config_info, N, kInfo},
    {"GET", "/_/metrics", handle_gateway_metrics, N, kRead},
    {"GET", "/v2/_info", handle_v2_info, R, kRead},
    // What Tally does not have: a typed 501 each.
    {"GET", "/v2/_/exporters", handle_not_implemented, N, kRead},
    {"POST", "/v2/_/exporters", handle_not_implemented, N, kWrite},
    {"GET", "/v2/_/exporters/{exporterID}", handle_not_implemented, N, kRead},
    {"PUT", "/v2/_/exporters/{exporterID}", handle_not_implemented, N, kWrite},
    {"DELETE", "/v2/_/exporters/{exporterID}", handle_not_implemented, N, kWrite},
    {"DELETE", "/v2/_/buckets/{bucket}", handle_not_implemented, N, kWrite},
    {"POST", "/v2/_/buckets/{bucket}/restore", handle_not_implemented, N, kWrite},
    // Ledgers.
    {"GET", "/v2", handle_list_ledgers, R, kRead},
    {"POST", "/v2/{ledger}", handle_create_ledger, W, kWrite},
    {"GET", "/v2/{ledger}", handle_get_ledger, R, kRead},
    {"DELETE", "/v2/{ledger}", handle_delete_ledger, W, kWrite},
    {"PUT", "/v2/{ledger}/metadata", handle_update_ledger_metadata, W, kWrite},
    {"DELETE", "/v2/{ledger}/metadata/{key}", handle_delete_ledger_metadata, W, kWrite},
    {"GET", "/v2/{ledger}/_info", handle_ledger_info, R, kRead},
    {"GET", "/v2/{ledger}/stats", handle_ledger_stats, R, kRead},
    {"POST", "/v2/{ledger}/_bulk", handle_bulk, W, kWrite},
    // Transactions.
    {"GET", "/v2/{ledger}/transactions", handle_list_transactions, R, kRead},
    {"HEAD", "/v2/{ledger}/transactions", handle_count_transactions, R, kRead},
    {"POST", "/v2/{ledger}/transactions", handle_create_transaction, W, kWrite},
    {"GET", "/v2/{ledger}/transactions/{id}", handle_get_transaction, R, kRead},
    {"POST", "/v2/{ledger}/transactions/{id}/revert", handle_revert_transaction, W, kWrite},
    {"POST", "/v2/{ledger}/transactions/{id}/metadata", handle_add_transaction_metadata, W, kWrite},
    {"DELETE", "/v2/{ledger}/transactions/{id}/metadata/{key}", handle_delete_transaction_metadata,
     W, kWrite},
    // Accounts, balances, volumes, logs.
    {"GET", "/v2/{ledger}/accounts", handle_list_accounts, R, kRead},
    {"HEAD", "/v2/{ledger}/accounts", handle_count_accounts, R, kRead},
    {"GET", "/v2/{ledger}/accounts/{address}", handle_get_account, R, kRead},
    {"POST", "/v2/{ledger}/accounts/{address}/metadata", handle_add_account_metadata, W, kWrite},
    {"DELETE", "/v2/{ledger}/accounts/{address}/metadata/{key}", handle_delete_account_metadata, W,
     kWrite},
    {"GET", "/v2/{ledger}/aggregate/balances", handle_aggregate_balances, R, kRead},
    {"GET", "/v2/{ledger}/volumes", handle_list_volumes, R, kRead},
    {"GET", "/v2/{ledger}/logs", handle_list_logs, R, kRead},
    {"POST", "/v2/{ledger}/logs/import", handle_not_implemented, N, kWrite},
    {"POST", "/v2/{ledger}/logs/export", handle_not_implemented, N, kRead},
    {"GET", "/v2/{ledger}/schemas", handle_not_implemented, N, kRead},
    {"GET", "/v2/{ledger}/schemas/{version}", handle_not_implemented, N, kRead},
    {"POST", "/v2/{ledger}/schemas/{version}", handle_not_implemented, N, kWrite},
    {"POST", "/v2/{ledger}/queries/{id}/run", handle_not_implemented, N, kRead},
    {"GET", "/v2/{ledger}/pipelines", handle_not_implemented, N, kRead},
    {"POST", "/v2/{ledger}/pipelines", handle_not_implemented, N, kWrite},
    {"GET", "/v2/{ledger}/pipelines/{pipelineID}", handle_not_implemented, N, kRead},
    {"DELETE", "/v2/{ledger}/pipelines/{pipelineID}", handle_not_implemented, N, kWrite},
    {"POST", "/v2/{ledger}/pipelines/{pipelineID}/start", handle_not_implemented, N, kWrite},
    {"POST", "/v2/{ledger}/pipelines/{pipelineID}/stop", handle_not_implemented, N, kWrite},
    {"POST", "/v2/{ledger}/pipelines/{pipelineID}/reset", handle_not_implemented, N, kWrite},
});

// The pattern's parameters bound to the path's segments; false when they do not fit.
bool bind_pattern(std::string_view pattern, const std::vector<std::string>& segments,
                  std::vector<std::pair<std::string, std::string>>& params) {
  params.clear();
  std::size_t index = 0;
  std::size_t at = 1;  // after the leading '/'
  while (at <= pattern.size() && at > 0) {
    std::size_t slash = pattern.find('/', at);
    std::string_view part =
        pattern.substr(at, slash == std::string_view::npos ? slash : slash - at);
    if (part.empty()) break;
    if (index >= segments.size()) return false;
    if (part.front() == '{') {
      params.emplace_back(std::string(part.substr(1, part.size() - 2)), segments[index]);
    } else if (part != segments[index]) {
      return false;
    }
    ++index;
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  return index == segments.size();
}

}  // namespace

std::span<const Route> route_table() {
  return kRoutes;
}

const Route* match_route(Call& call, std::string& allow) {
  std::vector<std::pair<std::string, std::string>> params;
  allow.clear();
  std::string_view matched_pattern;
  for (const Route& route : kRoutes) {
    if (!matched_pattern.empty() && route.pattern != matched_pattern) continue;
    if (!bind_pattern(route.pattern, call.segments, params)) continue;
    matched_pattern = route.pattern;
    if (route.method == call.method) {
      call.path_params = std::move(params);
      return &route;
    }
    allow += (allow.empty() ? "" : ", ") + std::string(route.method);
  }
  return nullptr;
}

std::string metric_name(const Route& route) {
  return std::string(route.method) + " " + std::string(route.pattern);
}

}  // namespace tally::http
