// SHA-256 and HMAC-SHA-256 against their published test vectors: FIPS 180-2 Appendix B / the
// NIST CAVS short and long messages, and RFC 4231 §4. The audit chain (docs/design.md §7) rests on
// these digests being exactly right on every platform.
#include <catch2/catch.hpp>

#include <string>

#include "core/crypto/hmac_sha256.hpp"
#include "core/crypto/sha256.hpp"
#include "tests/support/death.hpp"

namespace tally {
namespace {

using crypto::Digest;

std::string hex(const Digest& digest) {
  return to_hex(ByteView(digest.data(), digest.size()));
}

Bytes repeated(std::uint8_t byte, std::size_t count) {
  return Bytes(count, byte);
}

TEST_CASE("sha256 of the empty message is the FIPS 180-2 digest", "[crypto]") {
  CHECK(hex(crypto::sha256(ByteView())) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("sha256 of \"abc\" is the FIPS 180-2 one-block digest", "[crypto]") {
  CHECK(hex(crypto::sha256(std::string_view("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("sha256 of the 448-bit message is the FIPS 180-2 two-block digest", "[crypto]") {
  CHECK(hex(crypto::sha256(
            std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256 of the 896-bit message is the FIPS 180-2 digest", "[crypto]") {
  const std::string_view message =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmn"
      "opqrsmnopqrstnopqrstu";
  REQUIRE(message.size() == 112);
  CHECK(hex(crypto::sha256(message)) ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("sha256 of one million 'a' is the FIPS 180-2 long-message digest", "[crypto]") {
  CHECK(hex(crypto::sha256(std::string(1'000'000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("one million 'a' fed 1000 bytes at a time gives the long-message digest", "[crypto]") {
  const std::string chunk(1000, 'a');
  crypto::Sha256 hash;
  for (int i = 0; i < 1000; ++i)
    hash.update(chunk);
  CHECK(hex(hash.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("updates split at every offset of a 200-byte message give the one-call digest",
          "[crypto]") {
  Bytes message;
  for (std::size_t i = 0; i < 200; ++i)
    message.push_back(static_cast<std::uint8_t>(i * 7 + 3));
  const ByteView whole(message);
  const Digest expected = crypto::sha256(whole);
  for (std::size_t split = 0; split <= whole.size; ++split) {
    INFO("split at " << split);
    crypto::Sha256 hash;
    hash.update(whole.sub(0, split));
    hash.update(whole.sub(split, whole.size - split));
    CHECK(hash.finish() == expected);
  }
}

TEST_CASE("empty updates do not change the digest", "[crypto]") {
  crypto::Sha256 hash;
  hash.update(ByteView());
  hash.update(std::string_view("ab"));
  hash.update(ByteView());
  hash.update(std::string_view("c"));
  CHECK(hex(hash.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Sha256::update after finish is an invariant violation", "[crypto][native]") {
  auto report = testing::run_in_child([] {
    crypto::Sha256 hash;
    (void)hash.finish();
    hash.update(std::string_view("x"));
  });
  CHECK(report.aborted);
  CHECK_THAT(report.stderr_text, Catch::Contains("update after finish"));
}

TEST_CASE("Sha256::finish twice is an invariant violation", "[crypto][native]") {
  auto report = testing::run_in_child([] {
    crypto::Sha256 hash;
    (void)hash.finish();
    (void)hash.finish();
  });
  CHECK(report.aborted);
  CHECK_THAT(report.stderr_text, Catch::Contains("finish called twice"));
}

// RFC 4231 §4.2-§4.8.
TEST_CASE("hmac_sha256 matches RFC 4231 test case 1 (20-byte key)", "[crypto]") {
  CHECK(hex(crypto::hmac_sha256(repeated(0x0b, 20), std::string_view("Hi There"))) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("hmac_sha256 matches RFC 4231 test case 2 (key shorter than the tag)", "[crypto]") {
  CHECK(hex(crypto::hmac_sha256(std::string_view("Jefe"),
                                std::string_view("what do ya want for nothing?"))) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hmac_sha256 matches RFC 4231 test case 3 (50 bytes of 0xdd)", "[crypto]") {
  CHECK(hex(crypto::hmac_sha256(repeated(0xaa, 20), repeated(0xdd, 50))) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

TEST_CASE("hmac_sha256 matches RFC 4231 test case 4 (25-byte counting key)", "[crypto]") {
  Bytes key;
  for (std::uint8_t b = 0x01; b <= 0x19; ++b)
    key.push_back(b);
  CHECK(hex(crypto::hmac_sha256(key, repeated(0xcd, 50))) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

TEST_CASE("hmac_sha256 matches RFC 4231 test case 5 truncated to 128 bits", "[crypto]") {
  const Digest tag =
      crypto::hmac_sha256(repeated(0x0c, 20), std::string_view("Test With Truncation"));
  CHECK(to_hex(ByteView(tag.data(), 16)) == "a3b6167473100ee06e0c796c2955552b");
}

TEST_CASE("hmac_sha256 matches RFC 4231 test case 6 (131-byte key is hashed first)", "[crypto]") {
  CHECK(hex(crypto::hmac_sha256(
            repeated(0xaa, 131),
            std::string_view("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("hmac_sha256 matches RFC 4231 test case 7 (long key and long data)", "[crypto]") {
  const std::string_view data =
      "This is a test using a larger than block-size key and a larger than block-size data. The "
      "key needs to be hashed before being used by the HMAC algorithm.";
  CHECK(hex(crypto::hmac_sha256(repeated(0xaa, 131), data)) ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HmacSha256 fed byte by byte equals the one-call tag", "[crypto]") {
  const std::string_view data =
      "This is a test using a larger than block-size key and a larger than block-size data. The "
      "key needs to be hashed before being used by the HMAC algorithm.";
  const Bytes key = repeated(0xaa, 131);
  crypto::HmacSha256 mac(key);
  for (std::size_t i = 0; i < data.size(); ++i)
    mac.update(ByteView(data).sub(i, 1));
  CHECK(mac.finish() == crypto::hmac_sha256(key, data));
}

TEST_CASE("HmacSha256::update after finish is an invariant violation", "[crypto][native]") {
  auto report = testing::run_in_child([] {
    crypto::HmacSha256 mac(std::string_view("key"));
    (void)mac.finish();
    mac.update(std::string_view("x"));
  });
  CHECK(report.aborted);
  CHECK_THAT(report.stderr_text, Catch::Contains("update after finish"));
}

}  // namespace
}  // namespace tally
