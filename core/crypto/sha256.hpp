// SHA-256 (FIPS 180-4 §6.2): the hash under the audit chain's HMAC (docs/design.md §7).
//
// The core carries its own implementation because the browser build has no system crypto
// library; the native tests pin it to OpenSSL byte for byte. It is portable C++20: words are
// loaded and stored big-endian byte by byte, so the digest never depends on the host.
//
// Contract:
// - A Sha256 hashes one message, fed by any number of update() calls in any split; the digest
//   equals sha256() of the concatenation.
// - finish() is called at most once; it pads the message and returns the digest. The object
//   is then spent: a second finish() or any update() after finish() is a bug and stops the
//   program (TALLY_INVARIANT). Start a new Sha256 for the next message.
// - A message is at most kMessageBytesMax bytes (FIPS 180-4 bounds it below 2^64 bits).
// - Not thread-safe: one object, one thread at a time. Holds no pointer into the caller's data.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"

namespace tally::crypto {

inline constexpr std::size_t kDigestBytes = 32;
inline constexpr std::size_t kSha256BlockBytes = 64;
// The length field is 64 bits wide and counts bits.
inline constexpr std::uint64_t kMessageBytesMax = (std::uint64_t{1} << 61) - 1;

using Digest = std::array<std::uint8_t, kDigestBytes>;

class Sha256 {
 public:
  // Appends data to the message.
  // REQUIRES: finish() not called; the message stays within kMessageBytesMax.
  void update(ByteView data);

  // Pads the message and returns its digest; the object is spent afterwards.
  // REQUIRES: finish() not called.
  Digest finish();

 private:
  using State = std::array<std::uint32_t, 8>;

  void fill_buffer(ByteView data, std::size_t& offset);
  void pad_and_compress_length();

  // FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the square roots of the
  // first eight primes.
  State state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<std::uint8_t, kSha256BlockBytes> buffer_{};  // a partial block
  std::size_t buffer_bytes_ = 0;                          // < kSha256BlockBytes between calls
  std::uint64_t message_bytes_ = 0;                       // <= kMessageBytesMax
  bool finished_ = false;
};

// The digest of one message.
Digest sha256(ByteView message);

}  // namespace tally::crypto
