// The KeyValueStore contract, run against every implementation; and the proof that
// MemoryStore and SqliteStore end with identical bytes after identical batches.
#ifndef TALLY_PORTABLE_TESTS
#include <sqlite3.h>
#endif

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "core/store/layout.hpp"
#include "core/store/memory_store.hpp"
#ifndef TALLY_PORTABLE_TESTS
#include "native/sqlite/sqlite_store.hpp"
#endif
#include "tests/support/store_fixtures.hpp"

namespace tally {
namespace {

using testing::bytes;
using testing::Rows;
using testing::TempDir;

std::vector<std::string> scan_keys(const store::KeyValueStore& s, Bytes begin, Bytes end,
                                   store::ScanOrder order, std::size_t stop_after = 1000) {
  std::vector<std::string> keys;
  REQUIRE(s.scan(begin, end, order, [&](ByteView key, ByteView) {
             keys.emplace_back(key.begin(), key.end());
             return keys.size() < stop_after;
           }).ok());
  return keys;
}

Rows user_rows(const store::KeyValueStore& s) {
  Rows rows = testing::all_rows(s);
  rows.erase(rows.begin(), rows.lower_bound(Bytes{store::kZoneAttributes}));  // schema row
  return rows;
}

TEST_CASE("store: get, put, overwrite and delete", "[store]") {
  auto kind = GENERATE(from_range(testing::store_kinds()));
  TempDir dir;
  auto s = testing::make_store(kind, dir);
  CHECK_FALSE(s->get(bytes("\x01k"))->has_value());
  store::Batch b1;
  b1.put(bytes("\x01k"), bytes("v1"));
  testing::commit(*s, b1);
  CHECK(s->get(bytes("\x01k")).value() == std::optional<Bytes>(bytes("v1")));
  store::Batch b2;
  b2.put(bytes("\x01k"), bytes("v2"));
  testing::commit(*s, b2);
  CHECK(s->get(bytes("\x01k")).value() == std::optional<Bytes>(bytes("v2")));
  store::Batch b3;
  b3.del(bytes("\x01k"));
  b3.del(bytes("\x01never"));
  testing::commit(*s, b3);
  CHECK_FALSE(s->get(bytes("\x01k"))->has_value());
}

TEST_CASE("store: a zero-length value stays a present, empty value", "[store]") {
  auto kind = GENERATE(from_range(testing::store_kinds()));
  TempDir dir;
  auto s = testing::make_store(kind, dir);
  store::Batch b;
  b.put(bytes("\x01"
              "empty"),
        Bytes{});
  testing::commit(*s, b);
  auto got =
      s->get(bytes("\x01"
                   "empty"));
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->empty());
}

TEST_CASE("store: scans follow unsigned byte order in both directions, within bounds", "[store]") {
  auto kind = GENERATE(from_range(testing::store_kinds()));
  TempDir dir;
  auto s = testing::make_store(kind, dir);
  using std::string;
  store::Batch b;
  for (const string& k : {string("\x01"
                                 "a"),
                          string("\x01"
                                 "a\x00",
                                 3),
                          string("\x01"
                                 "a\xff"),
                          string("\x01"
                                 "b"),
                          string("\x01"
                                 "ab"),
                          string("\x02"), string("\x01\xff")}) {
    b.put(bytes(k), bytes("v"));
  }
  testing::commit(*s, b);
  auto asc = scan_keys(*s, bytes("\x01"), bytes("\x02"), store::ScanOrder::kAscending);
  // 0xff sorts last: unsigned bytes, as memcmp.
  std::vector<string> expected = {string("\x01"
                                         "a"),
                                  string("\x01"
                                         "a\x00",
                                         3),
                                  string("\x01"
                                         "ab"),
                                  string("\x01"
                                         "a\xff"),
                                  string("\x01"
                                         "b"),
                                  string("\x01\xff")};
  CHECK(asc == expected);
  auto desc = scan_keys(*s, bytes("\x01"), bytes("\x02"), store::ScanOrder::kDescending);
  std::reverse(expected.begin(), expected.end());
  CHECK(desc == expected);
  auto stopped = scan_keys(*s,
                           bytes("\x01"
                                 "a"),
                           Bytes{}, store::ScanOrder::kAscending, 2);
  CHECK(stopped.size() == 2);
  auto open_ended = scan_keys(*s,
                              bytes("\x01"
                                    "b"),
                              Bytes{}, store::ScanOrder::kAscending);
  CHECK(open_ended == std::vector<string>{"\x01"
                                          "b",
                                          "\x01\xff", "\x02"});
  auto prefix = scan_keys(*s,
                          bytes("\x01"
                                "a"),
                          store::prefix_end(bytes("\x01"
                                                  "a")),
                          store::ScanOrder::kAscending);
  CHECK(prefix.size() == 4);
}

TEST_CASE("store: a batch applies its ops in order, range deletes included", "[store]") {
  auto kind = GENERATE(from_range(testing::store_kinds()));
  TempDir dir;
  auto s = testing::make_store(kind, dir);
  store::Batch b;
  for (char c = 'a'; c <= 'f'; ++c)
    b.put(Bytes{1, static_cast<std::uint8_t>(c)}, bytes("v"));
  b.del_range(Bytes{1, 'b'}, Bytes{1, 'e'});  // deletes b, c, d
  b.put(Bytes{1, 'c'}, bytes("again"));       // after the range delete: stays
  b.put(Bytes{1, 'x'}, bytes("gone"));
  b.del(Bytes{1, 'x'});
  testing::commit(*s, b);
  Rows expected = {{Bytes{1, 'a'}, bytes("v")},
                   {Bytes{1, 'c'}, bytes("again")},
                   {Bytes{1, 'e'}, bytes("v")},
                   {Bytes{1, 'f'}, bytes("v")}};
  CHECK(user_rows(*s) == expected);
}

TEST_CASE("store: prefix_end bounds exactly the keys that start with the prefix", "[store]") {
  CHECK(store::prefix_end(Bytes{1, 2}) == Bytes{1, 3});
  CHECK(store::prefix_end(Bytes{1, 0xff}) == Bytes{2});
  CHECK(store::prefix_end(Bytes{0xff, 0xff}).empty());
  CHECK(store::zone_end(store::kZoneCache) == Bytes{3});
}

TEST_CASE("store: memory and SQLite produce identical bytes for identical batches",
          "[store][native]") {
  TempDir dir;
  auto memory = testing::make_store("memory", dir);
  auto sqlite = testing::make_store("sqlite", dir);
  std::mt19937_64 rng(20261126);  // fixed seed: the test is reproducible
  auto random_key = [&] {
    Bytes key{static_cast<std::uint8_t>(1 + rng() % 3)};
    std::size_t length = rng() % 4;
    for (std::size_t i = 0; i < length; ++i)
      key.push_back(static_cast<std::uint8_t>(rng() % 4 * 85));
    return key;
  };
  for (int round = 0; round < 300; ++round) {
    store::Batch b;
    int ops = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < ops; ++i) {
      switch (rng() % 4) {
        case 0:
        case 1: {
          Bytes value(rng() % 3, static_cast<std::uint8_t>(round));
          b.put(random_key(), value);
          break;
        }
        case 2: b.del(random_key()); break;
        default: {
          Bytes a = random_key(), z = random_key();
          if (a == z) break;
          if (z < a) std::swap(a, z);
          b.del_range(a, z);
        }
      }
    }
    testing::commit(*memory, b);
    testing::commit(*sqlite, b);
  }
  CHECK(testing::all_rows(*memory) == testing::all_rows(*sqlite));
  CHECK(user_rows(*memory).size() > 5);  // the test wrote something worth comparing
}

