// Rotation without a stall: a rotation retires the old gen1 in O(1) and sweeps
// free it a bounded number of entries at a time; nothing a read can see changes meanwhile.
#include <catch2/catch.hpp>

#include "core/cache/attribute_cache.hpp"

namespace tally {
namespace {

keys::Id128 id_of(std::uint64_t n) {
  return keys::Id128{n * 0x9e3779b97f4a7c15ULL, n};
}

TEST_CASE("a retired generation is freed by bounded sweeps and never read", "[cache]") {
  cache::AttributeCache kind;
  const Bytes big(40, 0xab);  // on the heap: the sweep has something to free
  for (std::uint64_t n = 0; n < 1000; ++n)
    kind.put(id_of(n), cache::live_entry(1, big));
  kind.rotate();  // gen1 = the 1000 entries
  for (std::uint64_t n = 1000; n < 1010; ++n)
    kind.put(id_of(n), cache::live_entry(2, Bytes{1}));
  kind.rotate();  // the 1000 entries are retired, the 10 are gen1
  CHECK(kind.retired_size() == 1000);
  CHECK(kind.get(id_of(5)) == nullptr);
  CHECK(kind.find_gen1(id_of(1003))->value == Bytes{1});
  std::size_t sweeps = 0;
  while (!kind.sweep(64)) {
    ++sweeps;
    CHECK(kind.get(id_of(5)) == nullptr);
    CHECK(kind.gen1().size() == 10);
  }
  CHECK(sweeps == 1000 / 64);
  CHECK(kind.retired_size() == 0);
  CHECK(kind.find_gen1(id_of(1003))->value == Bytes{1});
}

TEST_CASE("a copied cache restarts its sweep on its own table", "[cache]") {
  cache::AttributeCache kind;
  for (std::uint64_t n = 0; n < 100; ++n)
    kind.put(id_of(n), cache::live_entry(1, Bytes(30, 1)));
  kind.rotate();
  kind.rotate();
  kind.sweep(10);
  cache::AttributeCache copy = kind;
  while (!copy.sweep(7)) {
  }
  while (!kind.sweep(7)) {
  }
  CHECK(copy.retired_size() == 0);
  CHECK(kind.retired_size() == 0);
}

}  // namespace
}  // namespace tally
