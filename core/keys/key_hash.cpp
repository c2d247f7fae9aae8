#include "core/keys/key_hash.hpp"

#include "core/invariant.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace tally::keys {

std::array<std::uint8_t, kIdBytes> Id128::to_bytes() const {
  std::array<std::uint8_t, kIdBytes> out{};
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<std::uint8_t>(high >> (56 - 8 * i));
    out[8 + i] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
  }
  return out;
}

Id128 Id128::from_bytes(ByteView bytes) {
  TALLY_INVARIANT(bytes.size == kIdBytes, "an id is 16 bytes");
  return Id128{get_u64_be(bytes.data), get_u64_be(bytes.data + 8)};
}

std::string Id128::to_hex() const {
  auto bytes = to_bytes();
  return tally::to_hex(ByteView(bytes.data(), bytes.size()));
}

Id128 attribute_id(ByteView canonical) {
  XXH128_hash_t h = XXH3_128bits(canonical.data, canonical.size);
  return Id128{h.high64, h.low64};
}

Tag attribute_tag(ByteView canonical) {
  return XXH3_64bits(canonical.data, canonical.size);
}

}  // namespace tally::keys
