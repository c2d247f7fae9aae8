// Byte strings and fixed-width integer encoding shared by every format Tally writes.
//
// Everything persisted or hashed is encoded explicitly, byte by byte (never a memcpy of a
// struct), so the same bytes come out natively and in WebAssembly. Little-endian is the
// default for values; big-endian is used inside store keys, where lexicographic order must
// follow numeric order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tally {

using Bytes = std::vector<std::uint8_t>;

// A read-only view over bytes; cheap to copy, does not own.
struct ByteView {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;

  ByteView() = default;
  ByteView(const std::uint8_t* d, std::size_t n) : data(d), size(n) {}
  ByteView(const Bytes& b) : data(b.data()), size(b.size()) {}  // NOLINT: implicit by design
  ByteView(std::string_view s)                                  // NOLINT: implicit by design
      : data(reinterpret_cast<const std::uint8_t*>(s.data())), size(s.size()) {}
  ByteView(const std::string& s) : ByteView(std::string_view(s)) {}  // NOLINT: implicit

  bool empty() const { return size == 0; }
  std::uint8_t operator[](std::size_t i) const { return data[i]; }
  const std::uint8_t* begin() const { return data; }
  const std::uint8_t* end() const { return data + size; }
  ByteView sub(std::size_t offset, std::size_t count) const { return {data + offset, count}; }
  Bytes to_bytes() const { return Bytes(begin(), end()); }
};

inline bool operator==(ByteView a, ByteView b) {
  if (a.size != b.size) return false;
  for (std::size_t i = 0; i < a.size; ++i) {
    if (a.data[i] != b.data[i]) return false;
  }
  return true;
}

inline void append(Bytes& out, ByteView v) {
  out.insert(out.end(), v.begin(), v.end());
}

inline void put_u8(Bytes& out, std::uint8_t v) {
  out.push_back(v);
}

inline void put_u64_le(Bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

inline void put_u64_be(Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

inline void put_u32_le(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// REQUIRES: at least 8 readable bytes at p.
inline std::uint64_t get_u64_le(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

// REQUIRES: at least 8 readable bytes at p.
inline std::uint64_t get_u64_be(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | p[i];
  return v;
}

// REQUIRES: at least 4 readable bytes at p.
inline std::uint32_t get_u32_le(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

// Lower-case hex, for messages and traces.
std::string to_hex(ByteView v);
// The bytes of lower-case hex (to_hex's form); nothing when the text is not that.
std::optional<Bytes> from_hex(std::string_view hex);

}  // namespace tally
