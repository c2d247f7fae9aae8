// The storage schema version: written on creation, checked on every open.
#include <catch2/catch.hpp>

#include "core/store/layout.hpp"
#include "core/store/memory_store.hpp"
#include "core/store/schema_version.hpp"
#ifndef TALLY_PORTABLE_TESTS
#include "native/sqlite/sqlite_store.hpp"
#endif
#include "tests/support/store_fixtures.hpp"

namespace tally {
namespace {

using testing::TempDir;

Bytes version_value(std::uint32_t version) {
  Bytes value;
  put_u32_le(value, version);
  return value;
}

TEST_CASE("a new store records the current schema version", "[store]") {
  auto kind = GENERATE(from_range(testing::store_kinds()));
  TempDir dir;
  auto s = testing::make_store(kind, dir);
  auto row = s->get(store::schema_version_key());
  REQUIRE(row.ok());
  CHECK(*row == std::optional<Bytes>(version_value(store::kSchemaVersion)));
  CHECK(store::open_schema(*s).ok());  // reopening a store of this version is fine
}

#ifndef TALLY_PORTABLE_TESTS  // SQLite itself: native only
TEST_CASE("a SQLite store of a foreign schema version is refused with a clear error", "[store]") {
  TempDir dir;
  {
    auto s = testing::make_store("sqlite", dir);
    store::Batch b;
    b.put(store::schema_version_key(), version_value(store::kSchemaVersion + 1));
    b.put(Bytes{store::kZoneAttributes, 1}, testing::bytes("data"));
    testing::commit(*s, b);
  }
  auto reopened = sqlite::SqliteStore::open(dir.file("store.db"));
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.error().code == Code::kSchemaMismatch);
  CHECK_THAT(reopened.error().message,
             Catch::Contains("schema version " + std::to_string(store::kSchemaVersion + 1)) &&
                 Catch::Contains("reads version " + std::to_string(store::kSchemaVersion)));
}
#endif

TEST_CASE("a store with rows but no schema version row is refused and left untouched", "[store]") {
  store::MemoryStore s;
  store::Batch b;
  b.put(Bytes{store::kZoneAttributes, 1}, testing::bytes("orphan"));
  REQUIRE(s.write(b).ok());
  auto before = s.rows();
  Status opened = store::open_schema(s);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == Code::kCorrupt);
  CHECK(s.rows() == before);
}

TEST_CASE("a malformed schema version row is refused", "[store]") {
  store::MemoryStore s;
  store::Batch b;
  b.put(store::schema_version_key(), Bytes{1, 0});
  REQUIRE(s.write(b).ok());
  Status opened = store::open_schema(s);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == Code::kCorrupt);
}

}  // namespace
}  // namespace tally
