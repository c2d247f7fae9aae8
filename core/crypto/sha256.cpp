#include "core/crypto/sha256.hpp"

#include <bit>

#include "core/crypto/sha256_compress.hpp"
#include "core/invariant.hpp"

namespace tally::crypto {
namespace {

using Schedule = std::array<std::uint32_t, 64>;

// REQUIRES: at least 4 readable bytes at p.
std::uint32_t load_u32_be(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// REQUIRES: at least 4 writable bytes at p.
void store_u32_be(std::uint32_t v, std::uint8_t* p) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// REQUIRES: at least 8 writable bytes at p.
void store_u64_be(std::uint64_t v, std::uint8_t* p) {
  for (int i = 0; i < 8; ++i)
    p[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
}

// FIPS 180-4 §4.1.2, functions (4.2)-(4.7).
std::uint32_t choose(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) ^ (~x & z);
}
std::uint32_t majority(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) ^ (x & z) ^ (y & z);
}
std::uint32_t big_sigma0(std::uint32_t x) {
  return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22);
}
std::uint32_t big_sigma1(std::uint32_t x) {
  return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25);
}
std::uint32_t small_sigma0(std::uint32_t x) {
  return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3);
}
std::uint32_t small_sigma1(std::uint32_t x) {
  return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10);
}

// FIPS 180-4 §6.2.2 step 1: the message schedule of one 64-byte block.
// REQUIRES: kSha256BlockBytes readable bytes at block.
Schedule expand_schedule(const std::uint8_t* block) {
  Schedule w{};
  for (std::size_t t = 0; t < 16; ++t)
    w[t] = load_u32_be(block + 4 * t);
  for (std::size_t t = 16; t < 64; ++t)
    w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];
  return w;
}

// FIPS 180-4 §6.2.2 steps 2-4: folds one block into the hash state.
// REQUIRES: kSha256BlockBytes readable bytes at block.
void compress_block(std::array<std::uint32_t, 8>& state, const std::uint8_t* block) {
  const Schedule w = expand_schedule(block);
  std::array<std::uint32_t, 8> v = state;  // a, b, c, d, e, f, g, h
  for (std::size_t t = 0; t < 64; ++t) {
    const std::uint32_t t1 =
        v[7] + big_sigma1(v[4]) + choose(v[4], v[5], v[6]) + kRoundConstants[t] + w[t];
    const std::uint32_t t2 = big_sigma0(v[0]) + majority(v[0], v[1], v[2]);
    v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
  }
  for (std::size_t i = 0; i < 8; ++i)
    state[i] += v[i];
}

}  // namespace

void compress_portable(Sha256State& state, const std::uint8_t* blocks, std::size_t block_count) {
  for (std::size_t i = 0; i < block_count; ++i)
    compress_block(state, blocks + kSha256BlockBytes * i);
}

// Tops up the partial block from data[offset..] and compresses it once it is full.
void Sha256::fill_buffer(ByteView data, std::size_t& offset) {
  while (buffer_bytes_ < kSha256BlockBytes && offset < data.size)
    buffer_[buffer_bytes_++] = data[offset++];
  if (buffer_bytes_ == kSha256BlockBytes) {
    compress(state_, buffer_.data(), 1);
    buffer_bytes_ = 0;
  }
}

void Sha256::update(ByteView data) {
  TALLY_INVARIANT(!finished_, "Sha256::update after finish");
  TALLY_INVARIANT(data.size <= kMessageBytesMax - message_bytes_,
                  "SHA-256 message longer than 2^61 - 1 bytes");
  if (data.empty()) return;
  message_bytes_ += data.size;
  std::size_t offset = 0;
  if (buffer_bytes_ > 0) fill_buffer(data, offset);
  const std::size_t block_count = (data.size - offset) / kSha256BlockBytes;
  if (block_count > 0) {
    compress(state_, data.data + offset, block_count);
    offset += kSha256BlockBytes * block_count;
  }
  fill_buffer(data, offset);  // the tail, shorter than a block
  TALLY_INVARIANT(offset == data.size, "Sha256::update left bytes unread");
  TALLY_INVARIANT(buffer_bytes_ < kSha256BlockBytes, "Sha256 buffer holds a full block");
}

// FIPS 180-4 §5.1.1: a 1 bit, zeros, then the message length in bits as a 64-bit big-endian
// integer, ending on a block boundary.
void Sha256::pad_and_compress_length() {
  constexpr std::size_t kLengthOffset = kSha256BlockBytes - 8;
  buffer_[buffer_bytes_++] = 0x80;
  if (buffer_bytes_ > kLengthOffset) {
    for (std::size_t i = buffer_bytes_; i < kSha256BlockBytes; ++i)
      buffer_[i] = 0;
    compress(state_, buffer_.data(), 1);
    buffer_bytes_ = 0;
  }
  for (std::size_t i = buffer_bytes_; i < kLengthOffset; ++i)
    buffer_[i] = 0;
  store_u64_be(message_bytes_ * 8, buffer_.data() + kLengthOffset);
  compress(state_, buffer_.data(), 1);
  buffer_bytes_ = 0;
}

Digest Sha256::finish() {
  TALLY_INVARIANT(!finished_, "Sha256::finish called twice");
  finished_ = true;
  pad_and_compress_length();
  Digest digest{};
  for (std::size_t i = 0; i < state_.size(); ++i)
    store_u32_be(state_[i], digest.data() + 4 * i);
  return digest;
}

Digest sha256(ByteView message) {
  Sha256 hash;
  hash.update(message);
  return hash.finish();
}

}  // namespace tally::crypto
