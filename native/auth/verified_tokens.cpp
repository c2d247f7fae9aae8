#include "native/auth/verified_tokens.hpp"

#include <cstring>

namespace tally::auth {

namespace {

crypto::Digest digest_of(std::string_view token) {
  return crypto::sha256(ByteView(token));
}

}  // namespace

std::size_t VerifiedTokens::DigestHash::operator()(const crypto::Digest& digest) const {
  std::size_t word = 0;
  std::memcpy(&word, digest.data(), sizeof word);  // a digest's bytes are already uniform
  return word;
}

const TokenClaims* VerifiedTokens::find(std::string_view token) const {
  auto found = by_digest_.find(digest_of(token));
  return found == by_digest_.end() ? nullptr : &found->second;
}

const TokenClaims& VerifiedTokens::insert(std::string_view token, TokenClaims claims) {
  if (by_digest_.size() >= kCapacity) by_digest_.clear();
  return by_digest_.insert_or_assign(digest_of(token), std::move(claims)).first->second;
}

}  // namespace tally::auth
