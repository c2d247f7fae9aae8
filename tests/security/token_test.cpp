// [security] Client tokens: standard HS256 JWTs under the cluster's token key, and the typed
// decision the HTTP layer asks for each request (native/auth/token.hpp, access.hpp).
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string_view>

#include "native/auth/access.hpp"
#include "native/auth/base64url.hpp"
#include "native/auth/revoked_tokens.hpp"
#include "native/auth/token.hpp"
#include "native/json/json.hpp"
#include "native/keyfile/token_key_file.hpp"
#include "native/limits.hpp"
#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

using auth::Access;
using auth::Decision;
using auth::MethodClass;
using auth::RouteKind;

constexpr std::uint64_t kNow = 1'800'000'000;

Bytes key_a() {
  return Bytes(32, 0xa1);
}
Bytes key_b() {
  return Bytes(32, 0xb2);
}

auth::TokenClaims claims(std::uint8_t rights, std::optional<std::vector<std::string>> ledgers) {
  auth::TokenClaims out;
  out.cluster_id = "tally";
  out.subject = "ci";
  out.token_id = "00112233445566778899aabbccddeeff";
  out.issued_at_s = kNow - 10;
  out.expires_at_s = kNow + 3600;
  out.ledgers = std::move(ledgers);
  out.rights = rights;
  return out;
}

std::string bearer(const std::string& token) {
  return "Bearer " + token;
}

Decision decide(auth::TokenGate& gate, std::optional<std::string> header, const Access& access,
                std::uint64_t now = kNow) {
  std::optional<std::string_view> view;
  if (header) view = *header;
  return gate.decide(view, access, now);
}

const Access kWriteShop{RouteKind::kLedger, MethodClass::kWrite, "shop"};
const Access kReadShop{RouteKind::kLedger, MethodClass::kRead, "shop"};

TEST_CASE("a token grants its ledgers and rights, and a writer also reads", "[security]") {
  auth::TokenGate gate(key_a(), "tally");
  const std::string token = auth::sign_token(claims(auth::kRightWrite, {{"shop"}}), key_a());
  Decision write = decide(gate, bearer(token), kWriteShop);
  INFO(write.reason);
  REQUIRE(write.outcome == Decision::Outcome::kAllowed);
  REQUIRE(write.claims.has_value());
  CHECK(*write.claims == claims(auth::kRightWrite, {{"shop"}}));
  CHECK(decide(gate, bearer(token), kReadShop).outcome == Decision::Outcome::kAllowed);
  CHECK(decide(gate, "bearer  " + token + " ", kReadShop).outcome == Decision::Outcome::kAllowed);
  const std::string everything =
      auth::sign_token(claims(auth::kRightRead | auth::kRightAdmin, std::nullopt), key_a());
  CHECK(decide(gate, bearer(everything), {RouteKind::kLedger, MethodClass::kRead, "any"}).outcome ==
        Decision::Outcome::kAllowed);
  CHECK(decide(gate, bearer(everything), {RouteKind::kNode, MethodClass::kRead, ""}).outcome ==
        Decision::Outcome::kAllowed);
  CHECK(decide(gate, bearer(token), {RouteKind::kInfo, MethodClass::kRead, ""}).outcome ==
        Decision::Outcome::kAllowed);
}

