#include "bench/baselines.hpp"

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>
#include <vector>

#include "bench/workload.hpp"

namespace tally::bench {

namespace {

[[noreturn]] void die(sqlite3* db, const char* what) {
  std::fprintf(stderr, "tally-bench: plain sqlite: %s: %s\n", what, sqlite3_errmsg(db));
  std::exit(1);
}

void exec(sqlite3* db, const std::string& sql) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) die(db, sql.c_str());
}

sqlite3* open_db(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) die(db, "open");
  exec(db, std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") + kBaselineSynchronous +
               "; " + kBaselinePragmas);
  return db;
}

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) die(db, sql);
  return statement;
}

void step_done(sqlite3* db, sqlite3_stmt* statement) {
  if (sqlite3_step(statement) != SQLITE_DONE) die(db, "step");
  sqlite3_reset(statement);
}

std::string plain_template(const std::string& dir, std::uint64_t accounts) {
  std::string path = dir + "/plain-" + std::to_string(accounts) + ".db";
  if (std::filesystem::exists(path)) return path;
  sqlite3* db = open_db(path);
  exec(db,
       "CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);"
       "CREATE TABLE transfers (id INTEGER PRIMARY KEY, source INTEGER NOT NULL, "
       "destination INTEGER NOT NULL, amount INTEGER NOT NULL, timestamp INTEGER NOT NULL);");
  exec(db, "BEGIN");
  sqlite3_stmt* insert = prepare(db, "INSERT INTO accounts (id, balance) VALUES (?1, ?2)");
  for (std::uint64_t account = 0; account < accounts; ++account) {
    sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(account));
    sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(kOpeningBalance));
    step_done(db, insert);
  }
  sqlite3_finalize(insert);
  exec(db, "COMMIT");
  sqlite3_close(db);
  return path;
}

}  // namespace

BaselineResult run_plain_sqlite(const BaselineSpec& spec) {
  BaselineResult result;
  result.spec = spec;
  std::string source = plain_template(spec.dir, spec.accounts);
  std::string path = spec.dir + "/plain-run.db";
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path + suffix);
  std::filesystem::copy_file(source, path);
  sqlite3* db = open_db(path);
  sqlite3_stmt* balance = prepare(db, "SELECT balance FROM accounts WHERE id = ?1");
  sqlite3_stmt* debit = prepare(db, "UPDATE accounts SET balance = balance - ?2 WHERE id = ?1");
  sqlite3_stmt* credit = prepare(db, "UPDATE accounts SET balance = balance + ?2 WHERE id = ?1");
  sqlite3_stmt* insert = prepare(
      db, "INSERT INTO transfers (source, destination, amount, timestamp) VALUES (?1, ?2, ?3, ?4)");
  sqlite3_stmt* begin = prepare(db, "BEGIN IMMEDIATE");
  sqlite3_stmt* commit = prepare(db, "COMMIT");

  Prng prng(0x5a17ULL + spec.accounts);
  std::vector<Transfer> transfers =
      draw_transfers(prng, spec.accounts, spec.transactions_max * spec.postings);
  IoCounters io_before = read_io();
  auto started = Clock::now();
  std::size_t t = 0;
  while (t < spec.transactions_max) {
    step_done(db, begin);
    for (std::size_t k = 0; k < spec.per_sql_transaction && t < spec.transactions_max; ++k, ++t) {
      for (std::size_t p = 0; p < spec.postings; ++p) {
        const Transfer& transfer = transfers[t * spec.postings + p];
        sqlite3_bind_int64(balance, 1, static_cast<sqlite3_int64>(transfer.source));
        if (sqlite3_step(balance) != SQLITE_ROW) die(db, "balance");
        sqlite3_int64 held = sqlite3_column_int64(balance, 0);
        sqlite3_reset(balance);
        if (held < static_cast<sqlite3_int64>(transfer.amount)) die(db, "insufficient funds");
        sqlite3_bind_int64(debit, 1, static_cast<sqlite3_int64>(transfer.source));
        sqlite3_bind_int64(debit, 2, static_cast<sqlite3_int64>(transfer.amount));
        step_done(db, debit);
        sqlite3_bind_int64(credit, 1, static_cast<sqlite3_int64>(transfer.destination));
        sqlite3_bind_int64(credit, 2, static_cast<sqlite3_int64>(transfer.amount));
        step_done(db, credit);
        sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(transfer.source));
        sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(transfer.destination));
        sqlite3_bind_int64(insert, 3, static_cast<sqlite3_int64>(transfer.amount));
        sqlite3_bind_int64(insert, 4, static_cast<sqlite3_int64>(t));
        step_done(db, insert);
      }
    }
    step_done(db, commit);
    if (seconds_since(started) > spec.seconds_max) break;
  }
  result.seconds = seconds_since(started);
  result.transactions = t;
  IoCounters io_after = read_io();
  result.io = {io_after.write_bytes - io_before.write_bytes,
               io_after.write_calls - io_before.write_calls};
  for (sqlite3_stmt* statement : {balance, debit, credit, insert, begin, commit})
    sqlite3_finalize(statement);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path + suffix);
  return result;
}

BaselineResult run_hash_map(const BaselineSpec& spec) {
  struct Row {
    std::uint64_t source, destination, amount, timestamp;
  };
  BaselineResult result;
  result.spec = spec;
  std::unordered_map<std::uint64_t, std::int64_t> balances;
  balances.reserve(spec.accounts);
  for (std::uint64_t account = 0; account < spec.accounts; ++account)
    balances.emplace(account, static_cast<std::int64_t>(kOpeningBalance));
  // Allocated and touched before the clock starts: growing it measured the allocator's huge
  // reallocs and first-touch page faults instead (glibc: huge pages and mremap; jemalloc:
  // 4 KiB pages and copies; 180 M against 65 M transfers/s at 10^3 with the same code).
  std::vector<Row> journal(spec.transactions_max * spec.postings);
  std::size_t journaled = 0;
  Prng prng(0x4a5bULL + spec.accounts);
  std::vector<Transfer> transfers =
      draw_transfers(prng, spec.accounts, spec.transactions_max * spec.postings);
  auto started = Clock::now();
  std::size_t t = 0;
  for (; t < spec.transactions_max; ++t) {
    for (std::size_t p = 0; p < spec.postings; ++p) {
      const Transfer& transfer = transfers[t * spec.postings + p];
      auto& from = balances.at(transfer.source);
      if (from < static_cast<std::int64_t>(transfer.amount)) std::abort();
      from -= static_cast<std::int64_t>(transfer.amount);
      balances.at(transfer.destination) += static_cast<std::int64_t>(transfer.amount);
      journal[journaled++] = {transfer.source, transfer.destination, transfer.amount, t};
    }
  }
  result.seconds = seconds_since(started);
  result.transactions = t;
  return result;
}

}  // namespace tally::bench
