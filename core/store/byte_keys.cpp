#include "core/store/byte_keys.hpp"

#include <algorithm>
#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace tally::store {

int compare_keys(ByteView a, ByteView b) {
  std::size_t common = std::min(a.size, b.size);
  int c = common == 0 ? 0 : std::memcmp(a.data, b.data, common);
  if (c != 0) return c;
  return a.size < b.size ? -1 : (a.size > b.size ? 1 : 0);
}

std::uint64_t hash_key(ByteView key) {
  return XXH3_64bits(key.data, key.size);
}

std::size_t BytesHash::operator()(ByteView key) const noexcept {
  return static_cast<std::size_t>(hash_key(key));
}

}  // namespace tally::store
