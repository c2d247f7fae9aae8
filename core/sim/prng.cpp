#include "core/sim/prng.hpp"

#include "core/invariant.hpp"

namespace tally::sim {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// High 64 bits of a 64x64 product, without __int128 (portable to every target).
std::uint64_t mul_high(std::uint64_t a, std::uint64_t b) {
  std::uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32;
  std::uint64_t b_lo = b & 0xffffffffULL, b_hi = b >> 32;
  std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
  std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffULL) + lo_hi;
  return hi_hi + (hi_lo >> 32) + (cross >> 32);
}

}  // namespace

Prng::Prng(std::uint64_t seed) {
  for (std::uint64_t& word : state_)
    word = splitmix64(seed);
}

std::uint64_t Prng::next() {
  std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

std::uint64_t Prng::below(std::uint64_t n) {
  TALLY_INVARIANT(n > 0, "below(0)");
  std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n: reject the biased low values
  for (;;) {
    std::uint64_t x = next();
    std::uint64_t low = x * n;
    if (low >= threshold) return mul_high(x, n);
  }
}

}  // namespace tally::sim
