#include "tests/support/cache_fixture.hpp"

#include <catch2/catch.hpp>

#include "core/cache/parity.hpp"

namespace tally::testing {

Attr attr(keys::AttributeKey key) {
  keys::Id128 id = keys::attribute_id(key.canonical);
  keys::Tag tag = keys::attribute_tag(key.canonical);
  return Attr{std::move(key), id, tag};
}

Attr volume(std::string_view account, std::string_view asset) {
  return attr(keys::volume_key("main", account, asset));
}

CacheOnStore::CacheOnStore(const std::string& store_kind, const TempDir& dir,
                           std::uint64_t threshold, const std::string& file)
    : store_kind_(store_kind),
      file_(file),
      store_(make_store(store_kind, dir, file)),
      threshold_(threshold) {
  store::Batch batch;
  cache_.emplace(cache::Cache::create(threshold, batch));
  commit(*store_, batch);
}

void CacheOnStore::put(const Attr& a, std::string_view value) {
  step([&](cache::Cache& cache, store::Batch& batch) {
    cache.put(a.key.kind, a.id, a.tag, bytes(value), batch);
  });
}

cache::DelOutcome CacheOnStore::del(const Attr& a) {
  cache::DelOutcome outcome = cache::DelOutcome::kNotFound;
  step([&](cache::Cache& cache, store::Batch& batch) {
    outcome = cache.del(a.key.kind, a.id, batch);
  });
  return outcome;
}

void CacheOnStore::advance_to(std::uint64_t index) {
  step([&](cache::Cache& cache, store::Batch& batch) { cache.advance_to(index, batch); });
}

void CacheOnStore::require_parity() {
  auto report = cache::check_parity(*cache_, *store_);
  REQUIRE(report.ok());
  INFO(report->first_difference);
  REQUIRE(report->ok);
}

void CacheOnStore::crash_and_restore() {
  cache_.reset();
  auto restored = cache::Cache::restore(*store_);
  if (!restored.ok()) FAIL(restored.error().message);
  cache_.emplace(std::move(restored).value());
}

void CacheOnStore::reopen_store(const TempDir& dir) {
  if (store_kind_ == "sqlite") {
    store_.reset();
    store_ = make_store("sqlite", dir, file_);
  }
}

}  // namespace tally::testing
