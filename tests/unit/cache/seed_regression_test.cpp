// The seed's regressions: formancehq/ledger#1455, "lazy gen0 tombstone + coverage-gate
// Delete". Each case pins one behaviour of Del the pull request fixed.
#include <catch2/catch.hpp>

#include "core/cache/cache.hpp"
#include "core/cache/parity.hpp"
#include "tests/support/cache_fixture.hpp"

namespace tally {
namespace {

using cache::DelOutcome;
using testing::CacheOnStore;
using testing::TempDir;

constexpr std::uint64_t kThreshold = 4;

TEST_CASE("delete of a gen0 key tombstones it in place with the same tag", "[seed]") {
  TempDir dir;
  CacheOnStore c("memory", dir, kThreshold);
  auto k = testing::volume("alice");
  c.put(k, "v1");

  REQUIRE(c.del(k) == DelOutcome::kTombstonedGen0);

  const cache::CacheEntry* gen0 = c.cache().kind(k.key.kind).find_gen0(k.id);
  REQUIRE(gen0 != nullptr);
  CHECK(gen0->deleted);
  CHECK(gen0->tag == k.tag);
  CHECK(gen0->value.empty());
  CHECK(c.cache().kind(k.key.kind).find_gen1(k.id) == nullptr);
  c.require_parity();
}

TEST_CASE("delete of a gen1-only key fabricates a gen0 tombstone with gen1's tag", "[seed]") {
  TempDir dir;
  CacheOnStore c("memory", dir, kThreshold);
  auto k = testing::volume("alice");
  c.put(k, "v1");
  c.advance_to(kThreshold + 1);  // rotation: k now lives in gen1 only
  REQUIRE(c.cache().kind(k.key.kind).find_gen0(k.id) == nullptr);

  REQUIRE(c.del(k) == DelOutcome::kFabricatedFromGen1);

  const auto& kind = c.cache().kind(k.key.kind);
  REQUIRE(kind.find_gen0(k.id) != nullptr);
  CHECK(kind.find_gen0(k.id)->deleted);
  CHECK(kind.find_gen0(k.id)->tag == k.tag);
  REQUIRE(kind.find_gen1(k.id) != nullptr);
  CHECK_FALSE(kind.find_gen1(k.id)->deleted);  // gen1 stays live, shadowed
  CHECK(kind.find_gen1(k.id)->value == testing::bytes("v1"));
  const cache::CacheEntry* read = c.cache().get(k.key.kind, k.id);
  REQUIRE(read != nullptr);
  CHECK(read->deleted);  // every read sees the gen0 tombstone first
  c.require_parity();
}

TEST_CASE("delete of an absent key is NotFound and writes nothing", "[seed]") {
  TempDir dir;
  CacheOnStore c("memory", dir, kThreshold);
  auto k = testing::volume("alice");
  auto before = testing::all_rows(c.store());

  store::Batch batch;
  CHECK(c.cache().del(k.key.kind, k.id, batch) == DelOutcome::kNotFound);
  CHECK(batch.empty());
  CHECK(c.cache().get(k.key.kind, k.id) == nullptr);
  CHECK(testing::all_rows(c.store()) == before);
}

TEST_CASE("delete of an already deleted key is NotFound and writes nothing", "[seed]") {
  TempDir dir;
  CacheOnStore c("memory", dir, kThreshold);
  auto k = testing::volume("alice");
  c.put(k, "v1");
  c.advance_to(kThreshold + 1);
  REQUIRE(c.del(k) == DelOutcome::kFabricatedFromGen1);

  store::Batch batch;
  CHECK(c.cache().del(k.key.kind, k.id, batch) == DelOutcome::kNotFound);
  CHECK(batch.empty());
}

TEST_CASE("the shadowed gen1 row leaves with the next rotation, in memory and on disk", "[seed]") {
  TempDir dir;
  CacheOnStore c("memory", dir, kThreshold);
  auto k = testing::volume("alice");
  c.put(k, "v1");
  c.advance_to(kThreshold + 1);
  c.del(k);
  c.advance_to(2 * kThreshold + 1);  // tombstone moves to gen1, live row dropped

  const auto& kind = c.cache().kind(k.key.kind);
  CHECK(kind.find_gen0(k.id) == nullptr);
  REQUIRE(kind.find_gen1(k.id) != nullptr);
  CHECK(kind.find_gen1(k.id)->deleted);
  c.require_parity();
  c.advance_to(3 * kThreshold + 1);
  CHECK(c.cache().get(k.key.kind, k.id) == nullptr);
  c.require_parity();
}

// T0-T3 of the pull request, on a real SQLite file, then a crash and a restore.
TEST_CASE("delete after rotation, crash, restore keeps parity on SQLite", "[seed]") {
  TempDir dir;
  CacheOnStore c("sqlite", dir, kThreshold);
  auto k = testing::volume("alice");
  // T0: admission predicts index 4 (generation 0) while k is absent: Miss.
  CHECK(c.cache().check(4, k.key.kind, k.id) == cache::CacheVerdict::kMiss);
  // T1: a concurrent save applies at index 3.
  c.advance_to(3);
  c.put(k, "saved");
  // T2: index 5 crosses the boundary: rotation, k moves to gen1.
  c.advance_to(5);
  // T3: the delete applies.
  REQUIRE(c.del(k) == DelOutcome::kFabricatedFromGen1);
  c.require_parity();

  c.reopen_store(dir);
  c.crash_and_restore();

  const auto& kind = c.cache().kind(k.key.kind);
  REQUIRE(kind.find_gen0(k.id) != nullptr);
  CHECK(kind.find_gen0(k.id)->deleted);
  REQUIRE(kind.find_gen1(k.id) != nullptr);
  CHECK_FALSE(kind.find_gen1(k.id)->deleted);
  CHECK(c.cache().generation() == 1);
  c.require_parity();
}

TEST_CASE("the pre-fix delete breaks parity exactly as the pull request describes", "[seed]") {
  TempDir dir;
  CacheOnStore c("sqlite", dir, kThreshold);
  auto k = testing::volume("alice");
  c.advance_to(3);
  c.put(k, "saved");
  c.advance_to(5);
  c.step([&](cache::Cache& cache, store::Batch& batch) {
    REQUIRE(cache.del_pre_fix_for_teaching(k.key.kind, k.id, batch));
  });

  auto report = cache::check_parity(c.cache(), c.store());
  REQUIRE(report.ok());
  REQUIRE_FALSE(report->ok);
  // Memory gen1 is live, the disk's gen1 byte holds a tombstone.
  CHECK_THAT(report->first_difference,
             Catch::Contains("gen1") && Catch::Contains("live") && Catch::Contains("tombstone"));
}

}  // namespace
}  // namespace tally
