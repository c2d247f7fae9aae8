// The benchmark's outputs: the table on stdout (absolute figures, every comparison as a
// ratio, the targets met or missed), results.json and the gnuplot plot.
#pragma once

#include <string>
#include <vector>

#include "bench/baselines.hpp"
#include "bench/tally_run.hpp"

namespace tally::bench {

struct Results {
  std::vector<TallyResult> tally;
  // The 1-posting single-entry runs again as Numscript transfers, each right after its plain
  // run (same store, same accounts, same transfers).
  std::vector<TallyResult> scripted;
  std::vector<BaselineResult> plain_sqlite;
  std::vector<BaselineResult> hash_map;
  CacheMemory cache_memory;
  double rss_bytes_per_account = 0;  // memory store, at the largest account count
  std::uint64_t rss_accounts = 0;
  std::string machine;
  double seconds = 0;
};

void print_table(const Results& results);
void write_json(const Results& results, const std::string& path);
// Writes the data and script next to png_path and runs gnuplot; false when gnuplot failed.
bool write_plot(const Results& results, const std::string& png_path);

}  // namespace tally::bench
