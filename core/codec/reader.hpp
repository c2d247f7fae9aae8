// Reader: the decoding half of the codec, for untrusted bytes.
//
// Every read is bounds-checked. The first failure makes the reader sticky: later reads
// return zero values and change nothing, and ok() / error() report the first problem, so a
// decoder reads its fields straight through and checks once (like a stream's failbit).
// finish() also rejects trailing bytes. No read allocates more than the bytes left, so a
// forged length prefix cannot exhaust memory. Never aborts on malformed input.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace tally::codec {

class Reader {
 public:
  explicit Reader(ByteView input, std::string what = "value")
      : input_(input), what_(std::move(what)) {}

  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  std::int64_t i64();
  bool boolean();  // 0 or 1; anything else is an error (one encoding per value)
  Bytes bytes();   // u32 length, then that many bytes
  std::string string();
  ByteView raw(std::size_t count);
  // A u32 element count, checked against a limit and against the bytes left, given that
  // each element takes at least min_element_bytes.
  std::uint32_t count(std::size_t max, std::size_t min_element_bytes);
  // Reads an option tag; true when a value follows.
  bool has_value() { return boolean(); }

  // Records a semantic error (bad tag, unsorted map, ...) at the current position.
  void fail(const std::string& problem);

  bool ok() const { return ok_; }
  std::size_t remaining() const { return ok_ ? input_.size - position_ : 0; }
  // The first error, or a trailing-bytes error, or ok.
  Status finish() const;
  Error error() const;

 private:
  bool take(std::size_t count, const char* field);

  ByteView input_;
  std::string what_;
  std::size_t position_ = 0;
  bool ok_ = true;
  std::string problem_;
};

// Decodes a whole value with decode(Reader&) -> T, rejecting trailing bytes.
template <class T, class Decode>
Result<T> decode_all(ByteView input, const char* what, Decode decode) {
  Reader reader(input, what);
  T value = decode(reader);
  Status finished = reader.finish();
  if (!finished.ok()) return std::move(finished).error();
  return value;
}

}  // namespace tally::codec
