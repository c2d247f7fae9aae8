// A generation in shards: it behaves as one map, and its release is bounded.
#include <catch2/catch.hpp>

#include <set>

#include "core/cache/generation_map.hpp"

namespace tally {
namespace {

keys::Id128 id_of(std::uint64_t n) {
  return keys::Id128{n * 0x9e3779b97f4a7c15ULL, n * 0xc2b2ae3d27d4eb4fULL};
}

TEST_CASE("a generation map holds, overwrites and walks every entry once", "[cache]") {
  cache::GenerationMap map;
  for (std::uint64_t n = 0; n < 5000; ++n)
    map.insert_or_assign(id_of(n), cache::live_entry(n, Bytes{1}));
  for (std::uint64_t n = 0; n < 100; ++n)
    map.insert_or_assign(id_of(n), cache::tombstone_entry(n));  // overwrites count once
  CHECK(map.size() == 5000);
  CHECK(map.find(id_of(5000)) == nullptr);
  CHECK(map.find(id_of(7))->deleted);
  CHECK(map.find(id_of(4999))->value == Bytes{1});

  std::set<std::uint64_t> seen;
  std::size_t walked = 0;
  for (const auto& [id, entry] : map) {
    seen.insert(entry.tag);
    ++walked;
  }
  CHECK(walked == 5000);
  CHECK(seen.size() == 5000);

  cache::GenerationMap copy = map;
  cache::GenerationMap moved = std::move(map);
  CHECK(map.empty());  // NOLINT(bugprone-use-after-move): a moved-from map is empty
  CHECK(map.begin() == map.end());
  CHECK(copy.size() == 5000);
  CHECK(moved.find(id_of(7))->deleted);
}

TEST_CASE("a generation map is released a bounded number of entries at a time", "[cache]") {
  cache::GenerationMap map;
  for (std::uint64_t n = 0; n < 1000; ++n)
    map.insert_or_assign(id_of(n), cache::live_entry(1, Bytes(40, 0xab)));
  std::size_t calls = 0;
  while (!map.released()) {
    std::size_t left = map.release(100);
    ++calls;
    if (!map.released()) CHECK(left == 0);  // a partial release spends its whole budget
  }
  CHECK(calls == 10);
  CHECK(map.size() == 0);
  CHECK(map.release(100) == 100);  // nothing left to spend it on
}

}  // namespace
}  // namespace tally