// Both stores keep the cache generation bytes apart ([0x02][0x00], [0x02][0x01]: a map or a
// table each), and SQLite the audit entries ([0x03]['A'], a table of their own); keys on both
// sides of those bytes, whole-generation range deletes (a rotation) and partial ones must read
// back as one ordered key space.
TEST_CASE(
    "store: keys around the cache generation bytes and the audit entries read back as one "
    "key space",
    "[store][native]") {
  TempDir dir;
  auto memory = testing::make_store("memory", dir);
  auto sqlite = testing::make_store("sqlite", dir);
  std::mt19937_64 rng(8);
  const std::uint8_t alphabet[] = {0x00, 0x01, 0x02, 0x03, 'A', 'B', 0xff};
  auto random_key = [&] {
    Bytes key{static_cast<std::uint8_t>(1 + rng() % 3)};
    std::size_t length = rng() % 4;
    for (std::size_t i = 0; i < length; ++i)
      key.push_back(alphabet[rng() % 7]);
    return key;
  };
  for (int round = 0; round < 400; ++round) {
    store::Batch b;
    int ops = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < ops; ++i) {
      switch (rng() % 5) {
        case 0:
        case 1: b.put(random_key(), Bytes(rng() % 3, static_cast<std::uint8_t>(round))); break;
        case 2: b.del(random_key()); break;
        case 3: {
          std::uint8_t gen_byte = static_cast<std::uint8_t>(rng() % 2);
          b.del_range(Bytes{2, gen_byte}, Bytes{2, static_cast<std::uint8_t>(gen_byte + 1)});
          break;
        }
        default: {
          Bytes a = random_key(), z = random_key();
          if (a == z) break;
          if (z < a) std::swap(a, z);
          b.del_range(a, z);
        }
      }
    }
    testing::commit(*memory, b);
    testing::commit(*sqlite, b);
    if (round % 50 == 0) {
      REQUIRE(testing::all_rows(*memory) == testing::all_rows(*sqlite));
      for (int probe = 0; probe < 40; ++probe) {  // point reads too (SQLite folds a generation)
        Bytes key = random_key();
        REQUIRE(memory->get(key).value() == sqlite->get(key).value());
      }
    }
  }
  CHECK(testing::all_rows(*memory) == testing::all_rows(*sqlite));
  for (const auto& [begin, end] :
       {std::pair{Bytes{1, 0xff}, Bytes{2, 2, 1}}, std::pair{Bytes{3, 3}, Bytes{3, 'B', 1}}}) {
    std::vector<Bytes> scanned[2];
    int which = 0;
    for (auto* s : {memory.get(), sqlite.get()}) {
      std::vector<Bytes> ascending, descending;
      REQUIRE(s->scan(begin, end, store::ScanOrder::kAscending, [&](ByteView k, ByteView) {
                 ascending.push_back(k.to_bytes());
                 return true;
               }).ok());
      REQUIRE(s->scan(begin, end, store::ScanOrder::kDescending, [&](ByteView k, ByteView) {
                 descending.push_back(k.to_bytes());
                 return true;
               }).ok());
      CHECK(std::is_sorted(ascending.begin(), ascending.end()));
      CHECK(std::vector<Bytes>(descending.rbegin(), descending.rend()) == ascending);
      scanned[which++] = ascending;
    }
    CHECK(scanned[0] == scanned[1]);
  }
}

