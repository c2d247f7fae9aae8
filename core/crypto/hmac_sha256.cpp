#include "core/crypto/hmac_sha256.hpp"

#include "core/invariant.hpp"

namespace tally::crypto {
namespace {

using Block = std::array<std::uint8_t, kSha256BlockBytes>;

constexpr std::uint8_t kInnerPad = 0x36;  // ipad, RFC 2104 §2
constexpr std::uint8_t kOuterPad = 0x5c;  // opad, RFC 2104 §2

// K0 of FIPS 198-1: the key itself if it fits a block, else its digest; zero-padded.
Block block_key(ByteView key) {
  Block out{};
  if (key.size > kSha256BlockBytes) {
    const Digest digest = sha256(key);
    for (std::size_t i = 0; i < digest.size(); ++i)
      out[i] = digest[i];
  } else {
    for (std::size_t i = 0; i < key.size; ++i)
      out[i] = key[i];
  }
  return out;
}

Block xor_pad(const Block& key, std::uint8_t pad) {
  Block out{};
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint8_t>(key[i] ^ pad);
  return out;
}

}  // namespace

HmacKey::HmacKey(ByteView key) {
  const Block k0 = block_key(key);
  const Block outer_padded_key = xor_pad(k0, kOuterPad);
  const Block inner_padded_key = xor_pad(k0, kInnerPad);
  inner_start_.update(ByteView(inner_padded_key.data(), inner_padded_key.size()));
  outer_start_.update(ByteView(outer_padded_key.data(), outer_padded_key.size()));
}

HmacSha256::HmacSha256(ByteView key) : HmacSha256(HmacKey(key)) {}

HmacSha256::HmacSha256(const HmacKey& key) : outer_(key.outer_start_), inner_(key.inner_start_) {}

void HmacSha256::update(ByteView data) {
  TALLY_INVARIANT(!finished_, "HmacSha256::update after finish");
  inner_.update(data);
}

Digest HmacSha256::finish() {
  TALLY_INVARIANT(!finished_, "HmacSha256::finish called twice");
  finished_ = true;
  const Digest inner_digest = inner_.finish();
  outer_.update(ByteView(inner_digest.data(), inner_digest.size()));
  return outer_.finish();
}

Digest hmac_sha256(ByteView key, ByteView message) {
  HmacSha256 mac(key);
  mac.update(message);
  return mac.finish();
}

Digest hmac_sha256(const HmacKey& key, ByteView message) {
  HmacSha256 mac(key);
  mac.update(message);
  return mac.finish();
}

}  // namespace tally::crypto
