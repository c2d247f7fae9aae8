#include "tests/support/store_fixtures.hpp"

#include <catch2/catch.hpp>

#include "core/store/memory_store.hpp"
#include "core/store/schema_version.hpp"
#ifndef TALLY_PORTABLE_TESTS
#include "native/sqlite/sqlite_store.hpp"
#endif

namespace tally::testing {

std::unique_ptr<store::KeyValueStore> make_store(const std::string& kind, const TempDir& dir,
                                                 const std::string& file) {
  if (kind == "memory") {
    auto store = std::make_unique<store::MemoryStore>();
    Status opened = store::open_schema(*store);
    REQUIRE(opened.ok());
    return store;
  }
  REQUIRE(kind == "sqlite");
#ifdef TALLY_PORTABLE_TESTS
  (void)dir;
  (void)file;
  FAIL("SQLite is native only: tag the test case [native]");
  return nullptr;
#else
  auto store = sqlite::SqliteStore::open(dir.file(file));
  if (!store.ok()) FAIL(store.error().message);
  return std::move(store).value();
#endif
}

std::vector<std::string> store_kinds() {
#ifdef TALLY_PORTABLE_TESTS
  return {"memory"};
#else
  return {"memory", "sqlite"};
#endif
}

Rows all_rows(const store::KeyValueStore& store) {
  Rows rows;
  Status scanned =
      store.scan(Bytes{}, Bytes{}, store::ScanOrder::kAscending, [&](ByteView key, ByteView value) {
        rows.emplace(key.to_bytes(), value.to_bytes());
        return true;
      });
  REQUIRE(scanned.ok());
  return rows;
}

void commit(store::KeyValueStore& store, const store::Batch& batch) {
  Status written = store.write(batch);
  if (!written.ok()) FAIL(written.error().message);
}

Bytes bytes(std::string_view text) {
  return ByteView(text).to_bytes();
}

std::string durable_store_kind() {
  return store_kinds().back();
}

}  // namespace tally::testing
