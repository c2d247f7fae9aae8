#include "core/store/packed_ops.hpp"

namespace tally::store {

namespace {

constexpr std::uint8_t kPut = 0;
constexpr std::uint8_t kDelete = 1;

void put_size(Bytes& out, std::size_t size) {
  TALLY_INVARIANT(size <= 0xffffffffu, "a packed key or value is below 4 GiB");
  auto v = static_cast<std::uint32_t>(size);
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

Error corrupt(const char* what) {
  return make_error(Code::kCorrupt, std::string("packed ops: ") + what);
}

// Reads a size at pos; false when it is truncated, too large, not shortest, or runs past the
// pack.
bool read_size(ByteView pack, std::size_t& pos, std::size_t& size) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (pos >= pack.size) return false;
    const std::uint8_t byte = pack[pos++];
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (byte == 0 && shift > 0) return false;  // a trailing zero group: not the shortest form
      if (v > 0xffffffffu || v > pack.size - pos) return false;
      size = static_cast<std::size_t>(v);
      return true;
    }
  }
  return false;
}

}  // namespace

void pack_put(Bytes& pack, ByteView key, ByteView value) {
  pack.push_back(kPut);
  put_size(pack, key.size);
  append(pack, key);
  put_size(pack, value.size);
  append(pack, value);
}

void pack_delete(Bytes& pack, ByteView key) {
  pack.push_back(kDelete);
  put_size(pack, key.size);
  append(pack, key);
}

Result<std::vector<PackedOp>> unpack_ops(ByteView pack) {
  if (pack.empty()) return corrupt("an empty pack");
  std::vector<PackedOp> ops;
  std::size_t pos = 0;
  while (pos < pack.size) {
    PackedOp op;
    const std::uint8_t kind = pack[pos++];
    if (kind != kPut && kind != kDelete) return corrupt("an op of unknown kind");
    op.put = kind == kPut;
    std::size_t size = 0;
    if (!read_size(pack, pos, size)) return corrupt("a malformed key size");
    op.key = pack.sub(pos, size);
    pos += size;
    if (op.put) {
      if (!read_size(pack, pos, size)) return corrupt("a malformed value size");
      op.value = pack.sub(pos, size);
      pos += size;
    }
    ops.push_back(op);
  }
  return ops;
}

}  // namespace tally::store
