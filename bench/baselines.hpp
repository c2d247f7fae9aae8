// The baselines measured beside Tally in the same run:
//  - a plain SQLite ledger written the way most teams would: accounts(id, balance) and
//    transfers(id, source, destination, amount, timestamp); per posting: read the source's
//    balance, update both accounts, insert the transfer; one SQL transaction per
//    transaction, or per 100 transactions; WAL with the same synchronous setting as Tally;
//  - a plain hash-map ledger (balances in std::unordered_map, transfers in a vector): the
//    per-core limit for this work.
#pragma once

#include <cstdint>
#include <string>

#include "bench/measure.hpp"

namespace tally::bench {

struct BaselineSpec {
  std::size_t postings = 1;
  std::size_t per_sql_transaction = 1;  // transactions per SQL transaction (SQLite only)
  std::uint64_t accounts = 1000;
  std::size_t transactions_max = 0;
  double seconds_max = 0;
  std::string dir;
};

struct BaselineResult {
  BaselineSpec spec;
  std::size_t transactions = 0;
  double seconds = 0;
  IoCounters io;
  double tx_per_second() const { return transactions / seconds; }
};

// The settings the plain SQLite ledger uses: Tally's store settings (sqlite_store.cpp).
inline constexpr const char* kBaselineSynchronous = "NORMAL";
inline constexpr const char* kBaselinePragmas =
    "PRAGMA cache_size=-262144; PRAGMA mmap_size=1073741824;";

BaselineResult run_plain_sqlite(const BaselineSpec& spec);
BaselineResult run_hash_map(const BaselineSpec& spec);

}  // namespace tally::bench
