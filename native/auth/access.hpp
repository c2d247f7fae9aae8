// Whether a request may proceed: the one decision the HTTP layer asks of a client's token.
//
// The HTTP layer classifies each route (a ledger's route, the ledger list, a node route, the
// node's info) and its method (read: GET, HEAD; write: anything else), and passes the value of
// the Authorization header. The answer is typed:
//   kAllowed        go on (claims say who, for logs and for filtering the ledger list)
//   kUnauthorized   401 UNAUTHORIZED: no token, not "Bearer <token>", or a token that does not
//                   verify (token.hpp lists why), with the reason
//   kForbidden      403 FORBIDDEN: a valid token that does not grant this: another ledger, or
//                   a missing right (read for reads, write for writes, admin for node routes)
// A token's rights: write covers reads too; admin covers the node routes (check, log,
// metrics); the info route takes any valid token. A token's ledgers restrict ledger routes
// only; the ledger list is answered, filtered by the caller with TokenClaims::covers_ledger.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "native/auth/revoked_tokens.hpp"
#include "native/auth/token.hpp"
#include "native/auth/verified_tokens.hpp"

namespace tally::auth {

enum class RouteKind { kLedger, kLedgerList, kNode, kInfo };
enum class MethodClass { kRead, kWrite };

struct Access {
  RouteKind route = RouteKind::kLedger;
  MethodClass method = MethodClass::kRead;
  std::string_view ledger;  // kLedger: the ledger the route names
};

struct Decision {
  enum class Outcome { kAllowed, kUnauthorized, kForbidden };
  Outcome outcome = Outcome::kUnauthorized;
  std::string reason;                 // empty when allowed
  std::optional<TokenClaims> claims;  // set when the token verified (allowed or forbidden)
};

// What the key, cluster, clock and revocation list say of a request with this Authorization
// header (none when absent); call it on every request. A token that verified once is not
// verified again (verified_tokens.hpp); its time limits and the revocation list are checked
// on every request. Not thread-safe: one HTTP server's loop.
class TokenGate {
 public:
  TokenGate(Bytes key, std::string cluster_id)
      : key_(std::move(key)), cluster_id_(std::move(cluster_id)) {}

  Decision decide(std::optional<std::string_view> authorization, const Access& access,
                  std::uint64_t now_s);

  const VerifiedTokens& verified() const { return verified_; }

  // From the next request on, tokens whose id the list holds are refused (revoked_tokens.hpp);
  // a token absent from the new list is accepted again.
  void set_revoked(RevokedTokens revoked) { revoked_ = std::move(revoked); }
  const RevokedTokens& revoked() const { return revoked_; }

 private:
  Result<TokenClaims> claims_of(std::string_view token, std::uint64_t now_s);

  Bytes key_;
  std::string cluster_id_;
  VerifiedTokens verified_;
  RevokedTokens revoked_;
};

}  // namespace tally::auth
