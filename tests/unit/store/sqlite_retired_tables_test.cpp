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

// What a second connection sees: the retired tables, the ops their packs hold, and the layout
// version.
struct RawView {
  std::size_t retired_tables = 0;
  std::int64_t retired_ops = 0;
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
    REQUIRE(sqlite3_prepare_v2(raw, ("SELECT coalesce(sum(n), 0) FROM " + name).c_str(), -1, &s,
                               nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    view.retired_ops += sqlite3_column_int64(s, 0);
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
  CHECK(raw_view(path).layout == 6);
  testing::Rows before = testing::all_rows(*s);

  rotate(*s, 0);
  RawView view = raw_view(path);
  CHECK(view.retired_tables == 1);
  // The rotating write swept only its own budget (1024 + 2 per op) of the 5000 ops, in whole
  // packs: a put of fill_gen packs in 30 bytes, so a pack holds 100 of them.
  CHECK(view.retired_ops == 5000 - 1000);
  testing::Rows after = testing::all_rows(*s);
  CHECK(after.size() == before.size() - 5000 + 1);  // reads never see retired rows
  CHECK(after.at(gen_row(0, 0)) == Bytes{7});

  std::size_t writes = 0;
  while (raw_view(path).retired_tables > 0) {
    small_write(*s, static_cast<std::uint32_t>(writes++));
    REQUIRE(writes < 10);
  }
  CHECK(writes == 4);  // 4000 ops at 1000 a write; the fourth write empties and drops it
  CHECK(testing::all_rows(*s).size() == after.size() + writes);
}

TEST_CASE("SQLite generation tables are logs of packs: a key reads as the latest op on it",
          "[store]") {
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
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT count(*), sum(n) FROM kv_gen0", -1, &count, nullptr) ==
          SQLITE_OK);
  REQUIRE(sqlite3_step(count) == SQLITE_ROW);
  CHECK(sqlite3_column_int(count, 0) == 2);  // one pack per write
  CHECK(sqlite3_column_int(count, 1) == 5);  // of every op it made
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

TEST_CASE("SQLite refuses a store whose generation tables hold a row per op (layout 5)",
          "[store]") {
  TempDir dir;
  expect_refused_after(dir.file("rows.db"), "PRAGMA user_version=5", Code::kSchemaMismatch,
                       "layout 5");
}

TEST_CASE("SQLite splits a write's ops on a generation into packs of about 3000 bytes", "[store]") {
  TempDir dir;
  std::string path = dir.file("packs.db");
  auto s = sqlite::SqliteStore::open(path).value();
  fill_gen(*s, 1, 1050);  // 30 bytes an op: ten packs of 100 and one of 50
  store::Batch big;
  big.put(gen_row(1, 7), Bytes(5000, 0x5a));  // larger than a pack: a pack of its own
  testing::commit(*s, big);
  CHECK(s->get(gen_row(1, 7)).value() == Bytes(5000, 0x5a));
  CHECK(s->get(gen_row(1, 1049)).value() == Bytes(20, 0xab));
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* packs = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT n, length(ops) FROM kv_gen1 ORDER BY seq", -1, &packs,
                             nullptr) == SQLITE_OK);
  std::vector<std::pair<int, int>> seen;
  while (sqlite3_step(packs) == SQLITE_ROW)
    seen.emplace_back(sqlite3_column_int(packs, 0), sqlite3_column_int(packs, 1));
  sqlite3_finalize(packs);
  sqlite3_close(raw);
  REQUIRE(seen.size() == 12);
  for (std::size_t i = 0; i < 10; ++i)
    CHECK(seen[i] == std::pair{100, 3000});
  CHECK(seen[10] == std::pair{50, 1500});
  CHECK(seen[11].first == 1);
  CHECK(seen[11].second > 5000);
}

// A pack that does not decode, or whose count or keys disagree with its table, is corruption:
// reads refuse it, never guess.
TEST_CASE("SQLite refuses a generation pack that is malformed, miscounted or misplaced",
          "[store]") {
  const char* tampering[] = {
      "UPDATE kv_gen0 SET n = n + 1",                              // miscounted
      "UPDATE kv_gen0 SET ops = x'07'",                            // an unknown op kind
      "UPDATE kv_gen0 SET ops = substr(ops, 1, length(ops) - 1)",  // truncated
      "UPDATE kv_gen0 SET ops = x'000302010100'",  // a key of gen byte 1 in gen byte 0's table
  };
  for (const char* sql : tampering) {
    TempDir dir;
    std::string path = dir.file("tampered.db");
    {
      auto s = sqlite::SqliteStore::open(path).value();
      store::Batch b;
      b.put(gen_row(0, 1), Bytes{1});
      testing::commit(*s, b);
    }
    raw_exec(path, sql);
    auto s = sqlite::SqliteStore::open(path).value();
    auto got = s->get(gen_row(0, 1));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == Code::kCorrupt);
    bool visited = false;
    Status scanned = s->scan(Bytes{store::kZoneCache}, Bytes{store::kZoneCache + 1},
                             store::ScanOrder::kAscending, [&](ByteView, ByteView) {
                               visited = true;
                               return true;
                             });
    REQUIRE_FALSE(scanned.ok());
    CHECK(scanned.error().code == Code::kCorrupt);
    CHECK_FALSE(visited);
  }
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
  CHECK(raw_view(path).layout == 6);
}

TEST_CASE("SQLite resumes the sweep of a retired table after reopening", "[store]") {
  TempDir dir;
  std::string path = dir.file("resume.db");
  {
    auto s = sqlite::SqliteStore::open(path).value();
    s->set_generation_truncate_rows_max(0);
    fill_gen(*s, 1, 20000);
    rotate(*s, 1);
    fill_gen(*s, 0, 3000);  // sweeps 7000 of the 19000 ops left (whole packs of 100)
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
  // 11000 + 3000 ops left, 1000 a write (whole packs of 100 within 1026).
  CHECK(writes == 14);
  CHECK(raw_view(path).retired_ops == 0);
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
