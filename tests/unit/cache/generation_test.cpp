// The generation is a function of the applied index alone (docs/design.md §3), and rotations
// compose: catching up in one jump leaves the same bytes as catching up step by step.
#include <catch2/catch.hpp>

#include "core/cache/cache.hpp"
#include "core/cache/parity.hpp"
#include "tests/support/cache_fixture.hpp"
#include "tests/support/death.hpp"

namespace tally {
namespace {

using testing::CacheOnStore;
using testing::TempDir;

TEST_CASE("Gen(i) is (i-1)/K for i >= 1 and 0 for i = 0", "[cache]") {
  CHECK(cache::generation_of(0, 4) == 0);
  CHECK(cache::generation_of(1, 4) == 0);
  CHECK(cache::generation_of(4, 4) == 0);
  CHECK(cache::generation_of(5, 4) == 1);
  CHECK(cache::generation_of(8, 4) == 1);
  CHECK(cache::generation_of(9, 4) == 2);
  CHECK(cache::generation_of(1, 1) == 0);
  CHECK(cache::generation_of(2, 1) == 1);
  CHECK(cache::generation_of(1000, 1000) == 0);
  CHECK(cache::generation_of(1001, 1000) == 1);
  CHECK(cache::base_index_of(3, 4) == 12);
}

TEST_CASE("the generation follows the applied index one entry at a time", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 3);
  for (std::uint64_t i = 1; i <= 20; ++i) {
    c.advance_to(i);
    CHECK(c.cache().generation() == (i - 1) / 3);
    CHECK(c.cache().gen0_base_index() == ((i - 1) / 3) * 3);
    c.require_parity();
  }
  CHECK(c.cache().gen1_base_index() == std::optional<std::uint64_t>(15));
}

TEST_CASE("rotation moves gen0 to gen1 and drops the old gen1, in memory and on disk", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto a = testing::volume("a");
  auto b = testing::volume("b");
  c.put(a, "a0");
  c.advance_to(5);
  c.put(b, "b1");
  c.advance_to(9);  // a (gen1) is dropped, b moves to gen1
  const auto& kind = c.cache().kind(a.key.kind);
  CHECK(kind.find_gen0(a.id) == nullptr);
  CHECK(kind.find_gen1(a.id) == nullptr);
  CHECK(kind.find_gen0(b.id) == nullptr);
  REQUIRE(kind.find_gen1(b.id) != nullptr);
  CHECK(kind.find_gen1(b.id)->value == testing::bytes("b1"));
  c.require_parity();
}

// Fills a cache with a mix of live rows, tombstones and gen1-only rows, at generation 1.
void populate(CacheOnStore& c) {
  c.put(testing::volume("x"), "x0");
  c.put(testing::volume("y"), "y0");
  c.advance_to(5);
  c.put(testing::volume("z"), "z1");
  c.del(testing::volume("x"));
  c.put(testing::attr(keys::ledger_key("main")), "");
}

TEST_CASE("catching up several generations in one jump equals catching up one at a time",
          "[cache]") {
  auto store_kind = GENERATE(from_range(testing::store_kinds()));
  auto target = GENERATE(as<std::uint64_t>{}, 8, 9, 13, 17, 41);
  TempDir dir;
  CacheOnStore stepped(store_kind, dir, 4, "stepped.db");
  CacheOnStore jumped(store_kind, dir, 4, "jumped.db");
  populate(stepped);
  populate(jumped);

  for (std::uint64_t i = 6; i <= target; ++i)
    stepped.advance_to(i);
  jumped.advance_to(target);

  INFO(store_kind << " to index " << target);
  CHECK(stepped.cache().generation() == jumped.cache().generation());
  CHECK(cache::mirror_rows(stepped.cache()) == cache::mirror_rows(jumped.cache()));
  CHECK(testing::all_rows(stepped.store()) == testing::all_rows(jumped.store()));
  stepped.require_parity();
  jumped.require_parity();
}

TEST_CASE("a jump of two generations drops both generations", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  populate(c);
  c.advance_to(13);  // generation 1 -> 3
  CHECK(c.cache().generation() == 3);
  CHECK(c.cache().gen0_size() == 0);
  CHECK(c.cache().gen1_size() == 0);
  c.require_parity();
}

TEST_CASE("a threshold reset clears, bumps the epoch and realigns in one step", "[cache]") {
  TempDir dir;
  CacheOnStore c(testing::durable_store_kind(), dir, 4);
  populate(c);
  REQUIRE(c.cache().epoch() == 0);
  c.step([](cache::Cache& cache, store::Batch& batch) { cache.reset(10, 25, batch); });

  CHECK(c.cache().epoch() == 1);
  CHECK(c.cache().threshold() == 10);
  CHECK(c.cache().generation() == 2);  // (25 - 1) / 10
  CHECK(c.cache().gen0_size() == 0);
  CHECK(c.cache().gen1_size() == 0);
  c.require_parity();
  auto k = testing::volume("k");
  c.put(k, "v");
  CHECK(c.cache().check(31, k.key.kind, k.id) == cache::CacheVerdict::kHit);
  CHECK(c.cache().check(41, k.key.kind, k.id) == cache::CacheVerdict::kUnreachable);
  c.advance_to(31);
  CHECK(c.cache().generation() == 3);
  c.require_parity();
}

TEST_CASE("moving the cache back to an earlier generation is an invariant violation",
          "[cache][native]") {
  auto report = testing::run_in_child([] {
    TempDir dir;
    CacheOnStore c("memory", dir, 4);
    c.advance_to(9);
    c.advance_to(4);
  });
  CHECK(report.aborted);
  CHECK_THAT(report.stderr_text, Catch::Contains("invariant violated"));
}

}  // namespace
}  // namespace tally
