#include "native/auth/access.hpp"

#include <cctype>

namespace tally::auth {

namespace {

Decision unauthorized(std::string reason) {
  return {Decision::Outcome::kUnauthorized, std::move(reason), std::nullopt};
}

// The token of "Bearer <token>" (the scheme in any case, RFC 7235 §2.1), or none.
std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ')
    token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

// The right the access needs, and what to say when it is missing.
std::uint8_t needed_rights(const Access& access) {
  switch (access.route) {
    case RouteKind::kNode: return kRightAdmin;
    case RouteKind::kInfo: return kRightRead | kRightWrite | kRightAdmin;  // any one
    case RouteKind::kLedger:
    case RouteKind::kLedgerList:
      return access.method == MethodClass::kWrite ? kRightWrite : kRightRead | kRightWrite;
  }
  return 0;
}

}  // namespace

Result<TokenClaims> TokenGate::claims_of(std::string_view token, std::uint64_t now_s) {
  const TokenClaims* known = verified_.find(token);
  if (known == nullptr) {
    auto claims = verify_signed_token(token, key_, cluster_id_);
    if (!claims.ok()) return claims;
    known = &verified_.insert(token, std::move(claims).value());
  }
  TALLY_TRY(check_token_clock(*known, now_s));
  if (revoked_.contains(known->token_id))
    return make_error(Code::kValidation, "the token was revoked (jti " + known->token_id + ")");
  return *known;
}

Decision TokenGate::decide(std::optional<std::string_view> authorization, const Access& access,
                           std::uint64_t now_s) {
  if (!authorization) return unauthorized("missing bearer token (Authorization: Bearer <token>)");
  std::optional<std::string_view> token = bearer_token(*authorization);
  if (!token) return unauthorized("malformed Authorization header: expected Bearer <token>");
  auto claims = claims_of(*token, now_s);
  if (!claims.ok()) return unauthorized(claims.error().message);
  Decision decision{Decision::Outcome::kForbidden, "", std::move(claims).value()};
  const TokenClaims& granted = *decision.claims;
  if ((granted.rights & needed_rights(access)) == 0) {
    decision.reason = "the token's scope \"" + scope_text(granted.rights) + "\" does not allow " +
                      (access.route == RouteKind::kNode       ? std::string("node routes (admin)")
                       : access.method == MethodClass::kWrite ? std::string("writes")
                                                              : std::string("reads"));
    return decision;
  }
  if (access.route == RouteKind::kLedger && !granted.covers_ledger(access.ledger)) {
    decision.reason = "the token does not cover ledger \"" + std::string(access.ledger) + "\"";
    return decision;
  }
  decision.outcome = Decision::Outcome::kAllowed;
  return decision;
}

}  // namespace tally::auth
