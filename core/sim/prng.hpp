// The simulator's only source of randomness: a seeded xoshiro256** (splitmix64-seeded).
// Specified bit for bit, so a seed replays the same run natively and in WebAssembly (the
// standard library's distributions are not portable across implementations).
#pragma once

#include <cstdint>

namespace tally::sim {

class Prng {
 public:
  explicit Prng(std::uint64_t seed);

  std::uint64_t next();
  // Uniform in [0, n). REQUIRES: n > 0. Lemire's multiply-shift with rejection.
  std::uint64_t below(std::uint64_t n);
  // True with probability percent / 100.
  bool chance(std::uint32_t percent) { return below(100) < percent; }

 private:
  std::uint64_t state_[4];
};

}  // namespace tally::sim