TEST_CASE(
    "missing, malformed, expired, foreign, tampered and wrongly keyed tokens are UNAUTHORIZED",
    "[security]") {
  auth::TokenGate gate(key_a(), "tally");
  const auto good = claims(auth::kRightWrite, {{"shop"}});
  const std::string token = auth::sign_token(good, key_a());
  auto expired = good;
  expired.expires_at_s = kNow;
  auto other_cluster = good;
  other_cluster.cluster_id = "elsewhere";
  auto future = good;
  future.issued_at_s = kNow + auth::kClockSkewSeconds + 1;
  // The claims with "shop" turned into "shoq": same length, another ledger.
  std::string tampered = token;
  const std::size_t first = tampered.find('.'), second = tampered.find('.', first + 1);
  auto payload = auth::base64url_decode(tampered.substr(first + 1, second - first - 1));
  REQUIRE(payload.has_value());
  std::string text(payload->begin(), payload->end());
  text.replace(text.find("shop"), 4, "shoq");
  tampered = tampered.substr(0, first + 1) +
             auth::base64url_encode(ByteView(std::string_view(text))) + tampered.substr(second);
  // alg "none": the header swapped, the signature dropped.
  const std::string none = auth::base64url_encode(ByteView(std::string_view(R"({"alg":"none"})"))) +
                           token.substr(first, second - first) + ".";

  struct Case {
    const char* name;
    std::optional<std::string> header;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"no header", std::nullopt, "missing bearer token"},
      {"another scheme", "Basic dXNlcjpwYXNz", "malformed Authorization header"},
      {"an empty bearer", "Bearer ", "malformed Authorization header"},
      {"two parts", bearer("abc.def"), "not three dot-separated parts"},
      {"not base64url", bearer("a+b.c.d"), "not base64url"},
      {"expired", bearer(auth::sign_token(expired, key_a())), "expired"},
      {"another cluster", bearer(auth::sign_token(other_cluster, key_a())),
       "cluster \"elsewhere\""},
      {"issued in the future", bearer(auth::sign_token(future, key_a())), "future"},
      {"tampered claims", bearer(tampered), "bad signature"},
      {"another key", bearer(auth::sign_token(good, key_b())), "bad signature"},
      {"alg none", bearer(none), "is not HS256"},
      {"over 8 KiB", bearer(std::string(limits::kTokenBytesMax + 1, 'a')), "longer than 8 KiB"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Decision decision = decide(gate, c.header, kWriteShop);
    CHECK(decision.outcome == Decision::Outcome::kUnauthorized);
    CHECK_THAT(decision.reason, Catch::Contains(c.reason));
    CHECK_FALSE(decision.claims.has_value());
  }
  // The same token under the other node's view of the key: refused too.
  auth::TokenGate other_key(key_b(), "tally");
  CHECK(decide(other_key, bearer(token), kWriteShop).outcome == Decision::Outcome::kUnauthorized);
}

TEST_CASE(
    "a token verified once is taken from the gate's cache, its time limits checked on every use",
    "[security]") {
  auth::TokenGate gate(key_a(), "tally");
  const auto good = claims(auth::kRightWrite, {{"shop"}});
  const std::string token = auth::sign_token(good, key_a());
  REQUIRE(decide(gate, bearer(token), kWriteShop).outcome == Decision::Outcome::kAllowed);
  REQUIRE(gate.verified().size() == 1);
  SECTION("the cached claims decide as the token's own") {
    Decision again = decide(gate, bearer(token), kWriteShop);
    REQUIRE(again.outcome == Decision::Outcome::kAllowed);
    CHECK(*again.claims == good);
    CHECK(decide(gate, bearer(token), {RouteKind::kLedger, MethodClass::kWrite, "bank"}).outcome ==
          Decision::Outcome::kForbidden);
    CHECK(gate.verified().size() == 1);
  }
  SECTION("a cached token expires at its exp, and is refused before its iat") {
    Decision late = decide(gate, bearer(token), kWriteShop, good.expires_at_s);
    CHECK(late.outcome == Decision::Outcome::kUnauthorized);
    CHECK_THAT(late.reason, Catch::Contains("expired"));
    Decision early =
        decide(gate, bearer(token), kWriteShop, good.issued_at_s - auth::kClockSkewSeconds - 1);
    CHECK(early.outcome == Decision::Outcome::kUnauthorized);
    CHECK_THAT(early.reason, Catch::Contains("future"));
  }
  SECTION("a token one byte away from a cached one is verified, and refused") {
    for (std::size_t at : {std::size_t{0}, token.find('.') + 3, token.size() - 2}) {
      std::string changed = token;
      changed[at] = changed[at] == 'A' ? 'B' : 'A';
      INFO("byte " << at);
      CHECK(decide(gate, bearer(changed), kWriteShop).outcome == Decision::Outcome::kUnauthorized);
    }
    CHECK(gate.verified().size() == 1);  // refused tokens are never kept
  }
  SECTION("the cache is bounded: full, it starts again, and every token still verifies") {
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i <= auth::VerifiedTokens::kCapacity; ++i) {
      auto other = good;
      other.subject = "client-" + std::to_string(i);
      tokens.push_back(auth::sign_token(other, key_a()));
      CHECK(decide(gate, bearer(tokens.back()), kWriteShop).outcome == Decision::Outcome::kAllowed);
      CHECK(gate.verified().size() <= auth::VerifiedTokens::kCapacity);
    }
    CHECK(gate.verified().size() < auth::VerifiedTokens::kCapacity);
    for (const std::string& each : tokens)
      CHECK(decide(gate, bearer(each), kReadShop).outcome == Decision::Outcome::kAllowed);
  }
}

