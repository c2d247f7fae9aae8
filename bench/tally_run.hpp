// Runs of Tally's own path: admission then apply, entry by entry, on one core, over the
// in-memory store or the SQLite store (WAL, on tmpfs), timed apart.
#pragma once

#include <cstdint>
#include <string>

#include "bench/measure.hpp"

namespace tally::bench {

struct TallySpec {
  bool sqlite = false;       // the SQLite store; else MemoryStore
  std::size_t postings = 1;  // postings per transaction
  std::size_t bulk = 1;      // transactions per log entry
  std::uint64_t accounts = 1000;
  std::size_t entries_max = 0;    // log entries to apply, at most
  double seconds_max = 0;         // stop earlier once this much time was spent
  std::size_t group_entries = 1;  // group commit bound, when the core has one
  std::string dir;                // where SQLite files go (tmpfs)
  // Each transaction as a Numscript transfer (one script text, variables per transfer) rather
  // than as postings: the same moves, through the script's parse, bind, footprint and run.
  bool scripted = false;
};

struct TallyResult {
  TallySpec spec;
  std::size_t entries = 0;
  std::size_t transactions = 0;
  double admit_seconds = 0;
  double apply_seconds = 0;  // apply and group commits
  std::size_t plan_entries = 0;
  std::size_t plan_hits = 0;
  std::size_t rotations = 0;
  Percentiles entry_latency;  // apply (and its commit, when it closed a group) per entry
  IoCounters io;              // during the timed loop
  std::uint64_t rss_after = 0;
  bool group_commit = false;  // whether the core under test has group commit

  double tx_per_second() const { return transactions / (admit_seconds + apply_seconds); }
  double apply_tx_per_second() const { return transactions / apply_seconds; }
  double hit_rate() const { return plan_entries ? double(plan_hits) / double(plan_entries) : 0; }
};

// Builds (once per account count and store kind) a store with the ledger and every account
// funded, then runs the spec on a copy of it. Aborts the program on any unexpected outcome.
TallyResult run_tally(const TallySpec& spec);

// Heap bytes per cached key: fills a bare cache with count volume entries.
struct CacheMemory {
  double heap_bytes_per_key = 0;
  std::size_t value_bytes = 0;  // the encoded volume each entry holds
};
CacheMemory measure_cache_memory(std::size_t count);

}  // namespace tally::bench
