// The claims of client tokens that already verified, so a client that sends the same token
// with every request costs a hash lookup instead of an HMAC and a JSON parse each time.
//
// What a token's bytes decide cannot change between two requests to one gate: its signature
// under the gate's key, its claims, its cluster (verify_signed_token). What the clock decides
// (expired, issued in the future) can, and the caller checks it on every use
// (check_token_clock). Only tokens that verified are kept, so tokens a client makes up never
// fill the cache; when it is full it is emptied, and the next requests verify again.
//
// Entries are keyed by the SHA-256 of the token, never by its text: a lookup compares digests,
// so how long a lookup takes says nothing about the bytes of a token it is compared with.
// Not thread-safe: one HTTP server's loop.
#pragma once

#include <cstddef>
#include <string_view>
#include <unordered_map>

#include "core/crypto/sha256.hpp"
#include "native/auth/token.hpp"

namespace tally::auth {

class VerifiedTokens {
 public:
  static constexpr std::size_t kCapacity = 256;

  // The claims of token if it verified before, none otherwise.
  const TokenClaims* find(std::string_view token) const;
  // Keeps the claims of a token that verify_signed_token accepted; the kept claims.
  const TokenClaims& insert(std::string_view token, TokenClaims claims);
  std::size_t size() const { return by_digest_.size(); }

 private:
  struct DigestHash {
    std::size_t operator()(const crypto::Digest& digest) const;
  };
  std::unordered_map<crypto::Digest, TokenClaims, DigestHash> by_digest_;
};

}  // namespace tally::auth