TEST_CASE("a revoked token is refused however it verified, and only it", "[security]") {
  auth::TokenGate gate(key_a(), "tally");
  auto kept = claims(auth::kRightWrite, {{"shop"}});
  auto revoked = kept;
  revoked.token_id = "revoked-token.1";
  const std::string kept_token = auth::sign_token(kept, key_a());
  const std::string revoked_token = auth::sign_token(revoked, key_a());
  // Both verified and cached before the list arrives.
  REQUIRE(decide(gate, bearer(revoked_token), kWriteShop).outcome == Decision::Outcome::kAllowed);
  REQUIRE(decide(gate, bearer(kept_token), kWriteShop).outcome == Decision::Outcome::kAllowed);
  auto list = auth::RevokedTokens::parse("# revoked\n\n  revoked-token.1 \r\nother\n");
  REQUIRE(list.ok());
  CHECK(list->size() == 2);
  gate.set_revoked(std::move(list).value());
  Decision refused = decide(gate, bearer(revoked_token), kReadShop);
  CHECK(refused.outcome == Decision::Outcome::kUnauthorized);
  CHECK_THAT(refused.reason, Catch::Contains("revoked") && Catch::Contains("revoked-token.1"));
  CHECK(decide(gate, bearer(kept_token), kWriteShop).outcome == Decision::Outcome::kAllowed);
  SECTION("a gate that never saw the token refuses it too") {
    auth::TokenGate fresh(key_a(), "tally");
    fresh.set_revoked(auth::RevokedTokens::parse("revoked-token.1").value());
    CHECK(decide(fresh, bearer(revoked_token), kWriteShop).outcome ==
          Decision::Outcome::kUnauthorized);
  }
  SECTION("a list without the id lets the token in again") {
    gate.set_revoked(auth::RevokedTokens::parse("other\n").value());
    CHECK(decide(gate, bearer(revoked_token), kWriteShop).outcome == Decision::Outcome::kAllowed);
  }
}

