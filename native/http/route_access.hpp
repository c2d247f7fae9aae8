// Who may run a route (docs/security.md): the request's bearer token, checked against the
// route's scope (route_table.hpp) and the ledger its path names, by the token module without
// any lookup (native/auth/access.hpp). A ledger route needs read (write covers it) or write on
// that ledger; a route without a ledger (the ledger list, the exporters) needs the right on
// any ledger; the node routes need admin; the info routes take any valid token.
//
// Refusals: 401 UNAUTHORIZED (no token, not "Bearer <token>", a token that does not verify:
// tampered, signed with another key, expired, of another cluster) with WWW-Authenticate, and
// 403 FORBIDDEN (a valid token for another ledger or without the right).
#pragma once

#include <cstdint>
#include <optional>

#include "native/auth/access.hpp"
#include "native/http/errors.hpp"

namespace tally::http {

struct Call;
struct Route;

// The refusal to answer, none when the call may run. Sets call.claims when the token verified.
std::optional<ApiError> refuse_access(Call& call, const Route& route, auth::TokenGate& gate,
                                      std::uint64_t now_s);

}  // namespace tally::http
