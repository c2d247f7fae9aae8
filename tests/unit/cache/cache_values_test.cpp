// What the cache stores: live values (including empty ones), tombstones, and reads that never
// promote.
#include <catch2/catch.hpp>

#include "core/cache/cache.hpp"
#include "core/cache/cache_mirror.hpp"
#include "tests/support/cache_fixture.hpp"

namespace tally {
namespace {

using testing::CacheOnStore;
using testing::TempDir;

TEST_CASE("a zero-byte value is not a tombstone and survives restore", "[cache]") {
  auto store_kind = GENERATE(as<std::string>{}, "memory", "sqlite");
  TempDir dir;
  CacheOnStore c(store_kind, dir, 4);
  auto k = testing::volume("empty");
  c.put(k, "");
  const cache::CacheEntry* entry = c.cache().get(k.key.kind, k.id);
  REQUIRE(entry != nullptr);
  CHECK_FALSE(entry->deleted);
  CHECK(entry->value.empty());

  c.reopen_store(dir);
  c.crash_and_restore();
  entry = c.cache().get(k.key.kind, k.id);
  REQUIRE(entry != nullptr);
  CHECK_FALSE(entry->deleted);
  CHECK(entry->value.empty());
  c.require_parity();
}

TEST_CASE("a tombstone's old value is never persisted", "[cache]") {
  auto store_kind = GENERATE(as<std::string>{}, "memory", "sqlite");
  TempDir dir;
  CacheOnStore c(store_kind, dir, 4);
  auto gen0_key = testing::volume("gen0");
  auto gen1_key = testing::volume("gen1");
  c.put(gen1_key, "secret-1");
  c.advance_to(5);
  c.put(gen0_key, "secret-0");
  c.del(gen0_key);
  c.del(gen1_key);

  for (const auto& a : {gen0_key, gen1_key}) {
    auto row = c.store().get(cache::cache_row_key(1, a.key.kind, a.id));
    REQUIRE(row.ok());
    REQUIRE(row->has_value());
    CHECK((*row)->size() == cache::kCacheRowHeaderBytes);  // exactly the header
    CHECK((**row)[8] == cache::kFlagTombstone);
    CHECK(c.cache().kind(a.key.kind).find_gen0(a.id)->value.empty());
  }
}

TEST_CASE("get reads gen0, then gen1, and never promotes", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto k = testing::volume("k");
  c.put(k, "v");
  c.advance_to(5);
  const cache::CacheEntry* entry = c.cache().get(k.key.kind, k.id);
  REQUIRE(entry != nullptr);
  CHECK(entry->value == testing::bytes("v"));
  CHECK(c.cache().kind(k.key.kind).find_gen0(k.id) == nullptr);
  c.require_parity();
}

TEST_CASE("get_and_put returns the previous live value from either generation", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto k = testing::volume("k");
  std::optional<Bytes> previous;
  auto put = [&](std::string_view value) {
    c.step([&](cache::Cache& cache, store::Batch& batch) {
      previous = cache.get_and_put(k.key.kind, k.id, k.tag, testing::bytes(value), batch);
    });
  };
  put("a");
  CHECK_FALSE(previous.has_value());
  put("b");
  CHECK(previous == testing::bytes("a"));
  c.advance_to(5);
  put("c");
  CHECK(previous == testing::bytes("b"));  // from gen1
  c.del(k);
  put("d");
  CHECK_FALSE(previous.has_value());  // a tombstone is no previous value
  c.require_parity();
}

TEST_CASE("put over a tombstone revives the key in gen0", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto k = testing::volume("k");
  c.put(k, "v");
  c.advance_to(5);
  c.del(k);
  c.put(k, "again");
  const cache::CacheEntry* entry = c.cache().get(k.key.kind, k.id);
  REQUIRE(entry != nullptr);
  CHECK_FALSE(entry->deleted);
  CHECK(entry->value == testing::bytes("again"));
  c.require_parity();
}

TEST_CASE("entries of different kinds with the same id do not meet", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto v = testing::volume("k");
  testing::Attr same_id{keys::ledger_key("x"), v.id, v.tag};
  c.put(v, "volume");
  CHECK(c.cache().get(keys::AttributeKind::kLedger, v.id) == nullptr);
  c.put(same_id, "ledger");
  CHECK(c.cache().get(v.key.kind, v.id)->value == testing::bytes("volume"));
  c.require_parity();
}

}  // namespace
}  // namespace tally
