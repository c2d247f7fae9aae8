// The one table of routes the server serves (docs/design.md §9; docs/api.md). Each entry names the
// method, the path pattern ("{name}" matches one decoded segment), the handler, the metric
// name, the scope a caller's token must hold (route_access.hpp) and the body limit (0: the
// server's). A path that matches a pattern under another method answers 405
// with Allow; one that matches none, 404. Formance's paths are served at /v2/... and, for its
// SDKs' gateway prefix, at /api/ledger/v2/... (and /api/ledger/_/info).
//
// Handlers only parse, call the node and render; each answers its call exactly once, now or
// from a later callback.
#pragma once

#include <span>
#include <string_view>

#include "native/http/server_impl.hpp"

namespace tally::http {

using Handler = void (*)(Server::Impl& impl, const CallPtr& call);

// What a route does to the ledger, which fixes how it runs: reads wait for the client's
// Tally-Applied-Index first; writes go to the leader (a follower redirects); node routes
// answer from this node as they are.
enum class RouteKind { kRead, kWrite, kNode };

// The right a caller's token needs (route_access.hpp): read or write on the ledger the path
// names (on any ledger for a route without one), admin for the node's own routes, and any
// valid token for the info routes.
enum class Scope { kLedgerRead, kLedgerWrite, kNodeAdmin, kNodeInfo };

struct Route {
  std::string_view method;
  std::string_view pattern;
  Handler handler;
  RouteKind kind;
  Scope scope;
  std::size_t body_bytes_max = 0;  // 0: ServerConfig::body_bytes_max
};

std::span<const Route> route_table();

// The route for the call's method and path (path_params filled in), or the error to answer
// (404, or 405 with the allowed methods in allow).
const Route* match_route(Call& call, std::string& allow);

// "GET /v2/{ledger}/transactions": the route's metric label.
std::string metric_name(const Route& route);

// Handlers (v2_*.cpp, node_routes.cpp).
void handle_config_info(Server::Impl&, const CallPtr&);
void handle_v2_info(Server::Impl&, const CallPtr&);
void handle_gateway_metrics(Server::Impl&, const CallPtr&);
void handle_list_ledgers(Server::Impl&, const CallPtr&);
void handle_create_ledger(Server::Impl&, const CallPtr&);
void handle_get_ledger(Server::Impl&, const CallPtr&);
void handle_delete_ledger(Server::Impl&, const CallPtr&);
void handle_update_ledger_metadata(Server::Impl&, const CallPtr&);
void handle_delete_ledger_metadata(Server::Impl&, const CallPtr&);
void handle_ledger_info(Server::Impl&, const CallPtr&);
void handle_ledger_stats(Server::Impl&, const CallPtr&);
void handle_create_transaction(Server::Impl&, const CallPtr&);
void handle_list_transactions(Server::Impl&, const CallPtr&);
void handle_count_transactions(Server::Impl&, const CallPtr&);
void handle_get_transaction(Server::Impl&, const CallPtr&);
void handle_revert_transaction(Server::Impl&, const CallPtr&);
void handle_add_transaction_metadata(Server::Impl&, const CallPtr&);
void handle_delete_transaction_metadata(Server::Impl&, const CallPtr&);
void handle_list_accounts(Server::Impl&, const CallPtr&);
void handle_count_accounts(Server::Impl&, const CallPtr&);
void handle_get_account(Server::Impl&, const CallPtr&);
void handle_add_account_metadata(Server::Impl&, const CallPtr&);
void handle_delete_account_metadata(Server::Impl&, const CallPtr&);
void handle_aggregate_balances(Server::Impl&, const CallPtr&);
void handle_list_volumes(Server::Impl&, const CallPtr&);
void handle_list_logs(Server::Impl&, const CallPtr&);
void handle_bulk(Server::Impl&, const CallPtr&);
void handle_not_implemented(Server::Impl&, const CallPtr&);
void handle_node_info(Server::Impl&, const CallPtr&);
void handle_node_check(Server::Impl&, const CallPtr&);
void handle_node_digest(Server::Impl&, const CallPtr&);  // node_digest.cpp
void handle_node_metrics(Server::Impl&, const CallPtr&);
void handle_node_log(Server::Impl&, const CallPtr&);
void handle_node_trace(Server::Impl&, const CallPtr&);  // node_trace.cpp

}  // namespace tally::http
