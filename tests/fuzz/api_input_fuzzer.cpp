// libFuzzer target: what a client hands a node's API before any route runs, and the
// revocation list an operator hands it. The first input byte picks the reader; the rest is
// its input. Each must return an error or a value, never crash, hang or leak:
//   0  a bearer token, through the verifier and the token gate (twice: the second time from
//      the gate's cache when it verified), with a revocation list naming its id;
//   1  token claims, signed here under the fuzzer's key so the claims parser runs on them;
//   2  a revocation list (native/auth/revoked_tokens.hpp);
//   3  base64url, which must re-encode to exactly its input (one text per byte string);
//   4  a JSON request body, through every body parser of the API (native/json).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "native/auth/access.hpp"
#include "native/auth/base64url.hpp"
#include "native/auth/revoked_tokens.hpp"
#include "native/auth/token.hpp"
#include "native/json/filter_json.hpp"
#include "native/json/json.hpp"
#include "native/json/request_json.hpp"

namespace {

using namespace tally;

constexpr std::uint64_t kNow = 1'800'000'000;

const Bytes& fuzz_key() {
  static const Bytes key(32, 0xa1);
  return key;
}

void gate(std::string_view token) {
  auth::TokenGate gate(fuzz_key(), "tally");
  const auth::Access access{auth::RouteKind::kLedger, auth::MethodClass::kWrite, "shop"};
  const std::string header = "Bearer " + std::string(token);
  auth::Decision first = gate.decide(header, access, kNow);
  auth::Decision again = gate.decide(header, access, kNow);
  // A cached token decides as it did when verified.
  if (first.outcome != again.outcome || first.claims != again.claims) std::abort();
  // Once its id is on the list (an id a list can hold), the same token is refused.
  if (!first.claims || !auth::validate_token_id(first.claims->token_id).ok()) return;
  auto revoked = auth::RevokedTokens::parse(first.claims->token_id);
  if (!revoked.ok() || revoked->size() != 1) std::abort();
  gate.set_revoked(std::move(revoked).value());
  if (gate.decide(header, access, kNow).outcome != auth::Decision::Outcome::kUnauthorized)
    std::abort();
}

void token(std::string_view text) {
  auto claims = auth::verify_signed_token(text, fuzz_key(), "tally");
  if (claims.ok() && claims->rights != 0) {
    // What verified signs again into a token that verifies to the same claims.
    auto again =
        auth::verify_signed_token(auth::sign_token(*claims, fuzz_key()), fuzz_key(), "tally");
    if (!again.ok() || !(*again == *claims)) std::abort();
  }
  gate(text);
}

void signed_claims(std::string_view claims) {
  std::string signing =
      auth::base64url_encode(ByteView(std::string_view(R"({"alg":"HS256","typ":"JWT"})"))) + "." +
      auth::base64url_encode(ByteView(claims));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), fuzz_key().data(), static_cast<int>(fuzz_key().size()),
           reinterpret_cast<const unsigned char*>(signing.data()), signing.size(), mac,
           &mac_size) == nullptr)
    std::abort();
  signing += "." + auth::base64url_encode(ByteView(mac, mac_size));
  token(signing);
}

void revocation_list(std::string_view text) {
  auto list = auth::RevokedTokens::parse(text);
  if (!list.ok() && list.error().code != Code::kValidation) std::abort();
}

void base64url(std::string_view text) {
  auto decoded = auth::base64url_decode(text);
  if (decoded && auth::base64url_encode(*decoded) != text) std::abort();
}

void body(std::string_view text) {
  auto json = json::parse_json(text);
  (void)json::parse_filter_text(text);
  if (!json.ok()) return;
  (void)json::parse_transaction(*json, "main", "");
  (void)json::parse_bulk(*json, "main");
  (void)json::parse_create_ledger(*json);
  (void)json::parse_revert_body(*json);
  (void)json::parse_metadata(*json, "metadata");
  (void)json::parse_filter(*json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0: token(rest); break;
    case 1: signed_claims(rest); break;
    case 2: revocation_list(rest); break;
    case 3: base64url(rest); break;
    default: body(rest); break;
  }
  return 0;
}
