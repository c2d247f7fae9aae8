// HMAC-SHA-256 (RFC 2104, with SHA-256 as H, B = 64, L = 32): the audit chain's keyed hash
// (docs/design.md §7, hash = HMAC-SHA-256(cluster key, header ‖ items ‖ previous hash)).
//
// Contract:
// - Any key length is accepted; keys longer than a block (64 bytes) are hashed with SHA-256
//   first, shorter ones are zero-padded (RFC 2104 §2). An empty key is a valid key.
// - An HmacSha256 authenticates one message, fed by any number of update() calls in any
//   split; the tag equals hmac_sha256() of the concatenation.
// - finish() is called at most once and returns the full 32-byte tag; the object is then
//   spent: a second finish() or any update() after finish() stops the program
//   (TALLY_INVARIANT). Callers that truncate the tag (RFC 4231 case 5) take a prefix.
// - The object keeps the outer hash state, not the caller's key bytes. Not thread-safe.
//   Not constant-time with respect to the key length (the chain's key is not secret from the
//   nodes that hold it).
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/crypto/sha256.hpp"

namespace tally::crypto {

// A key prepared once: the hash states after the inner (K0 xor ipad) and outer (K0 xor opad)
// blocks, so each message under the same key costs two compressions fewer. Holds no copy of
// the key bytes.
class HmacKey {
 public:
  explicit HmacKey(ByteView key);

 private:
  friend class HmacSha256;
  Sha256 inner_start_;  // after (K0 xor ipad)
  Sha256 outer_start_;  // after (K0 xor opad)
};

class HmacSha256 {
 public:
  // Derives the inner and outer padded keys and starts the inner hash.
  explicit HmacSha256(ByteView key);
  // Starts from a prepared key.
  explicit HmacSha256(const HmacKey& key);

  // Appends data to the message.
  // REQUIRES: finish() not called.
  void update(ByteView data);

  // Returns HMAC-SHA-256(key, message); the object is spent afterwards.
  // REQUIRES: finish() not called.
  Digest finish();

 private:
  Sha256 outer_;  // H((K0 xor opad) ‖ ...), waiting for the inner digest
  Sha256 inner_;  // H((K0 xor ipad) ‖ text), in progress
  bool finished_ = false;
};

// The tag of one message under key.
Digest hmac_sha256(ByteView key, ByteView message);
Digest hmac_sha256(const HmacKey& key, ByteView message);

}  // namespace tally::crypto
