// Writer: the encoding half of Tally's binary codec (doc: core/codec/FORMAT.md).
//
// Fixed-width little-endian integers, u32 length prefixes, one byte for booleans and option
// tags. Deterministic by construction: the same value always yields the same bytes, natively
// and in WebAssembly.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/bytes.hpp"

namespace tally::codec {

class Writer {
 public:
  // Room for a small value in the first allocation: every growth step is an allocation, and a
  // value of up to 24 bytes costs the allocator no more than one of 1.
  Writer() { out_.reserve(24); }
  // A caller that knows its value is larger says so: one allocation instead of a doubling run.
  explicit Writer(std::size_t capacity) { out_.reserve(capacity); }

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u32(std::uint32_t v) { put_u32_le(out_, v); }
  void u64(std::uint64_t v) { put_u64_le(out_, v); }
  void i64(std::int64_t v) { put_u64_le(out_, static_cast<std::uint64_t>(v)); }
  void boolean(bool v) { out_.push_back(v ? 1 : 0); }
  // u32 length, then the bytes. REQUIRES: size fits in u32.
  void bytes(ByteView v);
  void string(std::string_view v) { bytes(ByteView(v)); }
  // Raw bytes with no length prefix (fixed-size fields such as digests).
  void raw(ByteView v) { append(out_, v); }

  template <class T, class Put>
  void optional(const std::optional<T>& v, Put put) {
    boolean(v.has_value());
    if (v) put(*v);
  }

  Bytes take() { return std::move(out_); }
  const Bytes& view() const { return out_; }

 private:
  Bytes out_;
};

}  // namespace tally::codec
