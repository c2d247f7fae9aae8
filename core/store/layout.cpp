#include "core/store/layout.hpp"

namespace tally::store {

Bytes attribute_row_key(const keys::AttributeKey& key) {
  Bytes out;
  out.reserve(2 + key.canonical.size());
  if (key.kind == keys::AttributeKind::kIdempotency) {
    out.push_back(kZoneIdempotency);
  } else {
    out.push_back(kZoneAttributes);
    out.push_back(keys::kind_byte(key.kind));
  }
  append(out, key.canonical);
  return out;
}

Bytes zone_begin(std::uint8_t zone) {
  return Bytes{zone};
}

Bytes zone_end(std::uint8_t zone) {
  return prefix_end(Bytes{zone});
}

Bytes prefix_end(ByteView prefix) {
  Bytes out = prefix.to_bytes();
  while (!out.empty()) {
    if (out.back() != 0xff) {
      ++out.back();
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace tally::store
