// The store digest: SHA-256 over every row of a store in key order. Two nodes at the same
// applied index must have the same digest (inv#1, inv#2); the node API reports it and the
// cluster tests compare it. Each row is hashed as [key bytes u64 LE][key][value bytes u64
// LE][value], so no two row sets share an input.
#pragma once

#include <functional>

#include "core/crypto/sha256.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::replica {

// Errors only when the store cannot be read, or with kStopped when stop_requested (asked every
// few thousand rows) answers true.
Result<crypto::Digest> store_digest(const store::KeyValueStore& store,
                                    const std::function<bool()>& stop_requested = {});

// Lower-case hex, for logs and reports.
std::string digest_hex(const crypto::Digest& digest);

}  // namespace tally::replica
