// Token key files: the cluster's token secret, 32 random bytes that sign and verify client
// tokens (native/auth/token.hpp). Held outside the store like the audit key, and a different
// key: whoever can mint tokens need not be able to re-chain the audit log, and the other way
// round. Same file rules as every secret (secret_file.hpp): mode 0600 or stricter, created
// with O_EXCL, never overwritten.
#pragma once

#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace tally::keyfile {

inline constexpr std::size_t kTokenKeyBytes = 32;

// The 32 bytes at path; refuses any other size and a file group or others may access.
Result<Bytes> read_token_key_file(const std::string& path);

// Creates path (mode 0600) with 32 random bytes and returns them. Refuses when path exists.
Result<Bytes> create_token_key_file(const std::string& path);

}  // namespace tally::keyfile
