// What the start-up cache check costs (StateMachine::open, core/cache/row_agreement.hpp): on a
// SQLite store of N funded accounts, the time to restore the cache from its mirror, to compare
// every restored entry with its attribute row, and to open the state machine whole; beside a
// bare scan of the same attribute rows (no hashing), the floor any such check stands on.
// A measurement run by hand, not a test:
//   tally-bench-restore [accounts=1000000] [path=/dev/shm/tally-restore.db]
// The store: one ledger, accounts funded from world 100 per entry (bulk), then 20,000
// one-posting transfers between them, K = 1000, groups of 100 entries per SQLite commit.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bench/exit_on_error.hpp"
#include "core/audit/audit_key.hpp"
#include "core/fsm/state_machine.hpp"
#include "core/fsm/store_consistency.hpp"
#include "core/plan/admission.hpp"
#include "core/store/layout.hpp"
#include "native/sqlite/sqlite_store.hpp"

namespace {

using namespace tally;
using bench::must;

constexpr std::size_t kFundingsPerEntry = 100;
constexpr std::uint64_t kTransfers = 20'000;

fsm::FsmOptions options() {
  fsm::FsmOptions out;
  out.audit_key = audit::public_demo_audit_key();
  out.group_entries_max = 100;
  return out;
}

domain::CreateTransaction transfer(const std::string& from, const std::string& to) {
  domain::CreateTransaction create;
  create.ledger = "main";
  create.postings = {{from, to, domain::Amount::from_u64(from == "world" ? 1'000'000 : 1), "USD"}};
  return create;
}

void apply(fsm::StateMachine& machine, std::vector<domain::Order> orders) {
  const std::uint64_t index = machine.applied_index() + 1;
  auto proposal = must(plan::admit({std::move(orders), std::nullopt},
                                   {machine.cache(), machine.read_view(), index, index}),
                       "admit");
  auto report = must(machine.apply(index, proposal), "apply");
  if (!report.outcome.ok()) {
    std::fprintf(stderr, "entry %llu failed\n", static_cast<unsigned long long>(index));
    std::exit(1);
  }
}

void build(const std::string& path, std::uint64_t accounts) {
  auto store = must(sqlite::SqliteStore::open(path), "open sqlite");
  auto machine = must(fsm::StateMachine::open(*store, options()), "open machine");
  apply(*machine, {domain::CreateLedger{"main", {}}});
  for (std::uint64_t first = 0; first < accounts; first += kFundingsPerEntry) {
    std::vector<domain::Order> orders;
    for (std::uint64_t a = first; a < std::min(accounts, first + kFundingsPerEntry); ++a)
      orders.push_back(transfer("world", "users:" + std::to_string(a)));
    apply(*machine, std::move(orders));
  }
  for (std::uint64_t i = 0; i < kTransfers; ++i) {
    const std::uint64_t from = (i * 7919) % accounts, to = (i * 104729 + 1) % accounts;
    if (from == to) continue;
    apply(*machine, {transfer("users:" + std::to_string(from), "users:" + std::to_string(to))});
  }
  must(machine->commit_group(), "commit");
}

double median_seconds(const std::function<void()>& run) {
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t accounts = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::string path =
      argc > 2 ? argv[2] : "/dev/shm/tally-restore-" + std::to_string(getpid()) + ".db";
  std::filesystem::remove(path);
  const auto started = std::chrono::steady_clock::now();
  build(path, accounts);
  std::printf("built %llu accounts in %.1f s (%s)\n", static_cast<unsigned long long>(accounts),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
              path.c_str());

  auto store = must(sqlite::SqliteStore::open(path), "reopen sqlite");
  auto cache = must(cache::Cache::restore(*store), "restore");
  std::size_t rows = 0;
  const double scan = median_seconds([&] {
    rows = 0;
    for (std::uint8_t zone : {store::kZoneAttributes, store::kZoneIdempotency}) {
      must(store::scan_range(*store, store::zone_begin(zone), store::zone_end(zone),
                             [&](ByteView, ByteView) { return ++rows > 0; }),
           "scan");
    }
  });
  const double restore =
      median_seconds([&] { cache = must(cache::Cache::restore(*store), "restore"); });
  const double check = median_seconds([&] { must(fsm::check_cache_rows(cache, *store), "check"); });
  const double open =
      median_seconds([&] { must(fsm::StateMachine::open(*store, options()), "open"); });
  std::printf("attribute rows %zu, cached entries %zu (gen0 %zu, gen1 %zu)\n", rows,
              cache.gen0_size() + cache.gen1_size(), cache.gen0_size(), cache.gen1_size());
  std::printf("bare scan of the attribute rows  %8.3f s\n", scan);
  std::printf("cache restore from the mirror    %8.3f s\n", restore);
  std::printf("cache check against the rows     %8.3f s  (%.2fx the bare scan)\n", check,
              check / scan);
  std::printf("StateMachine::open, whole        %8.3f s  (the check is %.0f%% of it)\n", open,
              100.0 * check / open);
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  return 0;
}
