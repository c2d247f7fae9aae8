#include "native/http/route_access.hpp"

#include "native/http/route_table.hpp"

namespace tally::http {

namespace {

bool names_ledger(const Route& route) {
  return route.pattern.find("{ledger}") != std::string_view::npos;
}

auth::Access access_of(const Call& call, const Route& route) {
  auth::Access access;
  access.method =
      route.scope == Scope::kLedgerWrite ? auth::MethodClass::kWrite : auth::MethodClass::kRead;
  switch (route.scope) {
    case Scope::kNodeAdmin: access.route = auth::RouteKind::kNode; break;
    case Scope::kNodeInfo: access.route = auth::RouteKind::kInfo; break;
    case Scope::kLedgerRead:
    case Scope::kLedgerWrite:
      access.route = names_ledger(route) ? auth::RouteKind::kLedger : auth::RouteKind::kLedgerList;
      if (names_ledger(route)) access.ledger = call.path_param("ledger");
      break;
  }
  return access;
}

}  // namespace

std::optional<ApiError> refuse_access(Call& call, const Route& route, auth::TokenGate& gate,
                                      std::uint64_t now_s) {
  const std::optional<std::string> header = call.header("authorization");
  auth::Decision decision = gate.decide(header, access_of(call, route), now_s);
  call.claims = std::move(decision.claims);
  switch (decision.outcome) {
    case auth::Decision::Outcome::kAllowed: return std::nullopt;
    case auth::Decision::Outcome::kForbidden:
      return ApiError{403, "FORBIDDEN", std::move(decision.reason), ""};
    case auth::Decision::Outcome::kUnauthorized: break;
  }
  return ApiError{401, "UNAUTHORIZED", std::move(decision.reason), ""};
}

}  // namespace tally::http
