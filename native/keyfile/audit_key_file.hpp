// Audit key files (DESIGN.md §7): the node's secret, 32 random bytes in a file of
// its own, never in the store.
//
// A key file holds exactly 32 bytes and is readable by its owner only (mode 0600 or
// stricter): like ssh with private keys, a file that group or others may read is refused,
// because anyone holding the key can re-chain a forged history. A new cluster's key is
// created with O_EXCL (never overwriting a key) from the kernel's random source, written,
// fsynced, and its directory fsynced. Errors are kConfiguration with the path and the reason.
// Native only: the core takes the 32 bytes (audit::AuditKey) and does no I/O.
#pragma once

#include <string>

#include "core/audit/audit_key.hpp"

namespace tally::keyfile {

// Reads the key at path. Refuses a missing file, a file of another size, a file that is
// not a regular file, and a file whose mode grants group or others any access.
Result<audit::AuditKey> read_audit_key_file(const std::string& path);

// Creates a new key file at path (mode 0600) holding 32 random bytes, and returns the key.
// Refuses when path exists.
Result<audit::AuditKey> create_audit_key_file(const std::string& path);

}  // namespace tally::keyfile
