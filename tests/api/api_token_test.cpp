// [api][security] Every route checks the request's bearer token against its scope and the
// ledger its path names (native/http/route_access.hpp): 401 UNAUTHORIZED when the token is
// missing or does not verify, 403 FORBIDDEN when it verifies but does not grant the request.
// A refused request changes nothing.
#include <catch2/catch.hpp>

#include <chrono>

#include "native/auth/base64url.hpp"
#include "native/auth/token.hpp"
#include "tests/api/api_json.hpp"
#include "tests/api/api_node.hpp"

namespace tally::testing {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Bytes cluster_key() {
  return Bytes(32, 0x5a);
}

std::uint64_t now_s() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// A token of cluster "tally" for ledgers (none: every ledger) with rights, valid for an hour.
auth::TokenClaims claims_for(std::optional<std::vector<std::string>> ledgers, std::uint8_t rights) {
  auth::TokenClaims claims;
  claims.cluster_id = "tally";
  claims.token_id = "0123456789abcdef";
  claims.issued_at_s = now_s();
  claims.expires_at_s = now_s() + 3600;
  claims.ledgers = std::move(ledgers);
  claims.rights = rights;
  return claims;
}

Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

Headers bearer(const auth::TokenClaims& claims, const Bytes& key = cluster_key()) {
  return bearer(auth::sign_token(claims, key));
}

const std::string kTransfer =
    R"({"postings":[{"source":"world","destination":"users:a","amount":5,"asset":"USD"}]})";

// A node with auth on, ledgers "good" and "other" created with an admin token.
struct GuardedNode {
  ApiNode node{0, {}, cluster_key()};
  Headers admin =
      bearer(claims_for(std::nullopt, auth::kRightRead | auth::kRightWrite | auth::kRightAdmin));
  GuardedNode() {
    REQUIRE(node.call("POST", "/v2/good", "", admin).status == 204);
    REQUIRE(node.call("POST", "/v2/other", "", admin).status == 204);
  }
};

void check_refused(const cli::HttpResponse& answer, int status, const std::string& says) {
  INFO(answer.status << " " << answer.body);
  CHECK(answer.status == status);
  const json::Json body = json_of(answer);
  CHECK(field(body, "errorCode").text == (status == 401 ? "UNAUTHORIZED" : "FORBIDDEN"));
  CHECK_THAT(field(body, "errorMessage").text, Catch::Contains(says));
  if (status == 401) CHECK(answer.header("www-authenticate") == "Bearer realm=\"tally\"");
}

TEST_CASE("a request without a bearer token, or with a malformed one, is 401 and changes nothing",
          "[api][security]") {
  GuardedNode guarded;
  const std::string before = guarded.node.digest();
  check_refused(guarded.node.call("POST", "/v2/good/transactions", kTransfer), 401,
                "missing bearer token");
  check_refused(guarded.node.call("GET", "/v2/good/transactions"), 401, "missing");
  check_refused(guarded.node.call("GET", "/_tally/info"), 401, "missing");
  for (const std::string header : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc"})
    check_refused(
        guarded.node.call("POST", "/v2/good/transactions", kTransfer, {{"Authorization", header}}),
        401, "malformed Authorization header");
  for (const std::string token : {"a.b", "not-a-jwt", "a.b.c.d", "..."})
    check_refused(guarded.node.call("POST", "/v2/good/transactions", kTransfer, bearer(token)), 401,
                  "malformed token");
  CHECK(guarded.node.digest() == before);
}

TEST_CASE("an expired token, one of another cluster or signed with another key is 401",
          "[api][security]") {
  GuardedNode guarded;
  const std::string before = guarded.node.digest();
  auto expired = claims_for(std::nullopt, auth::kRightWrite);
  expired.issued_at_s = now_s() - 7200;
  expired.expires_at_s = now_s() - 10;
  check_refused(guarded.node.call("POST", "/v2/good/transactions", kTransfer, bearer(expired)), 401,
                "expired");
  auto elsewhere = claims_for(std::nullopt, auth::kRightWrite);
  elsewhere.cluster_id = "elsewhere";
  check_refused(guarded.node.call("POST", "/v2/good/transactions", kTransfer, bearer(elsewhere)),
                401, "cluster \"elsewhere\"");
  check_refused(
      guarded.node.call("POST", "/v2/good/transactions", kTransfer,
                        bearer(claims_for(std::nullopt, auth::kRightWrite), Bytes(32, 0x11))),
      401, "bad signature");
  CHECK(guarded.node.digest() == before);
}

TEST_CASE("a tampered token is 401: its claims do not match its signature", "[api][security]") {
  GuardedNode guarded;
  const std::string before = guarded.node.digest();
  // A read token for "good" whose claims are rewritten to write on every ledger, signature kept.
  const std::string token = auth::sign_token(
      claims_for(std::vector<std::string>{"good"}, auth::kRightRead), cluster_key());
  const std::size_t first = token.find('.'), second = token.rfind('.');
  auto forged = claims_for(std::nullopt, auth::kRightWrite);
  const std::string forged_token = auth::sign_token(forged, Bytes(32, 0x22));
  const std::string forged_claims = forged_token.substr(
      forged_token.find('.') + 1, forged_token.rfind('.') - forged_token.find('.') - 1);
  const std::string tampered = token.substr(0, first + 1) + forged_claims + token.substr(second);
  check_refused(guarded.node.call("POST", "/v2/other/transactions", kTransfer, bearer(tampered)),
                401, "bad signature");
  // The header changed to "none" (no signature): refused whatever the claims say.
  const std::string none =
      auth::base64url_encode(ByteView(std::string_view(R"({"alg":"none","typ":"JWT"})"))) +
      token.substr(first, second - first) + ".";
  check_refused(guarded.node.call("GET", "/v2/good/transactions", "", bearer(none)), 401,
                "\"none\"");
  CHECK(guarded.node.digest() == before);
}

TEST_CASE("a valid token for another ledger is 403, for its own ledger it passes",
          "[api][security]") {
  GuardedNode guarded;
  const auto good_writer = bearer(claims_for(std::vector<std::string>{"good"}, auth::kRightWrite));
  const std::string before = guarded.node.digest();
  check_refused(guarded.node.call("POST", "/v2/other/transactions", kTransfer, good_writer), 403,
                "ledger \"other\"");
  check_refused(guarded.node.call("GET", "/v2/other/transactions", "", good_writer), 403,
                "ledger \"other\"");
  check_refused(
      guarded.node.call("PUT", "/api/ledger/v2/other/metadata", R"({"k":"v"})", good_writer), 403,
      "ledger \"other\"");
  CHECK(guarded.node.digest() == before);
  CHECK(guarded.node.call("POST", "/v2/good/transactions", kTransfer, good_writer).status == 200);
  CHECK(guarded.node.call("GET", "/v2/good/transactions", "", good_writer).status == 200);
}

// The names of the ledgers a listing returns, in order.
std::vector<std::string> listed_names(const cli::HttpResponse& answer) {
  std::vector<std::string> names;
  const json::Json body = json_of(answer);
  for (const json::Json& ledger : field(field(body, "cursor"), "data").items) {
    names.push_back(field(ledger, "name").text);
  }
  return names;
}

TEST_CASE("the ledger list shows a ledger-scoped token only its own ledgers", "[api][security]") {
  GuardedNode guarded;
  REQUIRE(guarded.node.call("POST", "/v2/third", "", guarded.admin).status == 204);
  using Names = std::vector<std::string>;
  CHECK(listed_names(guarded.node.call("GET", "/v2", "", guarded.admin)) ==
        Names{"good", "other", "third"});
  const auto good_reader = bearer(claims_for(Names{"good"}, auth::kRightRead));
  CHECK(listed_names(guarded.node.call("GET", "/v2", "", good_reader)) == Names{"good"});
  const auto two = bearer(claims_for(Names{"third", "good"}, auth::kRightRead));
  CHECK(listed_names(guarded.node.call("GET", "/v2", "", two)) == Names{"good", "third"});
  // Pages and the request's own filter apply within what the token may see.
  const auto first = guarded.node.call("GET", "/v2?pageSize=1", "", two);
  CHECK(listed_names(first) == Names{"good"});
  const json::Json first_body = json_of(first);
  const std::string next = field(field(first_body, "cursor"), "next").text;
  CHECK(listed_names(guarded.node.call("GET", "/v2?cursor=" + next, "", two)) == Names{"third"});
  const std::string by_name = R"({"$match":{"name":"other"}})";
  CHECK(listed_names(guarded.node.call("GET", "/v2", by_name, two)).empty());
  CHECK(listed_names(guarded.node.call("GET", "/v2", by_name, guarded.admin)) == Names{"other"});
}

TEST_CASE("a valid token without the route's right is 403: read, write, admin", "[api][security]") {
  GuardedNode guarded;
  const auto reader = bearer(claims_for(std::nullopt, auth::kRightRead));
  const auto writer = bearer(claims_for(std::nullopt, auth::kRightWrite));
  const auto admin_only = bearer(claims_for(std::nullopt, auth::kRightAdmin));
  const std::string before = guarded.node.digest();
  check_refused(guarded.node.call("POST", "/v2/good/transactions", kTransfer, reader), 403,
                "does not allow writes");
  check_refused(guarded.node.call("POST", "/v2/created-by-reader", "", reader), 403, "writes");
  check_refused(guarded.node.call("DELETE", "/v2/good/metadata/k", "", reader), 403, "writes");
  check_refused(guarded.node.call("GET", "/v2/good/transactions", "", admin_only), 403, "reads");
  for (const std::string route : {"/_tally/check", "/_tally/log", "/_tally/metrics"}) {
    check_refused(guarded.node.call("GET", route, "", reader), 403, "node routes (admin)");
    check_refused(guarded.node.call("GET", route, "", writer), 403, "node routes (admin)");
  }
  CHECK(guarded.node.digest() == before);
  // What each right does grant: reads (write covers them), the node routes, the info routes.
  CHECK(guarded.node.call("GET", "/v2/good/transactions", "", reader).status == 200);
  CHECK(guarded.node.call("GET", "/v2/good/transactions", "", writer).status == 200);
  CHECK(guarded.node.call("GET", "/v2", "", reader).status == 200);
  CHECK(guarded.node.call("GET", "/_tally/log", "", admin_only).status == 200);
  for (const auto& token : {reader, writer, admin_only}) {
    CHECK(guarded.node.call("GET", "/_tally/info", "", token).status == 200);
    CHECK(guarded.node.call("GET", "/api/ledger/_/info", "", token).status == 200);
  }
}

}  // namespace
}  // namespace tally::testing
