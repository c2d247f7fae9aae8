// Client tokens revoked before they expire: a list of token ids (a token's jti claim) that
// every node refuses, whatever the token's signature, scope and expiry say.
//
// The list is a text file beside the token key (`tally cluster up` creates DIR/revoked-tokens;
// tallyd's --revoked-tokens-file names it): one token id per line; blank lines and lines
// starting with '#' are ignored; surrounding spaces and a CR before the LF are trimmed. A token
// id is 1 to kTokenIdBytesMax characters of [A-Za-z0-9._~-] (the ids tally mints are 32 hex
// digits). Anything else refuses the whole file, naming the line: a list read halfway would
// let a revoked token back in. tallyd reads it at start and again on SIGHUP; `tally token
// revoke` appends an id and signals a local cluster's nodes. Like the token key, the file is
// per node: a cluster refuses a token everywhere once every node has the line.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tally::auth {

inline constexpr std::size_t kTokenIdBytesMax = 128;
inline constexpr std::size_t kRevokedTokensBytesMax = std::size_t{16} << 20;

class RevokedTokens {
 public:
  bool contains(std::string_view token_id) const { return ids_.count(token_id) != 0; }
  std::size_t size() const { return ids_.size(); }
  // SHA-256 over the ids in byte order, each followed by a newline, in hex: equal on nodes
  // holding the same ids, whatever their files' order, comments or spacing (/_tally/info).
  const std::string& digest_hex() const { return digest_hex_; }

  // The list a file's text holds; kValidation naming the first bad line.
  static Result<RevokedTokens> parse(std::string_view text);

 private:
  std::set<std::string, std::less<>> ids_;
  std::string digest_hex_ = empty_digest_hex();

  static std::string empty_digest_hex();
};

// kValidation for a token id that a list could not hold (empty, too long, another byte).
Status validate_token_id(std::string_view token_id);

// The list in path: kConfiguration when it cannot be read or is over kRevokedTokensBytesMax,
// kValidation (naming path and line) when a line is not a token id.
Result<RevokedTokens> read_revoked_tokens_file(const std::string& path);

// Creates path with a comment saying what it holds, when it does not exist (mode 0644: token
// ids are not secrets, but only the owner may add or remove one).
Status ensure_revoked_tokens_file(const std::string& path);

// Appends token_id to the list in path (created if missing), unless the list holds it
// already; returns whether it was appended. The file is read first, so a damaged list is
// refused, not extended.
Result<bool> append_revoked_token(const std::string& path, std::string_view token_id);

}  // namespace tally::auth
