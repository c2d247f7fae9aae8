#include "bench/report.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

namespace tally::bench {

namespace {

std::string rate(double per_second) {
  char text[32];
  if (per_second >= 1e6) {
    std::snprintf(text, sizeof text, "%.2f M", per_second / 1e6);
  } else if (per_second >= 1e3) {
    std::snprintf(text, sizeof text, "%.1f k", per_second / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.0f", per_second);
  }
  return text;
}

std::string accounts_name(std::uint64_t accounts) {
  int exponent = 0;
  std::uint64_t n = accounts;
  while (n >= 10 && n % 10 == 0) {
    n /= 10;
    ++exponent;
  }
  if (n == 1 && exponent > 0) return "10^" + std::to_string(exponent);
  return std::to_string(accounts);
}

const TallyResult* find_tally(const Results& results, bool sqlite, std::size_t postings,
                              std::size_t bulk, std::uint64_t accounts) {
  for (const TallyResult& r : results.tally) {
    if (r.spec.sqlite == sqlite && r.spec.postings == postings && r.spec.bulk == bulk &&
        r.spec.accounts == accounts) {
      return &r;
    }
  }
  return nullptr;
}

const BaselineResult* find_baseline(const std::vector<BaselineResult>& list, std::size_t postings,
                                    std::size_t per_sql, std::uint64_t accounts) {
  for (const BaselineResult& r : list) {
    if (r.spec.postings == postings && r.spec.per_sql_transaction == per_sql &&
        r.spec.accounts == accounts) {
      return &r;
    }
  }
  return nullptr;
}

std::set<std::uint64_t> account_counts(const Results& results) {
  std::set<std::uint64_t> counts;
  for (const TallyResult& r : results.tally)
    counts.insert(r.spec.accounts);
  return counts;
}

void print_tally(const Results& results, bool sqlite) {
  std::printf("\n## Tally FSM, %s store, one core (admission and apply timed apart)\n\n",
              sqlite ? "SQLite (WAL, tmpfs)" : "in-memory");
  std::printf(
      "| accounts | postings/tx | tx/entry | tx/s (admit+apply) | postings/s | apply-only tx/s "
      "| admit us/tx | apply us/tx | hit rate | entry p50 / p99 / max ms | rotations |%s\n",
      sqlite ? " writes/tx | KB written/tx |" : "");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|%s\n", sqlite ? "---|---|" : "");
  for (const TallyResult& r : results.tally) {
    if (r.spec.sqlite != sqlite) continue;
    double tx = static_cast<double>(r.transactions);
    std::printf(
        "| %s | %zu | %zu | %s | %s | %s | %.2f | %.2f | %.1f%% | %.3f / %.3f / %.2f | %zu |",
        accounts_name(r.spec.accounts).c_str(), r.spec.postings, r.spec.bulk,
        rate(r.tx_per_second()).c_str(),
        rate(r.tx_per_second() * static_cast<double>(r.spec.postings)).c_str(),
        rate(r.apply_tx_per_second()).c_str(), 1e6 * r.admit_seconds / tx,
        1e6 * r.apply_seconds / tx, 100 * r.hit_rate(), r.entry_latency.p50_us / 1e3,
        r.entry_latency.p99_us / 1e3, r.entry_latency.max_us / 1e3, r.rotations);
    if (sqlite) {
      std::printf(" %.2f | %.2f |", static_cast<double>(r.io.write_calls) / tx,
                  static_cast<double>(r.io.write_bytes) / tx / 1024.0);
    }
    std::printf("\n");
  }
}

// Scripted transfers against the same transfers given as postings, run back to back: the
// cost of a script is plain tx/s over scripted tx/s (the bound asked for: 1.5x).
void print_scripted(const Results& results) {
  if (results.scripted.empty()) return;
  std::printf("\n## Numscript transfers against postings (1 posting, one tx per entry)\n\n");
  std::printf(
      "| store | accounts | postings tx/s | script tx/s | script admit / apply us/tx | "
      "cost (postings / script) | bound 1.5x |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const TallyResult& s : results.scripted) {
    const TallyResult* plain = find_tally(results, s.spec.sqlite, 1, 1, s.spec.accounts);
    double plain_rate = plain ? plain->tx_per_second() : 0;
    double cost = s.tx_per_second() > 0 ? plain_rate / s.tx_per_second() : 0;
    double tx = static_cast<double>(s.transactions);
    std::printf("| %s | %s | %s | %s | %.2f / %.2f | %.2fx | %s |\n",
                s.spec.sqlite ? "SQLite" : "memory", accounts_name(s.spec.accounts).c_str(),
                rate(plain_rate).c_str(), rate(s.tx_per_second()).c_str(),
                1e6 * s.admit_seconds / tx, 1e6 * s.apply_seconds / tx, cost,
                cost <= 1.5 ? "met" : "MISSED");
  }
}

void print_baselines(const Results& results) {
  std::printf("\n## Baselines, same run (plain SQLite: WAL, synchronous=%s, %s tmpfs)\n\n",
              kBaselineSynchronous, kBaselinePragmas);
  std::printf(
      "| ledger | accounts | postings/tx | tx per SQL tx | tx/s | writes/tx | KB written/tx |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const BaselineResult& r : results.plain_sqlite) {
    double tx = static_cast<double>(r.transactions);
    std::printf("| plain SQLite | %s | %zu | %zu | %s | %.2f | %.2f |\n",
                accounts_name(r.spec.accounts).c_str(), r.spec.postings, r.spec.per_sql_transaction,
                rate(r.tx_per_second()).c_str(), static_cast<double>(r.io.write_calls) / tx,
                static_cast<double>(r.io.write_bytes) / tx / 1024.0);
  }
  for (const BaselineResult& r : results.hash_map) {
    std::printf("| hash map | %s | %zu | - | %s | - | - |\n",
                accounts_name(r.spec.accounts).c_str(), r.spec.postings,
                rate(r.tx_per_second()).c_str());
  }
}

std::string ratio(double a, double b) {
  char text[32];
  if (b <= 0) return "-";
  std::snprintf(text, sizeof text, "%.2fx", a / b);
  return text;
}

void print_comparison(const Results& results, std::size_t postings) {
  std::printf(
      "\n## Side by side, %zu posting(s) per transaction: tx/s, ratios against the baselines\n\n",
      postings);
  std::printf(
      "| accounts | Tally mem single | Tally mem bulk-100 | Tally SQLite single | Tally SQLite "
      "bulk-100 | plain SQLite 1/SQL tx | plain SQLite 100/SQL tx | hash map | Tally SQLite bulk / "
      "plain 100 | Tally SQLite single / plain 1 | Tally mem bulk / hash map |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (std::uint64_t n : account_counts(results)) {
    auto tx = [](const auto* r) { return r ? r->tx_per_second() : 0.0; };
    double mem1 = tx(find_tally(results, false, postings, 1, n));
    double mem100 = tx(find_tally(results, false, postings, 100, n));
    double sql1 = tx(find_tally(results, true, postings, 1, n));
    double sql100 = tx(find_tally(results, true, postings, 100, n));
    double plain1 = tx(find_baseline(results.plain_sqlite, postings, 1, n));
    double plain100 = tx(find_baseline(results.plain_sqlite, postings, 100, n));
    double map = tx(find_baseline(results.hash_map, postings, 1, n));
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                accounts_name(n).c_str(), rate(mem1).c_str(), rate(mem100).c_str(),
                rate(sql1).c_str(), rate(sql100).c_str(), rate(plain1).c_str(),
                rate(plain100).c_str(), rate(map).c_str(), ratio(sql100, plain100).c_str(),
                ratio(sql1, plain1).c_str(), ratio(mem100, map).c_str());
  }
}

void target(const char* what, bool met, const std::string& measured) {
  std::printf("| %s | %s | %s |\n", what, measured.c_str(), met ? "met" : "MISSED");
}

void print_targets(const Results& results) {
  std::uint64_t big = *account_counts(results).rbegin();
  std::uint64_t small = *account_counts(results).begin();
  std::printf("\n## Targets, at %s accounts\n\n| target | measured | |\n|---|---|---|\n",
              accounts_name(big).c_str());
  char text[160];
  {
    const TallyResult* s = find_tally(results, false, 10, 1, big);
    const TallyResult* b = find_tally(results, false, 10, 100, big);
    double single = s ? s->tx_per_second() * 10 : 0, bulk = b ? b->tx_per_second() * 10 : 0;
    std::snprintf(text, sizeof text, "single %s, bulk-100 %s postings/s", rate(single).c_str(),
                  rate(bulk).c_str());
    target("in memory >= 1 M postings/s, 10-posting tx", std::max(single, bulk) >= 1e6, text);
  }
  {
    const TallyResult* s = find_tally(results, false, 1, 1, big);
    const TallyResult* b = find_tally(results, false, 1, 100, big);
    double single = s ? s->tx_per_second() : 0, bulk = b ? b->tx_per_second() : 0;
    std::snprintf(text, sizeof text, "single %s, bulk-100 %s tx/s", rate(single).c_str(),
                  rate(bulk).c_str());
    target("in memory >= 300 k tx/s, 1-posting tx", std::max(single, bulk) >= 3e5, text);
  }
  {
    const TallyResult* b = find_tally(results, true, 1, 100, big);
    const BaselineResult* p = find_baseline(results.plain_sqlite, 1, 100, big);
    double tally = b ? b->tx_per_second() : 0, plain = p ? p->tx_per_second() : 0;
    std::snprintf(text, sizeof text, "%s tx/s", rate(tally).c_str());
    target("SQLite, bulk 100, >= 100 k tx/s", tally >= 1e5, text);
    std::snprintf(text, sizeof text, "%s (plain %s tx/s)", ratio(tally, plain).c_str(),
                  rate(plain).c_str());
    target("SQLite, bulk 100, >= 3x plain SQLite 100/SQL tx", plain > 0 && tally >= 3 * plain,
           text);
  }
  for (std::size_t bulk : {std::size_t{1}, std::size_t{100}}) {
    const TallyResult* at_big = find_tally(results, false, 1, bulk, big);
    const TallyResult* at_small = find_tally(results, false, 1, bulk, small);
    if (!at_big || !at_small) continue;
    double growth = at_small->tx_per_second() / at_big->tx_per_second();
    std::snprintf(text, sizeof text, "%.2fx (tx/entry %zu, in memory)", growth, bulk);
    target("cost per tx at the largest N within 1.5x of the smallest", growth <= 1.5, text);
  }
  for (bool sqlite : {false, true}) {
    const TallyResult* b = find_tally(results, sqlite, 1, 100, big);
    if (!b) continue;
    std::snprintf(text, sizeof text, "%.2f ms (%s, %zu rotations)", b->entry_latency.max_us / 1e3,
                  sqlite ? "SQLite" : "memory", b->rotations);
    target("max apply latency per entry <= 10 ms, bulk 100", b->entry_latency.max_us <= 1e4, text);
  }
  std::snprintf(text, sizeof text, "%.0f B (value %zu B)", results.cache_memory.heap_bytes_per_key,
                results.cache_memory.value_bytes);
  target("<= 128 B of memory per cached key", results.cache_memory.heap_bytes_per_key <= 128, text);
}

}  // namespace

void print_table(const Results& results) {
  std::printf("# tally-bench: %s\n", results.machine.c_str());
  print_tally(results, false);
  print_tally(results, true);
  print_scripted(results);
  print_baselines(results);
  print_comparison(results, 1);
  print_comparison(results, 10);
  std::printf("\n## Memory\n\n");
  std::printf("- heap per cached key (bare cache, volume entries): %.0f B, of which value %zu B\n",
              results.cache_memory.heap_bytes_per_key, results.cache_memory.value_bytes);
  std::printf(
      "- RSS per account, in-memory store at %s accounts (whole process / accounts): %.0f B\n",
      accounts_name(results.rss_accounts).c_str(), results.rss_bytes_per_account);
  print_targets(results);
  std::printf("\nbench wall time: %.0f s\n", results.seconds);
}

void write_json(const Results& results, const std::string& path) {
  std::ofstream out(path);
  out << "{\n  \"machine\": \"" << results.machine << "\",\n  \"tally\": [\n";
  for (std::size_t i = 0; i < results.tally.size(); ++i) {
    const TallyResult& r = results.tally[i];
    out << "    {\"store\": \"" << (r.spec.sqlite ? "sqlite" : "memory")
        << "\", \"accounts\": " << r.spec.accounts << ", \"postings_per_tx\": " << r.spec.postings
        << ", \"tx_per_entry\": " << r.spec.bulk
        << ", \"group_entries_max\": " << (r.group_commit ? r.spec.group_entries : 1)
        << ", \"entries\": " << r.entries << ", \"transactions\": " << r.transactions
        << ", \"tx_per_second\": " << r.tx_per_second()
        << ", \"apply_tx_per_second\": " << r.apply_tx_per_second()
        << ", \"admit_seconds\": " << r.admit_seconds << ", \"apply_seconds\": " << r.apply_seconds
        << ", \"hit_rate\": " << r.hit_rate() << ", \"entry_p50_us\": " << r.entry_latency.p50_us
        << ", \"entry_p99_us\": " << r.entry_latency.p99_us
        << ", \"entry_max_us\": " << r.entry_latency.max_us << ", \"rotations\": " << r.rotations
        << ", \"write_calls\": " << r.io.write_calls << ", \"write_bytes\": " << r.io.write_bytes
        << "}" << (i + 1 < results.tally.size() ? "," : "") << "\n";
  }
  out << "  ],\n  \"scripted\": [\n";
  for (std::size_t i = 0; i < results.scripted.size(); ++i) {
    const TallyResult& r = results.scripted[i];
    out << "    {\"store\": \"" << (r.spec.sqlite ? "sqlite" : "memory")
        << "\", \"accounts\": " << r.spec.accounts << ", \"transactions\": " << r.transactions
        << ", \"tx_per_second\": " << r.tx_per_second()
        << ", \"admit_seconds\": " << r.admit_seconds << ", \"apply_seconds\": " << r.apply_seconds
        << "}" << (i + 1 < results.scripted.size() ? "," : "") << "\n";
  }
  out << "  ],\n  \"baselines\": [\n";
  std::vector<std::pair<const char*, const BaselineResult*>> all;
  for (const BaselineResult& r : results.plain_sqlite)
    all.push_back({"plain_sqlite", &r});
  for (const BaselineResult& r : results.hash_map)
    all.push_back({"hash_map", &r});
  for (std::size_t i = 0; i < all.size(); ++i) {
    const BaselineResult& r = *all[i].second;
    out << "    {\"ledger\": \"" << all[i].first << "\", \"accounts\": " << r.spec.accounts
        << ", \"postings_per_tx\": " << r.spec.postings
        << ", \"tx_per_sql_transaction\": " << r.spec.per_sql_transaction
        << ", \"transactions\": " << r.transactions << ", \"tx_per_second\": " << r.tx_per_second()
        << ", \"write_calls\": " << r.io.write_calls << ", \"write_bytes\": " << r.io.write_bytes
        << "}" << (i + 1 < all.size() ? "," : "") << "\n";
  }
  out << "  ],\n  \"cache_heap_bytes_per_key\": " << results.cache_memory.heap_bytes_per_key
      << ",\n  \"rss_bytes_per_account\": " << results.rss_bytes_per_account
      << ",\n  \"rss_accounts\": " << results.rss_accounts << "\n}\n";
}

bool write_plot(const Results& results, const std::string& png_path) {
  std::string data = png_path + ".dat";
  std::string script = png_path + ".gp";
  {
    std::ofstream out(data);
    out << "# accounts mem1 mem100 sql1 sql100 plain1 plain100 map maxlat_mem100_ms "
           "maxlat_sql100_ms\n";
    for (std::uint64_t n : account_counts(results)) {
      auto tx = [](const auto* r) { return r ? r->tx_per_second() : 0.0; };
      auto lat = [](const TallyResult* r) { return r ? r->entry_latency.max_us / 1e3 : 0.0; };
      out << accounts_name(n) << " " << tx(find_tally(results, false, 1, 1, n)) << " "
          << tx(find_tally(results, false, 1, 100, n)) << " "
          << tx(find_tally(results, true, 1, 1, n)) << " "
          << tx(find_tally(results, true, 1, 100, n)) << " "
          << tx(find_baseline(results.plain_sqlite, 1, 1, n)) << " "
          << tx(find_baseline(results.plain_sqlite, 1, 100, n)) << " "
          << tx(find_baseline(results.hash_map, 1, 1, n)) << " "
          << lat(find_tally(results, false, 1, 100, n)) << " "
          << lat(find_tally(results, true, 1, 100, n)) << "\n";
    }
  }
  {
    std::ofstream out(script);
    out << "set terminal pngcairo size 1200,600 font ',10'\n"
        << "set output '" << png_path << "'\n"
        << "set multiplot layout 1,2 title 'tally-bench: " << results.machine << "'\n"
        << "set style data histogram\nset style histogram cluster gap 1\n"
        << "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
        << "set logscale y\nset grid ytics\n"
        << "set key outside below horizontal maxrows 3 font ',8'\n"  // never over the bars
        << "set ylabel 'transactions/s, 1 posting (log)'\nset xlabel 'accounts'\n"
        << "set title 'Throughput, one core'\n"
        << "plot '" << data << "' using 2:xtic(1) title 'Tally mem, single', "
        << "'' using 3 title 'Tally mem, bulk-100', '' using 4 title 'Tally SQLite, single', "
        << "'' using 5 title 'Tally SQLite, bulk-100', '' using 6 title 'plain SQLite, 1/SQL tx', "
        << "'' using 7 title 'plain SQLite, 100/SQL tx', '' using 8 title 'hash map'\n"
        << "unset logscale y\nset ylabel 'ms'\nset title 'Max apply latency per entry, bulk-100'\n"
        << "set yrange [0:*]\n"
        << "plot '" << data
        << "' using 9:xtic(1) title 'Tally mem', '' using 10 title 'Tally SQLite'\n"
        << "unset multiplot\n";
  }
  std::string command = "gnuplot '" + script + "' 2>/dev/null";
  return std::system(command.c_str()) == 0;
}

}  // namespace tally::bench
