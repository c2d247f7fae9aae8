// KeyStore: canonical keys in, tag checks, three-way writes (cache, mirror, attribute row).
#include <catch2/catch.hpp>

#include "core/cache/key_store.hpp"
#include "core/store/layout.hpp"
#include "tests/support/cache_fixture.hpp"

namespace tally {
namespace {

using testing::CacheOnStore;
using testing::TempDir;

TEST_CASE("KeyStore put writes the cache, its mirror and the attribute row", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  cache::KeyStore keys_store(c.cache());
  auto key = keys::volume_key("main", "alice", "USD");
  c.step([&](cache::Cache&, store::Batch& batch) {
    REQUIRE(keys_store.put(key, testing::bytes("100"), batch).ok());
  });
  auto value = keys_store.get(key);
  REQUIRE(value.ok());
  CHECK(*value == testing::bytes("100"));
  auto row = c.store().get(store::attribute_row_key(key));
  REQUIRE(row.ok());
  CHECK(*row == std::optional<Bytes>(testing::bytes("100")));
  c.require_parity();
}

TEST_CASE("KeyStore delete goes through the cache's Del and removes the attribute row", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  cache::KeyStore keys_store(c.cache());
  auto key = keys::account_metadata_key("main", "alice");
  c.step([&](cache::Cache&, store::Batch& batch) {
    REQUIRE(keys_store.put(key, testing::bytes("m"), batch).ok());
  });
  c.advance_to(5);
  c.step([&](cache::Cache&, store::Batch& batch) { REQUIRE(keys_store.del(key, batch).ok()); });

  auto id = keys::attribute_id(key.canonical);
  CHECK(c.cache().kind(key.kind).find_gen0(id)->deleted);  // lazy gen0 tombstone
  CHECK_FALSE(c.cache().kind(key.kind).find_gen1(id)->deleted);
  CHECK(keys_store.get(key).error().code == Code::kNotFound);
  CHECK(c.store().get(store::attribute_row_key(key))->has_value() == false);
  c.require_parity();
}

TEST_CASE("KeyStore delete of an absent key is NotFound and writes nothing", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  cache::KeyStore keys_store(c.cache());
  store::Batch batch;
  auto status = keys_store.del(keys::reference_key("main", "ref-1"), batch);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == Code::kNotFound);
  CHECK(batch.empty());
}

TEST_CASE("KeyStore detects a tag collision on get, put and delete", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  cache::KeyStore keys_store(c.cache());
  auto key = keys::transaction_key("main", 7);
  auto id = keys::attribute_id(key.canonical);
  // Another canonical key that hashed to the same id would carry another tag.
  c.step([&](cache::Cache& cache, store::Batch& batch) {
    cache.put(key.kind, id, keys::attribute_tag(key.canonical) + 1, testing::bytes("x"), batch);
  });
  store::Batch batch;
  CHECK(keys_store.get(key).error().code == Code::kCollisionDetected);
  CHECK(keys_store.put(key, testing::bytes("y"), batch).error().code == Code::kCollisionDetected);
  CHECK(keys_store.del(key, batch).error().code == Code::kCollisionDetected);
  CHECK(batch.empty());
}

TEST_CASE("KeyStore reads nothing from disk: a row only on disk is NotFound", "[cache]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  cache::KeyStore keys_store(c.cache());
  auto key = keys::ledger_key("main");
  store::Batch batch;
  batch.put(store::attribute_row_key(key), testing::bytes("info"));
  testing::commit(c.store(), batch);
  CHECK(keys_store.get(key).error().code == Code::kNotFound);  // inv#3
}

}  // namespace
}  // namespace tally
