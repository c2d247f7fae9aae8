// Secret files: keys held outside the store (the audit key, the token secret, TLS private
// keys), readable by their owner only.
//
// A secret file is refused when it is not a regular file or when group or others may access
// it (mode 0600 or stricter, as ssh does with private keys). A new one is created with O_EXCL
// (never overwriting a secret), mode 0600 whatever the umask, written, fsynced, and its
// directory fsynced. Errors are kConfiguration naming what the file is, its path and why.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace tally::keyfile {

// The bytes of the secret file at path, at most bytes_max (a longer file is refused). what
// names the file in errors ("audit key file").
Result<Bytes> read_secret_file(const std::string& path, const std::string& what,
                               std::size_t bytes_max);

// Creates path (refused when it exists) with mode, holding bytes. 0600 for secrets; a public
// file (a certificate) may be 0644.
Status create_file(const std::string& path, const std::string& what, ByteView bytes,
                   mode_t mode = 0600);

// count bytes from the kernel's random source.
Result<Bytes> random_bytes(std::size_t count, const std::string& what);

}  // namespace tally::keyfile
