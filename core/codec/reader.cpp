#include "core/codec/reader.hpp"

#include "core/limits.hpp"

namespace tally::codec {

void Reader::fail(const std::string& problem) {
  if (!ok_) return;
  ok_ = false;
  problem_ = problem + " at byte " + std::to_string(position_);
}

bool Reader::take(std::size_t count, const char* field) {
  if (!ok_) return false;
  if (input_.size - position_ < count) {
    fail(std::string("truncated ") + field);
    return false;
  }
  return true;
}

std::uint8_t Reader::u8() {
  if (!take(1, "u8")) return 0;
  return input_[position_++];
}

std::uint32_t Reader::u32() {
  if (!take(4, "u32")) return 0;
  std::uint32_t v = get_u32_le(input_.data + position_);
  position_ += 4;
  return v;
}

std::uint64_t Reader::u64() {
  if (!take(8, "u64")) return 0;
  std::uint64_t v = get_u64_le(input_.data + position_);
  position_ += 8;
  return v;
}

std::int64_t Reader::i64() {
  return static_cast<std::int64_t>(u64());
}

bool Reader::boolean() {
  std::uint8_t v = u8();
  if (v > 1) fail("boolean byte " + std::to_string(v));
  return v == 1;
}

ByteView Reader::raw(std::size_t count) {
  if (!take(count, "bytes")) return ByteView();
  ByteView v = input_.sub(position_, count);
  position_ += count;
  return v;
}

Bytes Reader::bytes() {
  std::uint32_t length = u32();
  if (length > limits::kEncodedFieldBytesMax) {
    fail("field length " + std::to_string(length) + " over the limit");
    return {};
  }
  return raw(length).to_bytes();
}

std::string Reader::string() {
  Bytes b = bytes();
  return std::string(b.begin(), b.end());
}

std::uint32_t Reader::count(std::size_t max, std::size_t min_element_bytes) {
  std::uint32_t n = u32();
  if (!ok_) return 0;
  if (n > max) {
    fail("count " + std::to_string(n) + " over the limit " + std::to_string(max));
    return 0;
  }
  if (min_element_bytes > 0 && n > remaining() / min_element_bytes) {
    fail("count " + std::to_string(n) + " larger than the bytes left");
    return 0;
  }
  return n;
}

Status Reader::finish() const {
  if (!ok_) return error();
  if (position_ != input_.size) {
    return make_error(Code::kCorrupt,
                      what_ + ": " + std::to_string(input_.size - position_) + " trailing bytes");
  }
  return ok_status();
}

Error Reader::error() const {
  return make_error(Code::kCorrupt, what_ + ": " + (ok_ ? "no error" : problem_));
}

}  // namespace tally::codec
