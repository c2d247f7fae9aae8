// A cache paired with a store, the way the FSM holds them: every step's mirror rows are
// committed in one batch, and parity (inv#1) can be asserted at any point.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/cache/cache.hpp"
#include "core/cache/key_store.hpp"
#include "core/keys/attribute_key.hpp"
#include "tests/support/store_fixtures.hpp"

namespace tally::testing {

// An attribute as the cache sees it.
struct Attr {
  keys::AttributeKey key;
  keys::Id128 id;
  keys::Tag tag;
};

Attr attr(keys::AttributeKey key);
Attr volume(std::string_view account, std::string_view asset = "USD");

class CacheOnStore {
 public:
  CacheOnStore(const std::string& store_kind, const TempDir& dir, std::uint64_t threshold,
               const std::string& file = "store.db");

  cache::Cache& cache() { return *cache_; }
  store::KeyValueStore& store() { return *store_; }

  // Runs body with a fresh batch, then commits that batch (one "applied entry").
  template <class Body>
  void step(Body body) {
    store::Batch batch;
    body(*cache_, batch);
    commit(*store_, batch);
  }

  void put(const Attr& a, std::string_view value);
  cache::DelOutcome del(const Attr& a);
  void advance_to(std::uint64_t index);

  // Fails the test, naming the first difference, unless memory equals the mirror.
  void require_parity();

  // Drops the in-memory cache (a crash) and restores it from the store.
  void crash_and_restore();
  // Closes and reopens the store itself too (SQLite: a new connection on the same file).
  void reopen_store(const TempDir& dir);

 private:
  std::string store_kind_;
  std::string file_;
  std::unique_ptr<store::KeyValueStore> store_;
  std::optional<cache::Cache> cache_;
  std::uint64_t threshold_;
};

}  // namespace tally::testing
