// Client tokens: JSON Web Tokens (RFC 7519) signed with HS256 (HMAC-SHA-256, RFC 7515) under
// the cluster's token key (native/keyfile/token_key_file.hpp), so any JWT library verifies
// them and every node verifies them without a lookup.
//
// A token is BASE64URL(header) "." BASE64URL(claims) "." BASE64URL(HMAC-SHA-256(key,
// header "." claims)), the header exactly {"alg":"HS256","typ":"JWT"}, the claims
//
//   {"iss": "tally", "aud": CLUSTER ID, "sub": WHO (optional), "jti": TOKEN ID (hex),
//    "iat": ISSUED AT, "exp": EXPIRES AT (seconds since the epoch),
//    "ledgers": ["a", "b"] or ["*"] (every ledger), "scope": "read write admin" (a subset)}
//
// Verification refuses (each with its reason, as UNAUTHORIZED): a token that is not three
// canonical base64url parts, over kTokenBytesMax, whose header names another algorithm than
// HS256 ("none" included) or critical extensions, a signature that is not the key's (tampered, or
// signed with another key: compared in constant time), claims that are not the shape above
// (duplicate keys too), another issuer, another cluster, an expired token (exp <= now), or one
// issued more than kClockSkewSeconds in the future. A token that verifies says what it
// grants; whether that covers a request is access.hpp's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "native/limits.hpp"

namespace tally::auth {

inline constexpr std::uint64_t kClockSkewSeconds = 60;
inline constexpr std::string_view kTokenIssuer = "tally";

// Rights, as bits: read (ledger reads), write (ledger writes; a writer also reads), admin
// (the node routes: check, log, metrics).
enum Right : std::uint8_t { kRightRead = 1, kRightWrite = 2, kRightAdmin = 4 };

struct TokenClaims {
  std::string cluster_id;                           // aud
  std::string subject;                              // sub; empty: none
  std::string token_id;                             // jti
  std::uint64_t issued_at_s = 0;                    // iat
  std::uint64_t expires_at_s = 0;                   // exp
  std::optional<std::vector<std::string>> ledgers;  // none: every ledger ("*")
  std::uint8_t rights = 0;                          // Right bits

  bool covers_ledger(std::string_view ledger) const;
  friend bool operator==(const TokenClaims&, const TokenClaims&) = default;
};

// "read write" from bits, and back: kValidation naming an unknown right. Accepts spaces and
// commas between rights.
std::string scope_text(std::uint8_t rights);
Result<std::uint8_t> parse_scope(std::string_view text);

// The signed token. REQUIRES: claims hold valid ledger names and at least one right.
std::string sign_token(const TokenClaims& claims, ByteView key);

// The claims of a token that verifies under key for cluster_id at now_s; kValidation with the
// reason otherwise (the caller answers UNAUTHORIZED). It is verify_signed_token, then
// check_token_clock.
Result<TokenClaims> verify_token(std::string_view token, ByteView key, std::string_view cluster_id,
                                 std::uint64_t now_s);

// What a token's bytes decide, whatever the time: its form, its signature under key, its
// claims, its cluster.
Result<TokenClaims> verify_signed_token(std::string_view token, ByteView key,
                                        std::string_view cluster_id);
// What the clock decides of verified claims: not expired (exp > now_s), not issued more than
// kClockSkewSeconds after now_s.
Status check_token_clock(const TokenClaims& claims, std::uint64_t now_s);

}  // namespace tally::auth
