// Parity check (inv#1): compares a cache with its on-disk mirror, byte for byte.
//
// Usable from any test and from the checker. Builds the rows memory implies (every entry
// of both generations at its gen byte, plus the meta row), walks them beside the store's
// cache zone in key order, and names the first difference.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "core/cache/cache.hpp"

namespace tally::cache {

struct ParityReport {
  bool ok = true;
  std::string first_difference;  // empty when ok
  std::size_t rows_compared = 0;
};

// Every mirror row the cache's memory implies (both generations at their gen bytes, and the
// meta row), keyed and valued exactly as on disk.
std::map<Bytes, Bytes> mirror_rows(const Cache& cache);

// Errors only when the store cannot be read.
Result<ParityReport> check_parity(const Cache& cache, const store::KeyValueStore& store);

// Human-readable form of one cache row, relative to the cache's current generation
// ("gen0 Volume 3f2a… live tag=… value=…").
std::string describe_row(const Cache& cache, ByteView key, ByteView value);

}  // namespace tally::cache
