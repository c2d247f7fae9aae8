// Rotation without a stall on disk: SQLite empties a small generation's table in place and
// retires a large one in O(1), sweeping it a bounded number of rows per write; nothing a read
// sees changes.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "core/store/layout.hpp"
#include "native/sqlite/sqlite_store.hpp"
#include "tests/support/store_fixtures.hpp"

namespace tally {
namespace {

using testing::TempDir;

// What a second connection sees: the retired tables and the layout version.
struct RawView {
  std::size_t retired_tables = 0;
  std::int64_t retired_rows = 0;
  int layout = 0;
};

// Runs sql on a second connection, as another process would.
void raw_exec(const std::string& path, const char* sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  CHECK(sqlite3_exec(raw, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
}

// A new store, changed by sql behind the adapter's back, must then be refused at open.
void expect_refused_after(const std::string& path, const char* sql, Code code,
                          const std::string& named) {
  { auto s = sqlite::SqliteStore::open(path).value(); }
  raw_exec(path, sql);
  auto opened = sqlite::SqliteStore::open(path);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == code);
  CHECK_THAT(opened.error().message, Catch::Contains(named));
}

RawView raw_view(const std::string& path) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  RawView view;
  std::vector<std::string> names;
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT name FROM sqlite_master WHERE name GLOB 'kv_retired_*'",
                             -1, &s, nullptr) == SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW)
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
  view.retired_tables = names.size();
  for (const std::string& name : names) {
    REQUIRE(sqlite3_prepare_v2(raw, ("SELECT count(*) FROM " + name).c_str(), -1, &s, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    view.retired_rows += sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  view.layout = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(raw);
  return view;
}

Bytes gen_row(std::uint8_t gen_byte, std::uint32_t n) {
  return Bytes{store::kZoneCache,
               gen_byte,
               1,
               static_cast<std::uint8_t>(n >> 24),
               static_cast<std::uint8_t>(n >> 16),
               static_cast<std::uint8_t>(n >> 8),
               static_cast<std::uint8_t>(n)};
}

void fill_gen(store::KeyValueStore& s, std::uint8_t gen_byte, std::uint32_t rows) {
  store::Batch b;
  for (std::uint32_t n = 0; n < rows; ++n)
    b.put(gen_row(gen_byte, n), Bytes(20, 0xab));
  testing::commit(s, b);
}

void rotate(store::KeyValueStore& s, std::uint8_t gen_byte) {
  store::Batch b;
  b.del_range(Bytes{store::kZoneCache, gen_byte},
              Bytes{store::kZoneCache, static_cast<std::uint8_t>(gen_byte + 1)});
  b.put(gen_row(gen_byte, 0), Bytes{7});  // the new generation's first row, same batch
  testing::commit(s, b);
}

void small_write(store::KeyValueStore& s, std::uint32_t n) {
  store::Batch b;
  b.put(Bytes{store::kZoneAttributes, 9, static_cast<std::uint8_t>(n)}, Bytes{1});
  testing::commit(s, b);
}

TEST_CASE("SQLite retires a generation's table at once and sweeps it write by write", "[store]") {
  TempDir dir;
  std::string path = dir.file("retire.db");
  auto s = sqlite::SqliteStore::open(path).value();
  s->set_generation_truncate_rows_max(0);
  fill_gen(*s, 0, 5000);
  fill_gen(*s, 1, 10);
  CHECK(raw_view(path).layout == 5);
  testing::Rows before = testing::all_rows(*s);

  rotate(*s, 0);
  RawView view = raw_view(path);
  CHECK(view.retired_tables == 1);
  // The rotating write swept only its own budget (1024 + 2 per op) of the 5000 rows.
  CHECK(view.retired_rows == 5000 - (1024 + 2 * 2));
  testing::Rows after = testing::all_rows(*s);
  CHECK(after.size() == before.size() - 5000 + 1);  // reads never see retired rows
  CHECK(after.at(gen_row(0, 0)) == Bytes{7});

  std::size_t writes = 0;
  while (raw_view(path).retired_tables > 0) {
    small_write(*s, static_cast<std::uint32_t>(writes++));
    REQUIRE(writes < 10);
  }
  CHECK(writes == 4);  // 3972 rows at 1026 a write; the fourth write empties and drops it
  CHECK(testing::all_rows(*s).size() == after.size() + writes);
}

TEST_CASE("SQLite generation tables are logs: a key reads as its newest row", "[store]") {
  TempDir dir;
  std::string path = dir.file("log.db");
  auto s = sqlite::SqliteStore::open(path).value();
  store::Batch b;
  b.put(gen_row(0, 1), Bytes{1});
  b.put(gen_row(0, 2), Bytes{2});
  b.put(gen_row(0, 1), Bytes{3});  // overwrite: a second row for the key
  b.del(gen_row(0, 2));            // delete: a row with no value
  testing::commit(*s, b);
  CHECK(s->get(gen_row(0, 1)).value() == Bytes{3});
  CHECK(s->get(gen_row(0, 2)).value() == std::nullopt);
  testing::Rows rows = testing::all_rows(*s);
  CHECK(rows.at(gen_row(0, 1)) == Bytes{3});
  CHECK(rows.count(gen_row(0, 2)) == 0);
  store::Batch again;
  again.put(gen_row(0, 2), Bytes{4});  // back after its delete
  testing::commit(*s, again);
  CHECK(s->get(gen_row(0, 2)).value() == Bytes{4});
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT count(*) FROM kv_gen0", -1, &count, nullptr) ==
          SQLITE_OK);
  REQUIRE(sqlite3_step(count) == SQLITE_ROW);
  CHECK(sqlite3_column_int(count, 0) == 5);  // every write appended
  sqlite3_finalize(count);
  sqlite3_close(raw);
}

TEST_CASE("SQLite refuses a store whose generation tables are keyed (layout 3)", "[store]") {
  TempDir dir;
  expect_refused_after(dir.file("keyed.db"), "PRAGMA user_version=3", Code::kSchemaMismatch,
                       "layout 3");
}

TEST_CASE("SQLite refuses a store whose audit entries share the keyed table (layout 4)",
          "[store]") {
  TempDir dir;
  expect_refused_after(dir.file("audit.db"), "PRAGMA user_version=4", Code::kSchemaMismatch,
                       "layout 4");
}

// A bulk's audit entry is tens of KB: in the keyed table (WITHOUT ROWID) every insert's key
// comparisons would read such rows whole from their overflow pages.
TEST_CASE("SQLite keeps audit entries in a rowid table of their own, read back by key", "[store]") {
  TempDir dir;
  std::string path = dir.file("audit.db");
  auto s = sqlite::SqliteStore::open(path).value();
  store::Batch b;
  for (std::uint8_t sequence = 1; sequence <= 3; ++sequence)
    b.put(Bytes{store::kZoneAudit, 'A', 0, 0, 0, 0, 0, 0, 0, sequence}, Bytes(20000, sequence));
  b.put(Bytes{store::kZoneAudit, 'L', 7}, Bytes{1});  // a ledger's log pointer stays in kv
  testing::commit(*s, b);
  CHECK(s->get(Bytes{store::kZoneAudit, 'A', 0, 0, 0, 0, 0, 0, 0, 2}).value() == Bytes(20000, 2));
  testing::Rows rows = testing::all_rows(*s);
  CHECK(rows.size() >= 4);
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  auto count = [raw](const char* sql) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw, sql, -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    const int n = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    return n;
  };
  CHECK(count("SELECT count(*) FROM kv_audit") == 3);
  CHECK(count("SELECT count(*) FROM kv WHERE k >= x'0341' AND k < x'0342'") == 0);
  CHECK(count("SELECT count(*) FROM kv WHERE k = x'034C07'") == 1);
  CHECK(count("SELECT count(*) FROM sqlite_master WHERE name = 'kv_audit' AND "
              "sql NOT LIKE '%WITHOUT ROWID%'") == 1);
  sqlite3_close(raw);
  CHECK(raw_view(path).layout == 5);
}

TEST_CASE("SQLite resumes the sweep of a retired table after reopening", "[store]") {
  TempDir dir;
  std::string path = dir.file("resume.db");
  {
    auto s = sqlite::SqliteStore::open(path).value();
    s->set_generation_truncate_rows_max(0);
    fill_gen(*s, 1, 20000);
    rotate(*s, 1);
    fill_gen(*s, 0, 3000);  // sweeps 7024 of the 18972 rows left
    rotate(*s, 0);
    CHECK(raw_view(path).retired_tables == 2);
  }
  auto s = sqlite::SqliteStore::open(path).value();
  CHECK(s->get(gen_row(1, 5)).value() == std::nullopt);
  std::size_t writes = 0;
  while (raw_view(path).retired_tables > 0) {
    small_write(*s, static_cast<std::uint32_t>(writes++));
    REQUIRE(writes < 30);
  }
  // 10920 + 3000 rows left at 1026 a write.
  CHECK(writes == 14);
  CHECK(raw_view(path).retired_rows == 0);
}

TEST_CASE("SQLite drops the oldest retired table when sweeps fall behind", "[store]") {
  TempDir dir;
  std::string path = dir.file("behind.db");
  auto s = sqlite::SqliteStore::open(path).value();
  s->set_generation_truncate_rows_max(0);
  for (int round = 0; round < 4; ++round) {
    auto gen_byte = static_cast<std::uint8_t>(round % 2);
    fill_gen(*s, gen_byte, 4000);
    rotate(*s, gen_byte);
    CHECK(raw_view(path).retired_tables <= 2);
  }
}

TEST_CASE("SQLite forgets a retirement its failed batch rolled back", "[store]") {
  TempDir dir;
  std::string path = dir.file("rollback.db");
  auto s = sqlite::SqliteStore::open(path).value();
  s->set_generation_truncate_rows_max(0);
  fill_gen(*s, 0, 100);
  raw_exec(path,
           "CREATE TRIGGER poison BEFORE INSERT ON kv WHEN NEW.k = x'01ff' "
           "BEGIN SELECT RAISE(ABORT, 'poisoned key'); END;");
  testing::Rows before = testing::all_rows(*s);
  store::Batch b;
  b.del_range(Bytes{store::kZoneCache, 0}, Bytes{store::kZoneCache, 1});
  b.put(Bytes{store::kZoneAttributes, 0xff}, Bytes{1});
  REQUIRE_FALSE(s->write(b).ok());
  CHECK(raw_view(path).retired_tables == 0);
  CHECK(testing::all_rows(*s) == before);
  rotate(*s, 0);  // the store goes on: the next rotation retires the table for real
  CHECK(raw_view(path).retired_tables == 0);  // 100 rows: swept and dropped by the same write
  CHECK(testing::all_rows(*s).at(gen_row(0, 0)) == Bytes{7});
}

TEST_CASE("SQLite empties a small generation's table in place at rotation", "[store]") {
  TempDir dir;
  std::string path = dir.file("truncate.db");
  auto s = sqlite::SqliteStore::open(path).value();
  fill_gen(*s, 0, 3000);
  fill_gen(*s, 1, 10);
  testing::Rows before = testing::all_rows(*s);
  rotate(*s, 0);
  RawView view = raw_view(path);
  CHECK(view.retired_tables == 0);  // no rename, nothing left to sweep
  testing::Rows after = testing::all_rows(*s);
  CHECK(after.size() == before.size() - 3000 + 1);
  CHECK(after.at(gen_row(0, 0)) == Bytes{7});
  CHECK(s->get(gen_row(0, 5)).value() == std::nullopt);
  CHECK(s->get(gen_row(1, 5)).value() == Bytes(20, 0xab));
  fill_gen(*s, 0, 5);  // the table takes writes again
  CHECK(s->get(gen_row(0, 4)).value() == Bytes(20, 0xab));
}

TEST_CASE("SQLite retires a generation's table past the in-place bound, counted across reopening",
          "[store]") {
  TempDir dir;
  std::string path = dir.file("bound.db");
  { fill_gen(*sqlite::SqliteStore::open(path).value(), 0, 3000); }
  auto s = sqlite::SqliteStore::open(path).value();
  s->set_generation_truncate_rows_max(4000);
  fill_gen(*s, 0, 1500);  // 4500 rows: 3000 from before the reopening
  rotate(*s, 0);
  CHECK(raw_view(path).retired_tables == 1);
  CHECK(s->get(gen_row(0, 1200)).value() == std::nullopt);
  fill_gen(*s, 1, 3999);  // gen byte 1: within the bound
  rotate(*s, 1);
  CHECK(raw_view(path).retired_tables <= 1);  // the first one may be swept meanwhile
  CHECK(s->get(gen_row(1, 5)).value() == std::nullopt);
}

TEST_CASE("SQLite refuses a table it does not know in the retired namespace", "[store]") {
  TempDir dir;
  expect_refused_after(dir.file("stray.db"), "CREATE TABLE kv_retired_x (k BLOB)", Code::kCorrupt,
                       "kv_retired_x");
}

}  // namespace
}  // namespace tally
