// Generation maths (docs/design.md §3): the generation is a function of the applied log index
// alone, so every node agrees on it at every index, whatever entries it saw.
//
//   Gen(0) = 0,  Gen(i) = (i - 1) / K  for i >= 1,  K = rotation threshold >= 1.
//   The base index of generation g is g * K: generation g holds the writes of indexes
//   g*K + 1 .. (g+1)*K.
#pragma once

#include <cstdint>

#include "core/invariant.hpp"

namespace tally::cache {

inline constexpr std::uint64_t kDefaultRotationThreshold = 1000;

inline std::uint64_t generation_of(std::uint64_t index, std::uint64_t threshold) {
  TALLY_INVARIANT(threshold >= 1, "rotation threshold must be at least 1");
  return index == 0 ? 0 : (index - 1) / threshold;
}

inline std::uint64_t base_index_of(std::uint64_t generation, std::uint64_t threshold) {
  return generation * threshold;
}

}  // namespace tally::cache
