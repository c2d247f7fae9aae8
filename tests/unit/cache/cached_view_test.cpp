// CachedView: point reads of attribute rows answered from the cache when it holds the key,
// else from the store. Each case plants a row that differs from the cache, so the answer shows
// which of the two was read.
#include <catch2/catch.hpp>

#include "core/cache/cached_view.hpp"
#include "core/store/layout.hpp"
#include "tests/support/cache_fixture.hpp"

namespace tally {
namespace {

using testing::CacheOnStore;
using testing::TempDir;

void plant(store::KeyValueStore& store, const Bytes& key, std::string_view value) {
  store::Batch batch;
  batch.put(key, testing::bytes(value));
  REQUIRE(store.write(batch).ok());
}

std::optional<Bytes> read(const store::KeyValueStore& view, const Bytes& key) {
  auto value = view.get(key);
  REQUIRE(value.ok());
  return *value;
}

TEST_CASE("a cached view reads a live attribute the cache holds from the cache", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  cache::KeyStore keys_store(c.cache());
  auto key = keys::volume_key("main", "alice", "USD");
  c.step([&](cache::Cache&, store::Batch& batch) {
    REQUIRE(keys_store.put(key, testing::bytes("100"), batch).ok());
  });
  plant(c.store(), store::attribute_row_key(key), "planted");
  cache::CachedView view(c.cache(), c.store());
  CHECK(read(view, store::attribute_row_key(key)) == testing::bytes("100"));
  CHECK(read(c.store(), store::attribute_row_key(key)) == testing::bytes("planted"));
}

TEST_CASE("a cached view reads a tombstoned attribute as absent", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  cache::KeyStore keys_store(c.cache());
  auto key = keys::account_metadata_key("main", "alice");
  c.step([&](cache::Cache&, store::Batch& batch) {
    REQUIRE(keys_store.put(key, testing::bytes("m"), batch).ok());
  });
  c.advance_to(5);  // the live entry moves to gen1; the delete leaves a gen0 tombstone
  c.step([&](cache::Cache&, store::Batch& batch) { REQUIRE(keys_store.del(key, batch).ok()); });
  plant(c.store(), store::attribute_row_key(key), "planted");
  cache::CachedView view(c.cache(), c.store());
  CHECK(read(view, store::attribute_row_key(key)) == std::nullopt);
}

TEST_CASE("a cached view reads what the cache does not hold from the store", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto key = keys::ledger_key("main");
  plant(c.store(), store::attribute_row_key(key), "stored");
  const Bytes fsm_row{store::kZoneFsm, 1, 2};
  plant(c.store(), fsm_row, "state");
  cache::CachedView view(c.cache(), c.store());
  CHECK(read(view, store::attribute_row_key(key)) == testing::bytes("stored"));
  CHECK(read(view, fsm_row) == testing::bytes("state"));  // not an attribute row
  CHECK(read(view, store::attribute_row_key(keys::ledger_key("other"))) == std::nullopt);
}

TEST_CASE("a cached view reads an idempotency record the cache holds from the cache", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  cache::KeyStore keys_store(c.cache());
  auto key = keys::idempotency_key("request-1");
  c.step([&](cache::Cache&, store::Batch& batch) {
    REQUIRE(keys_store.put(key, testing::bytes("record"), batch).ok());
  });
  REQUIRE(store::attribute_row_key(key)[0] == store::kZoneIdempotency);
  plant(c.store(), store::attribute_row_key(key), "planted");
  cache::CachedView view(c.cache(), c.store());
  CHECK(read(view, store::attribute_row_key(key)) == testing::bytes("record"));
}

TEST_CASE("a cache entry whose tag is not the key's is not its row: the store answers", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  auto key = keys::volume_key("main", "alice", "USD");
  const keys::Id128 id = keys::attribute_id(key.canonical);
  const keys::Tag other_tag = keys::attribute_tag(key.canonical) + 1;  // another key, same id
  c.step([&](cache::Cache& cache, store::Batch& batch) {
    cache.put(key.kind, id, other_tag, testing::bytes("other"), batch);
  });
  plant(c.store(), store::attribute_row_key(key), "stored");
  cache::CachedView view(c.cache(), c.store());
  CHECK(read(view, store::attribute_row_key(key)) == testing::bytes("stored"));
}

TEST_CASE("a cached view scans the store", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  cache::KeyStore keys_store(c.cache());
  auto key = keys::volume_key("main", "alice", "USD");
  c.step([&](cache::Cache&, store::Batch& batch) {
    REQUIRE(keys_store.put(key, testing::bytes("100"), batch).ok());
  });
  plant(c.store(), store::attribute_row_key(key), "planted");
  cache::CachedView view(c.cache(), c.store());
  std::vector<Bytes> values;
  REQUIRE(store::scan_range(view, store::zone_begin(store::kZoneAttributes),
                            store::zone_end(store::kZoneAttributes),
                            [&](ByteView, ByteView value) {
                              values.push_back(value.to_bytes());
                              return true;
                            })
              .ok());
  CHECK(values == std::vector<Bytes>{testing::bytes("planted")});
}

}  // namespace
}  // namespace tally
