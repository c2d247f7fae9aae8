// The SHA-NI compression path equals the portable one block for block; both are
// pinned to FIPS and OpenSSL vectors through sha256() in the other crypto tests.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "core/crypto/hmac_sha256.hpp"
#include "core/crypto/sha256.hpp"
#include "core/crypto/sha256_compress.hpp"

namespace tally {
namespace {

TEST_CASE("SHA-NI compression equals the portable compression", "[crypto]") {
  if (!crypto::sha_ni_available()) {
    WARN("this CPU has no SHA-NI: only the portable path runs");
    return;
  }
  std::mt19937_64 random(8);
  for (std::size_t block_count : {1, 2, 3, 17}) {
    std::vector<std::uint8_t> blocks(64 * block_count);
    for (auto& byte : blocks)
      byte = static_cast<std::uint8_t>(random());
    crypto::Sha256State portable = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    crypto::Sha256State accelerated = portable;
    crypto::compress_portable(portable, blocks.data(), block_count);
    crypto::compress_sha_ni(accelerated, blocks.data(), block_count);
    REQUIRE(portable == accelerated);
  }
}

TEST_CASE("a prepared HMAC key gives the tag of the raw key", "[crypto]") {
  std::vector<std::uint8_t> key(40, 0x0b), message(300, 0x5a);
  crypto::HmacKey prepared(ByteView(key.data(), key.size()));
  REQUIRE(crypto::hmac_sha256(prepared, ByteView(message.data(), message.size())) ==
          crypto::hmac_sha256(ByteView(key.data(), key.size()),
                              ByteView(message.data(), message.size())));
}

}  // namespace
}  // namespace tally
