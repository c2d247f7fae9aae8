// tally-bench: Tally's apply path against plain baselines, in one process, one core.
//
//   tally-bench [--out DIR] [--smoke]
//
// The full run (./build.sh bench) prints the table, writes DIR/results.json and DIR/bench.png.
// --smoke runs every benchmark at a tiny size (a ctest entry of ./build.sh test); it checks
// that each path runs and that cache parity holds after it, and measures nothing worth reading.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/report.hpp"

namespace tally::bench {
namespace {

struct Scale {
  std::vector<std::uint64_t> accounts;
  std::size_t single_entries;
  std::size_t bulk_entries;  // > 2 x threshold: two rotations, the second drops a full gen1
  double seconds_max;
  double bulk_seconds_max;
  std::size_t baseline_tx;
  std::size_t cache_keys;
};

// Group commit pays where a store write costs a transaction: SQLite. A group holds 100-200
// transactions: 100 single entries or 2 bulk-100 ones. More bulk entries per group run no
// faster and make the entry closing the group wait longer (bench/results/analysis.md).
std::size_t group_entries_for(bool sqlite, std::size_t bulk) {
  if (!sqlite) return 1;
  return bulk == 1 ? 100 : 2;
}

std::string machine_description() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return model + ", " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cores, " +
         TALLY_ALLOCATOR;
}

int run(const std::string& out_dir, bool smoke) {
  Scale scale =
      smoke ? Scale{{200}, 30, 4, 5.0, 5.0, 300, 2000}
            : Scale{{1000, 100'000, 1'000'000}, 30'000, 2'100, 2.5, 6.0, 400'000, 1'000'000};
  std::string dir =
      (std::filesystem::exists("/dev/shm") ? std::string("/dev/shm")
                                           : std::filesystem::temp_directory_path().string()) +
      "/tally-bench-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::filesystem::create_directories(out_dir);
  Results results;
  results.machine = machine_description();
  auto started = Clock::now();
  results.cache_memory = measure_cache_memory(scale.cache_keys);
  std::uint64_t rss_start = rss_bytes();
  for (std::uint64_t accounts : scale.accounts) {
    for (bool sqlite : {false, true}) {
      for (std::size_t postings : {std::size_t{1}, std::size_t{10}}) {
        for (std::size_t bulk : {std::size_t{1}, std::size_t{100}}) {
          TallySpec spec;
          spec.sqlite = sqlite;
          spec.postings = postings;
          spec.bulk = bulk;
          spec.accounts = accounts;
          spec.entries_max = bulk == 1 ? scale.single_entries : scale.bulk_entries;
          spec.seconds_max = bulk == 1 ? scale.seconds_max : scale.bulk_seconds_max;
          spec.group_entries = group_entries_for(sqlite, bulk);
          spec.dir = dir;
          std::fprintf(stderr, "tally %s N=%llu postings=%zu bulk=%zu\n",
                       sqlite ? "sqlite" : "memory", static_cast<unsigned long long>(accounts),
                       postings, bulk);
          results.tally.push_back(run_tally(spec));
          if (postings == 1 && bulk == 1) {
            spec.scripted = true;  // back to back with its plain run
            std::fprintf(stderr, "tally %s N=%llu scripted transfer\n",
                         sqlite ? "sqlite" : "memory", static_cast<unsigned long long>(accounts));
            results.scripted.push_back(run_tally(spec));
          }
          if (!sqlite && postings == 1 && bulk == 1) {
            results.rss_bytes_per_account =
                double(results.tally.back().rss_after - rss_start) / double(accounts);
            results.rss_accounts = accounts;
          }
        }
      }
    }
    for (std::size_t postings : {std::size_t{1}, std::size_t{10}}) {
      for (std::size_t per_sql : {std::size_t{1}, std::size_t{100}}) {
        BaselineSpec spec{postings,          per_sql, accounts, scale.baseline_tx / postings,
                          scale.seconds_max, dir};
        std::fprintf(stderr, "plain sqlite N=%llu postings=%zu per_sql=%zu\n",
                     static_cast<unsigned long long>(accounts), postings, per_sql);
        results.plain_sqlite.push_back(run_plain_sqlite(spec));
      }
      BaselineSpec spec{postings,          1,  accounts, scale.baseline_tx * 5 / postings,
                        scale.seconds_max, dir};
      results.hash_map.push_back(run_hash_map(spec));
    }
  }
  std::filesystem::remove_all(dir);
  results.seconds = seconds_since(started);
  print_table(results);
  write_json(results, out_dir + "/results.json");
  if (!smoke) {
    std::string png = out_dir + "/bench.png";
    if (write_plot(results, png)) {
      std::printf("wrote %s/results.json and %s\n", out_dir.c_str(), png.c_str());
    } else {
      std::printf("wrote %s/results.json; gnuplot failed, no plot\n", out_dir.c_str());
    }
  }
  return 0;
}

}  // namespace
}  // namespace tally::bench

int main(int argc, char** argv) {
  std::string out_dir = "bench-results";
  bool smoke = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--one") == 0 && i + 4 < argc) {
      // --one STORE POSTINGS BULK ACCOUNTS [script]: one Tally run, for profiling (perf
      // record -g); with "script", the transfers as Numscript (postings must be 1).
      tally::bench::TallySpec spec;
      spec.sqlite = std::strcmp(argv[i + 1], "sqlite") == 0;
      spec.postings = std::stoul(argv[i + 2]);
      spec.bulk = std::stoul(argv[i + 3]);
      spec.accounts = std::stoull(argv[i + 4]);
      spec.scripted = i + 5 < argc && std::strcmp(argv[i + 5], "script") == 0;  // Numscript
      spec.entries_max = spec.bulk == 1 ? 30'000 : 2'100;
      if (const char* entries = std::getenv("TALLY_BENCH_ENTRIES")) {
        spec.entries_max = std::stoul(entries);  // a longer run, so a profile sees the loop
      }
      spec.seconds_max = 30;
      if (const char* seconds = std::getenv("TALLY_BENCH_SECONDS")) {
        spec.seconds_max = std::stod(seconds);  // under valgrind: the whole run, not 30 s of it
      }
      spec.group_entries = tally::bench::group_entries_for(spec.sqlite, spec.bulk);
      if (const char* group = std::getenv("TALLY_BENCH_GROUP")) {
        spec.group_entries = std::stoul(group);  // entries per group commit
      }
      spec.dir = "/dev/shm/tally-bench-one";
      std::filesystem::create_directories(spec.dir);
      tally::bench::TallyResult r = tally::bench::run_tally(spec);
      std::printf(
          "%zu tx in %.3f s admit + %.3f s apply: %.0f tx/s, max entry %.2f ms, %zu rotations\n",
          r.transactions, r.admit_seconds, r.apply_seconds, r.tx_per_second(),
          r.entry_latency.max_us / 1e3, r.rotations);
      std::filesystem::remove_all(spec.dir);
      return 0;
    }
    if (std::strcmp(argv[i], "--smoke") == 0) {
      smoke = true;
    } else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out_dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: tally-bench [--out DIR] [--smoke]\n");
      return 2;
    }
  }
  return tally::bench::run(out_dir, smoke);
}
