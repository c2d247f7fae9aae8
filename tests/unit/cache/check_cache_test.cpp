// CheckCache (docs/design.md §4): the admission verdict for every distance d = Gen(at) - current
// generation and every place a key can be.
#include <catch2/catch.hpp>

#include "core/cache/cache.hpp"
#include "tests/support/cache_fixture.hpp"

namespace tally {
namespace {

using cache::CacheVerdict;
using testing::CacheOnStore;
using testing::TempDir;

constexpr std::uint64_t K = 4;

// A cache at generation 1 (applied index 5) holding: in_gen0 in gen0, only_gen1 in gen1 only,
// and nothing for absent.
struct ThreePlaces {
  TempDir dir;
  CacheOnStore c{"memory", dir, K};
  testing::Attr in_gen0 = testing::volume("in_gen0");
  testing::Attr only_gen1 = testing::volume("only_gen1");
  testing::Attr absent = testing::volume("absent");

  ThreePlaces() {
    c.advance_to(4);
    c.put(only_gen1, "old");
    c.advance_to(5);
    c.put(in_gen0, "new");
    REQUIRE(c.cache().generation() == 1);
  }
  CacheVerdict check(std::uint64_t at, const testing::Attr& a) {
    return c.cache().check(at, a.key.kind, a.id);
  }
};

TEST_CASE("CheckCache behind the FSM (d < 0) is a Miss for every key", "[cache]") {
  ThreePlaces p;
  // Gen(4) = 0 < 1: no unsigned underflow turns this into Unreachable.
  CHECK(p.check(4, p.in_gen0) == CacheVerdict::kMiss);
  CHECK(p.check(4, p.only_gen1) == CacheVerdict::kMiss);
  CHECK(p.check(4, p.absent) == CacheVerdict::kMiss);
  CHECK(p.check(0, p.in_gen0) == CacheVerdict::kMiss);
}

TEST_CASE("CheckCache in the same generation (d = 0) hits gen0 and gen1", "[cache]") {
  ThreePlaces p;
  for (std::uint64_t at : {5u, 8u}) {
    CHECK(p.check(at, p.in_gen0) == CacheVerdict::kHit);
    CHECK(p.check(at, p.only_gen1) == CacheVerdict::kHit);
    CHECK(p.check(at, p.absent) == CacheVerdict::kMiss);
  }
}

TEST_CASE("CheckCache one generation ahead (d = 1) hits gen0 only", "[cache]") {
  ThreePlaces p;
  for (std::uint64_t at : {9u, 12u}) {
    CHECK(p.check(at, p.in_gen0) == CacheVerdict::kHit);
    CHECK(p.check(at, p.only_gen1) == CacheVerdict::kMiss);  // rotated away before apply
    CHECK(p.check(at, p.absent) == CacheVerdict::kMiss);
  }
}

TEST_CASE("CheckCache two or more generations ahead (d >= 2) is Unreachable", "[cache]") {
  ThreePlaces p;
  for (std::uint64_t at : {13u, 16u, 17u, 1000u}) {
    CHECK(p.check(at, p.in_gen0) == CacheVerdict::kUnreachable);
    CHECK(p.check(at, p.only_gen1) == CacheVerdict::kUnreachable);
    CHECK(p.check(at, p.absent) == CacheVerdict::kUnreachable);
  }
}

TEST_CASE("CheckCache counts a tombstone as held: the cache knows the key is absent", "[cache]") {
  ThreePlaces p;
  p.c.del(p.in_gen0);
  CHECK(p.check(5, p.in_gen0) == CacheVerdict::kHit);
  CHECK(p.check(9, p.in_gen0) == CacheVerdict::kHit);
  p.c.del(p.only_gen1);  // lazy gen0 tombstone: now held in gen0
  CHECK(p.check(9, p.only_gen1) == CacheVerdict::kHit);
}

TEST_CASE("CheckCache at generation 0 with index 0", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, K);
  auto k = testing::volume("k");
  CHECK(c.cache().check(0, k.key.kind, k.id) == CacheVerdict::kMiss);
  c.put(k, "v");
  CHECK(c.cache().check(0, k.key.kind, k.id) == CacheVerdict::kHit);
  CHECK(c.cache().check(K + 1, k.key.kind, k.id) == CacheVerdict::kHit);
  CHECK(c.cache().check(2 * K + 1, k.key.kind, k.id) == CacheVerdict::kUnreachable);
}

}  // namespace
}  // namespace tally