TEST_CASE("a revocation list refuses a bad line whole, naming it, and appends only valid ids",
          "[security]") {
  using namespace std::string_view_literals;
  struct Case {
    std::string_view text;
    const char* reason;
  };
  for (const Case& c : std::vector<Case>{{"good\nbad id\n"sv, "line 2"},
                                         {"good\n\n# note\nsemi;colon"sv, "line 4"},
                                         {"tab\there"sv, "line 1"},
                                         {"nul\0byte"sv, "line 1"}}) {
    INFO(std::string(c.text));
    auto list = auth::RevokedTokens::parse(c.text);
    REQUIRE_FALSE(list.ok());
    CHECK(list.error().code == Code::kValidation);
    CHECK_THAT(list.error().message, Catch::Contains(c.reason));
  }
  // Random texts over the bytes that matter: each is a list of valid ids or refused whole.
  std::uint64_t state = 7;
  auto next = [&] {  // splitmix64: the same inputs every run
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    return z ^ (z >> 27);
  };
  std::string bytes = "ab09.-_~# \t\r\n\xff;";
  bytes.push_back('\0');
  for (int round = 0; round < 3000; ++round) {
    std::string text(next() % 64, ' ');
    for (char& c : text)
      c = bytes[next() % bytes.size()];
    auto list = auth::RevokedTokens::parse(text);
    if (!list.ok()) {
      CHECK(list.error().code == Code::kValidation);
      CHECK_THAT(list.error().message, Catch::StartsWith("line "));
    }
  }
  // The digest names the ids, not the file's order, comments or spacing.
  const auto ab = auth::RevokedTokens::parse("a1\nb2\n").value();
  CHECK(auth::RevokedTokens::parse("# x\n b2\r\n\na1").value().digest_hex() == ab.digest_hex());
  CHECK(auth::RevokedTokens::parse("a1\nb3\n").value().digest_hex() != ab.digest_hex());
  CHECK(auth::RevokedTokens::parse("a1b2\n").value().digest_hex() != ab.digest_hex());
  CHECK(auth::RevokedTokens().digest_hex() ==
        auth::RevokedTokens::parse("# none").value().digest_hex());
  CHECK(auth::RevokedTokens().digest_hex() != ab.digest_hex());
  CHECK_FALSE(auth::RevokedTokens::parse(std::string(auth::kTokenIdBytesMax + 1, 'a')).ok());
  CHECK(auth::RevokedTokens::parse(std::string(auth::kTokenIdBytesMax, 'a')).ok());
  CHECK(auth::RevokedTokens::parse("").value().size() == 0);

  TempDir dir;
  const std::string path = dir.file("revoked-tokens");
  CHECK_FALSE(auth::read_revoked_tokens_file(path).ok());  // a file named must exist
  REQUIRE(auth::ensure_revoked_tokens_file(path).ok());
  REQUIRE(auth::read_revoked_tokens_file(path).value().size() == 0);
  CHECK(auth::append_revoked_token(path, "a1").value());
  CHECK_FALSE(auth::append_revoked_token(path, "a1").value());  // already there: not twice
  CHECK_FALSE(auth::append_revoked_token(path, "b 2").ok());
  {
    std::ofstream out(path, std::ios::app);
    out << "c3";  // a hand edit without a final newline
  }
  CHECK(auth::append_revoked_token(path, "d4").value());
  auto read = auth::read_revoked_tokens_file(path);
  REQUIRE(read.ok());
  CHECK(read->size() == 3);
  CHECK(read->contains("a1"));
  CHECK(read->contains("c3"));
  CHECK(read->contains("d4"));
  {
    std::ofstream out(path, std::ios::app);
    out << "e 5\n";
  }
  const auto before = std::filesystem::file_size(path);
  auto refused = auth::append_revoked_token(path, "f6");
  REQUIRE_FALSE(refused.ok());  // a damaged list is not extended
  CHECK_THAT(refused.error().message, Catch::Contains("line"));
  CHECK(std::filesystem::file_size(path) == before);
}

TEST_CASE("a valid token for another ledger or without the right is FORBIDDEN", "[security]") {
  auth::TokenGate gate(key_a(), "tally");
  const std::string reader = auth::sign_token(claims(auth::kRightRead, {{"shop"}}), key_a());
  const std::string writer =
      auth::sign_token(claims(auth::kRightWrite, {{"shop", "bank"}}), key_a());
  struct Case {
    const char* name;
    std::string token;
    Access access;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"a write with read only", reader, kWriteShop, "does not allow writes"},
      {"another ledger",
       writer,
       {RouteKind::kLedger, MethodClass::kRead, "other"},
       "ledger \"other\""},
      {"a node route without admin", writer, {RouteKind::kNode, MethodClass::kRead, ""}, "admin"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Decision decision = decide(gate, bearer(c.token), c.access);
    CHECK(decision.outcome == Decision::Outcome::kForbidden);
    CHECK_THAT(decision.reason, Catch::Contains(c.reason));
    CHECK(decision.claims.has_value());  // who was refused, for the log
  }
}

