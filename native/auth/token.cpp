#include "native/auth/token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "core/domain/validation.hpp"
#include "native/auth/base64url.hpp"
#include "native/json/json.hpp"
#include "native/limits.hpp"

namespace tally::auth {

namespace {

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::string_view kAllLedgers = "*";

struct NamedRight {
  std::uint8_t bit;
  std::string_view name;
};
constexpr NamedRight kRights[] = {
    {kRightRead, "read"}, {kRightWrite, "write"}, {kRightAdmin, "admin"}};

Error refused(const std::string& reason) {
  return make_error(Code::kValidation, reason);
}

Bytes hmac(ByteView key, std::string_view message) {
  Bytes tag(EVP_MAX_MD_SIZE);
  unsigned length = 0;
  HMAC(EVP_sha256(), key.data, static_cast<int>(key.size),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), tag.data(), &length);
  tag.resize(length);
  return tag;
}

std::string_view as_text(const Bytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string claims_json(const TokenClaims& claims) {
  json::JsonWriter out;
  out.begin_object();
  out.key("iss");
  out.string(kTokenIssuer);
  out.key("aud");
  out.string(claims.cluster_id);
  if (!claims.subject.empty()) {
    out.key("sub");
    out.string(claims.subject);
  }
  out.key("jti");
  out.string(claims.token_id);
  out.key("iat");
  out.u64(claims.issued_at_s);
  out.key("exp");
  out.u64(claims.expires_at_s);
  out.key("ledgers");
  out.begin_array();
  if (!claims.ledgers) out.string(kAllLedgers);
  for (const std::string& ledger : claims.ledgers.value_or(std::vector<std::string>{}))
    out.string(ledger);
  out.end_array();
  out.key("scope");
  out.string(scope_text(claims.rights));
  out.end_object();
  return out.take();
}

std::optional<std::uint64_t> seconds_of(const json::Json* value) {
  if (value == nullptr || value->type != json::Json::Type::kNumber || value->text.empty() ||
      value->text.size() > 19 || !std::all_of(value->text.begin(), value->text.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    return std::nullopt;
  return std::stoull(value->text);
}

const std::string* text_of(const json::Json& claims, std::string_view key) {
  const json::Json* value = claims.find(key);
  if (value == nullptr || value->type != json::Json::Type::kString) return nullptr;
  return &value->text;
}

Result<std::optional<std::vector<std::string>>> ledgers_of(const json::Json* value) {
  using Ledgers = std::optional<std::vector<std::string>>;
  if (value == nullptr || value->type != json::Json::Type::kArray || value->items.empty())
    return refused("malformed claims: \"ledgers\" is not a non-empty array");
  std::vector<std::string> names;
  for (const json::Json& item : value->items) {
    if (item.type != json::Json::Type::kString)
      return refused("malformed claims: a ledger is not a string");
    if (item.text == kAllLedgers) {
      if (value->items.size() != 1) return refused("malformed claims: \"*\" beside ledgers");
      return Ledgers();
    }
    if (!domain::validate_ledger_name(item.text).ok())
      return refused("malformed claims: ledger " + domain::quote_input(item.text));
    names.push_back(item.text);
  }
  return Ledgers(std::move(names));
}

Result<TokenClaims> decode_claims(std::string_view text) {
  auto json = json::parse_json(text);
  if (!json.ok() || !json->is_object()) return refused("malformed claims: not a JSON object");
  const json::Json& object = *json;
  TokenClaims claims;
  const std::string* issuer = text_of(object, "iss");
  const std::string* audience = text_of(object, "aud");
  const std::string* token_id = text_of(object, "jti");
  const std::string* scope = text_of(object, "scope");
  auto issued = seconds_of(object.find("iat"));
  auto expires = seconds_of(object.find("exp"));
  if (!issuer || !audience || !token_id || !scope || !issued || !expires)
    return refused("malformed claims: iss, aud, jti, iat, exp and scope are required");
  if (*issuer != kTokenIssuer) return refused("issued by \"" + *issuer + "\", not by tally");
  if (const json::Json* subject = object.find("sub")) {
    if (subject->type != json::Json::Type::kString) return refused("malformed claims: sub");
    claims.subject = subject->text;
  }
  auto rights = parse_scope(*scope);
  if (!rights.ok() || *rights == 0) return refused("malformed claims: scope \"" + *scope + "\"");
  auto ledgers = ledgers_of(object.find("ledgers"));
  if (!ledgers.ok()) return std::move(ledgers).error();
  claims.cluster_id = *audience;
  claims.token_id = *token_id;
  claims.issued_at_s = *issued;
  claims.expires_at_s = *expires;
  claims.ledgers = std::move(ledgers).value();
  claims.rights = *rights;
  return claims;
}

// The three parts, each decoded; the signing input is the text before the second dot.
struct Parts {
  Bytes header, claims, signature;
  std::string_view signing_input;
};

Result<Parts> split(std::string_view token) {
  if (token.size() > limits::kTokenBytesMax) return refused("malformed token: longer than 8 KiB");
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return refused("malformed token: not three dot-separated parts");
  auto header = base64url_decode(token.substr(0, first));
  auto claims = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header || !claims || !signature) return refused("malformed token: not base64url");
  return Parts{std::move(*header), std::move(*claims), std::move(*signature),
               token.substr(0, second)};
}

}  // namespace

bool TokenClaims::covers_ledger(std::string_view ledger) const {
  if (!ledgers) return true;
  return std::find(ledgers->begin(), ledgers->end(), ledger) != ledgers->end();
}

std::string scope_text(std::uint8_t rights) {
  std::string out;
  for (const NamedRight& right : kRights) {
    if ((rights & right.bit) == 0) continue;
    if (!out.empty()) out += ' ';
    out += right.name;
  }
  return out;
}

Result<std::uint8_t> parse_scope(std::string_view text) {
  std::uint8_t rights = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find_first_of(" ,", at), text.size());
    const std::string_view word = text.substr(at, end - at);
    at = end + 1;
    if (word.empty()) continue;
    auto found = std::find_if(std::begin(kRights), std::end(kRights),
                              [&](const NamedRight& right) { return right.name == word; });
    if (found == std::end(kRights))
      return make_error(Code::kValidation, "unknown right \"" + std::string(word) +
                                               "\": rights are read, write and admin");
    rights |= found->bit;
  }
  return rights;
}

