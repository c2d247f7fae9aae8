// The checker at scale (issue #10): how long a full check (a replay from genesis) and an
// incremental one (from the checkpoint the full check left, after a few new entries) take on
// a SQLite store of N applied entries. A measurement run by hand, not a test, not in CI:
//   tally-bench-check [entries=1000000] [new_entries=1000] [path=/dev/shm/tally-check.db]
// The workload: one ledger, 1,000 accounts funded from world, then transfers between them
// (one posting each), K = 1000, groups of 1,000 entries per SQLite transaction.
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/exit_on_error.hpp"
#include "core/audit/audit_key.hpp"
#include "core/check/checkpoint.hpp"
#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "native/sqlite/sqlite_store.hpp"

namespace {

using namespace tally;
using bench::must;

constexpr std::uint64_t kAccounts = 1000;

domain::Order order_for(std::uint64_t entry) {
  if (entry == 0) return domain::CreateLedger{"main", {}};
  domain::CreateTransaction create;
  create.ledger = "main";
  if (entry <= kAccounts) {  // funding
    create.postings = {{"world", "users:" + std::to_string(entry - 1),
                        domain::Amount::from_u64(1'000'000), "USD"}};
  } else {  // a transfer; every account starts with enough for every transfer it may make
    std::uint64_t from = (entry * 7919) % kAccounts, to = (entry * 104729 + 1) % kAccounts;
    if (to == from) to = (to + 1) % kAccounts;
    create.postings = {{"users:" + std::to_string(from), "users:" + std::to_string(to),
                        domain::Amount::from_u64(1), "USD"}};
  }
  return create;
}

struct Loaded {
  std::unique_ptr<sqlite::SqliteStore> store;
  std::unique_ptr<fsm::StateMachine> machine;
  std::uint64_t next_entry = 0;
};

void apply_entries(Loaded& node, std::uint64_t count) {
  for (std::uint64_t i = 0; i < count; ++i, ++node.next_entry) {
    const std::uint64_t index = node.machine->applied_index() + 1;
    plan::Request request{{order_for(node.next_entry)}, std::nullopt};
    auto proposal =
        must(plan::admit(request, {node.machine->cache(), node.machine->read_view(), index, index}),
             "admit");
    auto report = must(node.machine->apply(index, proposal), "apply");
    if (!report.outcome.ok()) {
      std::fprintf(stderr, "entry %llu failed\n", static_cast<unsigned long long>(index));
      std::exit(1);
    }
  }
  must(node.machine->commit_group(), "commit group");
}

// Peak resident memory so far: the checkpoint keeps the replayed model in memory.
long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// Resident memory now, after giving freed memory back: what the held checkpoint costs.
long current_rss_mb() {
  malloc_trim(0);
  long pages = 0, resident = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(statm);
  }
  return resident * sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

check::CheckRun timed_check(Loaded& node, std::optional<check::CheckCheckpoint> from,
                            const char* label) {
  const auto start = std::chrono::steady_clock::now();
  auto run = must(check::run_check_from({node.machine->read_view(), &node.machine->cache(), "tally",
                                         audit::public_demo_audit_key()},
                                        std::move(from)),
                  "check");
  const double seconds = seconds_since(start);
  std::printf("%-12s %-11s entries %8zu (sequences %llu..%llu), rows compared %8zu: %.3f s%s\n",
              label, run.report.incremental ? "incremental" : "full", run.report.entries_verified,
              static_cast<unsigned long long>(run.report.from_sequence),
              static_cast<unsigned long long>(run.report.to_sequence), run.report.rows_compared,
              seconds, run.report.ok() ? "" : "  NOT CLEAN");
  if (!run.report.ok()) std::printf("%s", run.report.describe().c_str());
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t entries = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::uint64_t fresh = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000;
  const std::string path =
      argc > 3 ? argv[3] : "/dev/shm/tally-check-" + std::to_string(getpid()) + ".db";
  std::filesystem::remove(path);
  Loaded node;
  node.store = must(sqlite::SqliteStore::open(path), "open sqlite");
  fsm::FsmOptions options;
  options.audit_key = audit::public_demo_audit_key();
  options.group_entries_max = 1000;
  node.machine = must(fsm::StateMachine::open(*node.store, options), "open machine");

  auto start = std::chrono::steady_clock::now();
  apply_entries(node, entries);
  std::printf("applied %llu entries in %.1f s (SQLite at %s)\n",
              static_cast<unsigned long long>(entries), seconds_since(start), path.c_str());

  std::printf("peak RSS after loading: %ld MB\n", peak_rss_mb());
  auto full = timed_check(node, std::nullopt, "first");
  std::printf("peak RSS during the full check: %ld MB; RSS with its checkpoint held: %ld MB\n",
              peak_rss_mb(), current_rss_mb());
  apply_entries(node, fresh);
  auto incremental = timed_check(node, std::move(full.checkpoint), "after new");
  timed_check(node, std::nullopt, "whole again");
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  return incremental.report.ok() ? 0 : 1;
}