TEST_CASE("a token is a standard JWT: the openssl command line verifies its HS256 signature",
          "[security]") {
  TempDir dir;
  auto key = keyfile::create_token_key_file(dir.file("token.key"));
  REQUIRE(key.ok());
  const std::string token = auth::sign_token(claims(auth::kRightRead, {{"shop"}}), *key);
  const std::size_t second = token.rfind('.');
  { std::ofstream(dir.file("signing-input"), std::ios::binary) << token.substr(0, second); }
  // HMAC-SHA-256 by OpenSSL's CLI, base64 to base64url without padding, as RFC 7515 says.
  CommandResult signature =
      run_command("openssl dgst -sha256 -mac HMAC -macopt hexkey:" + to_hex(*key) + " -binary " +
                  dir.file("signing-input") + " | openssl base64 -A | tr '+/' '-_' | tr -d '='");
  REQUIRE(signature.exit_code == 0);
  CHECK(signature.output == token.substr(second + 1));
  // The header and claims decode as plain JSON with the registered claim names.
  const std::size_t first = token.find('.');
  auto header = auth::base64url_decode(token.substr(0, first));
  auto body = auth::base64url_decode(token.substr(first + 1, second - first - 1));
  REQUIRE((header && body));
  CHECK(std::string(header->begin(), header->end()) == R"({"alg":"HS256","typ":"JWT"})");
  auto json = json::parse_json(std::string(body->begin(), body->end()));
  REQUIRE(json.ok());
  for (const char* name : {"iss", "aud", "sub", "jti", "iat", "exp", "ledgers", "scope"})
    CHECK(json->find(name) != nullptr);
  CHECK(json->find("exp")->text == std::to_string(kNow + 3600));
}

TEST_CASE("base64url decoding accepts only the canonical form", "[security]") {
  for (const char* text : {"Zg", "Zm8", "Zm9v", ""}) {
    auto decoded = auth::base64url_decode(text);
    REQUIRE(decoded.has_value());
    CHECK(auth::base64url_encode(*decoded) == text);
  }
  for (const char* text : {"Zg==", "Z", "Zh", "Zm+v", "Zm/v", "Zm 9v", "Zm9v\n"}) {
    INFO(text);
    CHECK_FALSE(auth::base64url_decode(text).has_value());
  }
}

TEST_CASE("scopes name read, write and admin, and nothing else", "[security]") {
  auto parsed = auth::parse_scope("read, admin");
  REQUIRE(parsed.ok());
  CHECK(*parsed == (auth::kRightRead | auth::kRightAdmin));
  CHECK(auth::scope_text(*parsed) == "read admin");
  auto unknown = auth::parse_scope("read root");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("root"));
}

TEST_CASE("a token key file is 32 random bytes of mode 0600, refused when others may read it",
          "[security][keyfile]") {
  TempDir dir;
  auto created = keyfile::create_token_key_file(dir.file("token.key"));
  REQUIRE(created.ok());
  CHECK(created->size() == 32);
  auto read = keyfile::read_token_key_file(dir.file("token.key"));
  REQUIRE(read.ok());
  CHECK(*read == *created);
  CHECK_FALSE(keyfile::create_token_key_file(dir.file("token.key")).ok());  // never overwritten
  REQUIRE(::chmod(dir.file("token.key").c_str(), 0644) == 0);
  auto open = keyfile::read_token_key_file(dir.file("token.key"));
  REQUIRE_FALSE(open.ok());
  CHECK_THAT(open.error().message, Catch::Contains("chmod 600"));
}

TEST_CASE("random and mutated tokens are refused, never crash the verifier", "[security]") {
  const std::string good = auth::sign_token(claims(auth::kRightRead, {{"shop"}}), key_a());
  std::uint64_t state = 42;
  auto next = [&] {  // splitmix64: the same inputs every run
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    return z ^ (z >> 27);
  };
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  for (int round = 0; round < 5000; ++round) {
    std::string token = good;
    for (int flips = 1 + static_cast<int>(next() % 4); flips > 0; --flips)
      token[next() % token.size()] = alphabet[next() % alphabet.size()];
    if (round % 2 == 1) token = token.substr(0, next() % token.size());
    if (token == good) continue;
    auto verified = auth::verify_token(token, key_a(), "tally", kNow);
    CHECK_FALSE(verified.ok());
  }
}

}  // namespace
}  // namespace tally::testing