std::string sign_token(const TokenClaims& claims, ByteView key) {
  TALLY_INVARIANT(claims.rights != 0, "a token grants at least one right");
  const std::string claims_text = claims_json(claims);
  std::string token = base64url_encode(ByteView(kHeader)) + "." +
                      base64url_encode(ByteView(std::string_view(claims_text)));
  const Bytes tag = hmac(key, token);
  return token + "." + base64url_encode(tag);
}

Result<TokenClaims> verify_signed_token(std::string_view token, ByteView key,
                                        std::string_view cluster_id) {
  auto parts = split(token);
  if (!parts.ok()) return std::move(parts).error();
  auto header = json::parse_json(as_text(parts->header));
  const std::string* algorithm = header.ok() ? text_of(*header, "alg") : nullptr;
  if (algorithm == nullptr) return refused("malformed token header");
  if (*algorithm != "HS256") return refused("algorithm \"" + *algorithm + "\" is not HS256");
  // Critical extensions would change what the signature means: none is understood here.
  if (header->find("crit") != nullptr) return refused("token header with critical extensions");
  const Bytes expected = hmac(key, parts->signing_input);
  if (parts->signature.size() != expected.size() ||
      CRYPTO_memcmp(parts->signature.data(), expected.data(), expected.size()) != 0)
    return refused("bad signature: tampered, or signed with another key");
  auto claims = decode_claims(as_text(parts->claims));
  if (!claims.ok()) return std::move(claims).error();
  if (claims->cluster_id != cluster_id)
    return refused("a token for cluster \"" + claims->cluster_id + "\", not \"" +
                   std::string(cluster_id) + "\"");
  return claims;
}

Status check_token_clock(const TokenClaims& claims, std::uint64_t now_s) {
  if (claims.expires_at_s <= now_s)
    return refused("expired at " + std::to_string(claims.expires_at_s) + " (now " +
                   std::to_string(now_s) + ")");
  if (claims.issued_at_s > now_s + kClockSkewSeconds)
    return refused("issued in the future (" + std::to_string(claims.issued_at_s) + ")");
  return ok_status();
}

Result<TokenClaims> verify_token(std::string_view token, ByteView key, std::string_view cluster_id,
                                 std::uint64_t now_s) {
  auto claims = verify_signed_token(token, key, cluster_id);
  if (!claims.ok()) return claims;
  TALLY_TRY(check_token_clock(*claims, now_s));
  return claims;
}

}  // namespace tally::auth