#ifndef TALLY_PORTABLE_TESTS  // SQLite itself: native only
TEST_CASE("store: SQLite refuses a store of the one-table layout", "[store]") {
  TempDir dir;
  std::string path = dir.file("old.db");
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, "CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  auto opened = sqlite::SqliteStore::open(path);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == Code::kSchemaMismatch);
  CHECK_THAT(opened.error().message, Catch::Contains("layout"));
}

// A trigger that aborts on one key makes a batch fail after earlier ops succeeded.
TEST_CASE("store: a SQLite batch that fails midway leaves nothing behind", "[store]") {
  TempDir dir;
  std::string path = dir.file("atomic.db");
  auto opened = sqlite::SqliteStore::open(path);
  REQUIRE(opened.ok());
  auto& s = *opened.value();
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    const char* trigger =
        "CREATE TRIGGER poison BEFORE INSERT ON kv WHEN NEW.k = x'01706f69736f6e' "
        "BEGIN SELECT RAISE(ABORT, 'poisoned key'); END;";
    REQUIRE(sqlite3_exec(raw, trigger, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  auto before = testing::all_rows(s);
  store::Batch b;
  b.put(bytes("\x01"
              "first"),
        bytes("1"));
  b.put(bytes("\x01"
              "poison"),
        bytes("2"));
  b.put(bytes("\x01"
              "third"),
        bytes("3"));
  Status written = s.write(b);
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().code == Code::kStorage);
  CHECK_THAT(written.error().message, Catch::Contains("poisoned key"));
  CHECK(testing::all_rows(s) == before);
  store::Batch next;  // the store still works after the rollback
  next.put(bytes("\x01"
                 "after"),
           bytes("ok"));
  REQUIRE(s.write(next).ok());
}

TEST_CASE("store: SQLite data survives closing and reopening", "[store]") {
  TempDir dir;
  {
    auto s = testing::make_store("sqlite", dir);
    store::Batch b;
    b.put(bytes("\x01"
                "kept"),
          bytes("yes"));
    testing::commit(*s, b);
  }
  auto s = testing::make_store("sqlite", dir);
  CHECK(s->get(bytes("\x01"
                     "kept"))
            .value() == std::optional<Bytes>(bytes("yes")));
}
#endif

}  // namespace
}  // namespace tally
