// Pins the core's own SHA-256 and HMAC-SHA-256 to OpenSSL's, byte for byte (docs/design.md §7: the
// browser build has no system crypto, so native tests prove the portable code right).
// Inputs come from a fixed-seed std::mt19937_64; a failure prints the seed and the case.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "core/crypto/hmac_sha256.hpp"
#include "core/crypto/sha256.hpp"

namespace tally {
namespace {

using crypto::Digest;

constexpr std::uint64_t kSeed = 0x7a11'5ea5'0000'0256;
constexpr std::size_t kShortLengthMax = 300;
constexpr std::size_t kKeyLengthMax = 200;
const std::vector<std::size_t> kLongLengths = {1024, 4095, 4096, 4097, 6000, 8191, 16384, 65537};

Digest openssl_sha256(ByteView message) {
  Digest out{};
  unsigned int out_bytes = 0;
  REQUIRE(EVP_Digest(message.data, message.size, out.data(), &out_bytes, EVP_sha256(), nullptr) ==
          1);
  REQUIRE(out_bytes == out.size());
  return out;
}

Digest openssl_hmac_sha256(ByteView key, ByteView message) {
  static const std::uint8_t kNoKey = 0;  // OpenSSL wants a non-null key even when empty
  const void* key_data = key.empty() ? &kNoKey : key.data;
  Digest out{};
  unsigned int out_bytes = 0;
  REQUIRE(HMAC(EVP_sha256(), key_data, static_cast<int>(key.size), message.data, message.size,
               out.data(), &out_bytes) != nullptr);
  REQUIRE(out_bytes == out.size());
  return out;
}

Bytes random_bytes(std::mt19937_64& random, std::size_t count) {
  Bytes out(count);
  for (auto& b : out)
    b = static_cast<std::uint8_t>(random());
  return out;
}

// Cuts message into pieces of 0..kPieceBytesMax bytes (empty pieces included) at random.
template <class Hash>
void update_in_random_pieces(Hash& hash, ByteView message, std::mt19937_64& random) {
  constexpr std::size_t kPieceBytesMax = 150;
  std::size_t offset = 0;
  // Each round consumes at least one byte or is one of at most message.size + 1 empty pieces.
  for (std::size_t round = 0; offset < message.size && round < 4 * message.size + 8; ++round) {
    const std::size_t piece =
        std::min<std::size_t>(random() % (kPieceBytesMax + 1), message.size - offset);
    hash.update(message.sub(offset, piece));
    offset += piece;
  }
  hash.update(message.sub(offset, message.size - offset));
}

TEST_CASE("sha256 equals OpenSSL for every message length from 0 to 300 bytes", "[crypto]") {
  std::mt19937_64 random(kSeed);
  for (std::size_t length = 0; length <= kShortLengthMax; ++length) {
    INFO("seed " << kSeed << ", length " << length);
    const Bytes message = random_bytes(random, length);
    CHECK(crypto::sha256(message) == openssl_sha256(message));
  }
}

TEST_CASE("sha256 equals OpenSSL for messages of several kilobytes", "[crypto]") {
  std::mt19937_64 random(kSeed + 1);
  for (std::size_t length : kLongLengths) {
    INFO("seed " << kSeed + 1 << ", length " << length);
    const Bytes message = random_bytes(random, length);
    CHECK(crypto::sha256(message) == openssl_sha256(message));
  }
}

TEST_CASE("Sha256 fed in random pieces equals OpenSSL", "[crypto]") {
  std::mt19937_64 random(kSeed + 2);
  std::vector<std::size_t> lengths;
  for (std::size_t length = 0; length <= kShortLengthMax; ++length)
    lengths.push_back(length);
  lengths.insert(lengths.end(), kLongLengths.begin(), kLongLengths.end());
  for (std::size_t length : lengths) {
    INFO("seed " << kSeed + 2 << ", length " << length);
    const Bytes message = random_bytes(random, length);
    crypto::Sha256 hash;
    update_in_random_pieces(hash, message, random);
    CHECK(hash.finish() == openssl_sha256(message));
  }
}

TEST_CASE("hmac_sha256 equals OpenSSL for random keys of every length from 0 to 200 bytes",
          "[crypto]") {
  std::mt19937_64 random(kSeed + 3);
  for (std::size_t key_length = 0; key_length <= kKeyLengthMax; ++key_length) {
    const std::size_t message_length = random() % (kShortLengthMax + 1);
    INFO("seed " << kSeed + 3 << ", key length " << key_length << ", message length "
                 << message_length);
    const Bytes key = random_bytes(random, key_length);
    const Bytes message = random_bytes(random, message_length);
    CHECK(crypto::hmac_sha256(key, message) == openssl_hmac_sha256(key, message));
  }
}

TEST_CASE("hmac_sha256 equals OpenSSL for messages of several kilobytes", "[crypto]") {
  std::mt19937_64 random(kSeed + 4);
  for (std::size_t length : kLongLengths) {
    const std::size_t key_length = random() % (kKeyLengthMax + 1);
    INFO("seed " << kSeed + 4 << ", key length " << key_length << ", message length " << length);
    const Bytes key = random_bytes(random, key_length);
    const Bytes message = random_bytes(random, length);
    CHECK(crypto::hmac_sha256(key, message) == openssl_hmac_sha256(key, message));
  }
}

TEST_CASE("HmacSha256 fed in random pieces equals OpenSSL", "[crypto]") {
  std::mt19937_64 random(kSeed + 5);
  for (std::size_t key_length = 0; key_length <= kKeyLengthMax; ++key_length) {
    const std::size_t message_length = random() % (kShortLengthMax + 1);
    INFO("seed " << kSeed + 5 << ", key length " << key_length << ", message length "
                 << message_length);
    const Bytes key = random_bytes(random, key_length);
    const Bytes message = random_bytes(random, message_length);
    crypto::HmacSha256 mac(key);
    update_in_random_pieces(mac, message, random);
    CHECK(mac.finish() == openssl_hmac_sha256(key, message));
  }
}

}  // namespace
}  // namespace tally
