#include "core/codec/writer.hpp"

#include <limits>

#include "core/invariant.hpp"

namespace tally::codec {

void Writer::bytes(ByteView v) {
  TALLY_INVARIANT(v.size <= std::numeric_limits<std::uint32_t>::max(), "field over 4 GiB");
  u32(static_cast<std::uint32_t>(v.size));
  append(out_, v);
}

}  // namespace tally::codec
