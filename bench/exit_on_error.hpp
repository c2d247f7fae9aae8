// The benches' way out of an error they cannot go on from: print what failed, exit 1.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "core/result.hpp"

namespace tally::bench {

template <class T>
T must(Result<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, result.error().message.c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

inline void must(Status status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, status.error().message.c_str());
    std::exit(1);
  }
}

}  // namespace tally::bench
