// Mirror preload of plan seeds (docs/design.md §3): fill only what is absent, never resurrect.
#include <catch2/catch.hpp>

#include "core/cache/cache.hpp"
#include "tests/support/cache_fixture.hpp"

namespace tally {
namespace {

using testing::CacheOnStore;
using testing::TempDir;

bool preload(CacheOnStore& c, const testing::Attr& a, std::string_view value) {
  bool wrote = false;
  REQUIRE(c.cache().check_preload(a.key.kind, a.id, a.tag).ok());
  c.step([&](cache::Cache& cache, store::Batch& batch) {
    wrote = cache.preload(a.key.kind, a.id, a.tag, testing::bytes(value), batch);
  });
  return wrote;
}

TEST_CASE("a seed for an absent key fills gen1 and gen0", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  c.advance_to(5);
  auto k = testing::volume("k");
  CHECK(preload(c, k, "seed"));
  const auto& kind = c.cache().kind(k.key.kind);
  REQUIRE(kind.find_gen0(k.id) != nullptr);
  REQUIRE(kind.find_gen1(k.id) != nullptr);
  CHECK(kind.find_gen0(k.id)->value == testing::bytes("seed"));
  CHECK(kind.find_gen1(k.id)->value == testing::bytes("seed"));
  c.require_parity();
}

TEST_CASE("a seed never overwrites a fresher gen0 value", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto k = testing::volume("k");
  c.put(k, "fresh");
  preload(c, k, "stale");
  CHECK(c.cache().get(k.key.kind, k.id)->value == testing::bytes("fresh"));
  c.require_parity();
}

TEST_CASE("a seed promotes gen1's value, not its own, into gen0", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto k = testing::volume("k");
  c.put(k, "fresh");
  c.advance_to(5);  // fresh is in gen1 now
  CHECK(preload(c, k, "stale"));
  const auto& kind = c.cache().kind(k.key.kind);
  REQUIRE(kind.find_gen0(k.id) != nullptr);
  CHECK(kind.find_gen0(k.id)->value == testing::bytes("fresh"));
  CHECK(kind.find_gen1(k.id)->value == testing::bytes("fresh"));
  c.require_parity();
}

TEST_CASE("a stale seed never resurrects a key tombstoned in gen0", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto k = testing::volume("k");
  c.put(k, "v");
  c.advance_to(5);
  c.del(k);  // gen0 tombstone, gen1 live
  auto before = testing::all_rows(c.store());
  CHECK_FALSE(preload(c, k, "v"));
  CHECK(c.cache().get(k.key.kind, k.id)->deleted);
  CHECK(testing::all_rows(c.store()) == before);
}

TEST_CASE("a stale seed never resurrects a key tombstoned in gen1", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto k = testing::volume("k");
  c.put(k, "v");
  c.del(k);
  c.advance_to(5);  // the tombstone is in gen1, gen0 is empty
  CHECK_FALSE(preload(c, k, "v"));
  CHECK(c.cache().kind(k.key.kind).find_gen0(k.id) == nullptr);
  CHECK(c.cache().get(k.key.kind, k.id)->deleted);
  c.require_parity();
}

TEST_CASE("a seed under another tag is a collision", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto k = testing::volume("k");
  c.put(k, "v");
  auto status = c.cache().check_preload(k.key.kind, k.id, k.tag ^ 1);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == Code::kCollisionDetected);
}

}  // namespace
}  // namespace tally
