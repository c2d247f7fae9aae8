#include "bench/tally_run.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include "bench/workload.hpp"
#include "core/cache/parity.hpp"
#include "core/codec/value_codec.hpp"
#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "core/store/layout.hpp"
#include "core/store/memory_store.hpp"
#include "native/sqlite/sqlite_store.hpp"

#if __has_include("core/audit/audit_key.hpp")
#include "core/audit/audit_key.hpp"
#define TALLY_BENCH_AUDIT_KEY 1
#endif

namespace tally::bench {

namespace {

constexpr std::uint64_t kStartUs = 1'700'000'000'000'000ULL;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "tally-bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T must(Result<T> result, const char* what) {
  if (!result.ok()) die(std::string(what) + ": " + result.error().message);
  return std::move(result).value();
}

void must(Status status, const char* what) {
  if (!status.ok()) die(std::string(what) + ": " + status.error().message);
}

// The group commit API, when the core under test has one (the bench also runs on the
// commit before it, to measure "before").
template <class Options>
void set_group_bound(Options& options, std::size_t entries) {
  if constexpr (requires { options.group_entries_max; }) options.group_entries_max = entries;
}
template <class Machine>
bool has_group_commit(Machine&) {
  return requires(Machine & m) {
    m.commit_group();
  };
}
template <class Machine>
void commit_group(Machine& machine) {
  if constexpr (requires { machine.commit_group(); }) must(machine.commit_group(), "commit group");
}
template <class Machine>
const store::KeyValueStore& admission_view(Machine& machine, const store::KeyValueStore& store) {
  if constexpr (requires { machine.read_view(); }) {
    return machine.read_view();
  } else {
    return store;
  }
}

// The node's configuration; the audit key is the public demo key (a core without
// core/audit/audit_key.hpp, built for a before/after run, derives it from the cluster id).
fsm::FsmOptions base_options() {
  fsm::FsmOptions options;
#ifdef TALLY_BENCH_AUDIT_KEY
  options.audit_key = audit::public_demo_audit_key();
#endif
  return options;
}

fsm::FsmOptions options_for(const TallySpec& spec) {
  fsm::FsmOptions options = base_options();
  set_group_bound(options, spec.group_entries);
  return options;
}

std::uint64_t apply_one(fsm::StateMachine& machine, const store::KeyValueStore& store,
                        const plan::Request& request, std::uint64_t now_us, TallyResult* result) {
  std::uint64_t index = machine.applied_index() + 1;
  auto t0 = Clock::now();
  plan::Proposal proposal =
      must(plan::admit(request, {machine.cache(), admission_view(machine, store), index, now_us}),
           "admit");
  auto t1 = Clock::now();
  fsm::ApplyReport report = must(machine.apply(index, proposal), "apply");
  auto t2 = Clock::now();
  if (report.status != fsm::ApplyReport::Status::kApplied || !report.outcome.ok()) {
    die("entry " + std::to_string(index) + " was not applied successfully");
  }
  if (result != nullptr) {
    result->admit_seconds += std::chrono::duration<double>(t1 - t0).count();
    result->apply_seconds += std::chrono::duration<double>(t2 - t1).count();
    result->plan_entries += proposal.plan.entries.size();
    for (const plan::PlanEntry& entry : proposal.plan.entries) {
      if (entry.source == plan::EntrySource::kCacheHit) ++result->plan_hits;
    }
    if (report.advance.kind != cache::AdvanceKind::kNone) ++result->rotations;
  }
  return nanos_between(t1, t2);
}

// Writes the ledger through the FSM, then every account's volume row directly (the setup is
// not what is measured: a node with a large ledger whose accounts are mostly not cached).
void build_template(store::KeyValueStore& store, std::uint64_t accounts) {
  auto machine = must(fsm::StateMachine::open(store, base_options()), "open");
  plan::Request create;
  create.orders.push_back(domain::CreateLedger{kLedger, {}});
  apply_one(*machine, store, create, kStartUs, nullptr);
  commit_group(*machine);
  domain::Volume funded{domain::Amount::from_u64(kOpeningBalance), domain::Amount::from_u64(0)};
  Bytes value = codec::ValueCodec<domain::Volume>::encode(funded);
  store::Batch batch;
  for (std::uint64_t account = 0; account < accounts; ++account) {
    batch.put(store::attribute_row_key(keys::volume_key(kLedger, account_name(account), kAsset)),
              value);
    if (batch.size() == 100'000 || account + 1 == accounts) {
      must(store.write(batch), "fill");
      batch.clear();
    }
  }
}

const store::MemoryStore::Rows& memory_template(std::uint64_t accounts) {
  static std::map<std::uint64_t, store::MemoryStore::Rows> templates;
  auto it = templates.find(accounts);
  if (it != templates.end()) return it->second;
  if (!templates.empty()) templates.clear();  // one size at a time: RSS figures stay readable
  store::MemoryStore store;
  build_template(store, accounts);
  return templates.emplace(accounts, store.rows()).first->second;
}

std::string sqlite_template(const std::string& dir, std::uint64_t accounts) {
  std::string path = dir + "/template-" + std::to_string(accounts) + ".db";
  if (std::filesystem::exists(path)) return path;
  auto store = must(sqlite::SqliteStore::open(path), "open sqlite template");
  build_template(*store, accounts);
  return path;
}

void run_loop(fsm::StateMachine& machine, const store::KeyValueStore& store, const TallySpec& spec,
              TallyResult& result) {
  result.group_commit = has_group_commit(machine);
  Prng prng(0x7a11ULL + spec.accounts * 31 + spec.postings * 7 + spec.bulk);
  std::size_t per_entry = spec.bulk * spec.postings;
  std::vector<Transfer> transfers =
      draw_transfers(prng, spec.accounts, per_entry * spec.entries_max);
  std::vector<std::uint64_t> latencies;
  latencies.reserve(spec.entries_max);
  IoCounters io_before = read_io();
  auto started = Clock::now();
  for (std::size_t e = 0; e < spec.entries_max; ++e) {
    plan::Request request =
        make_request(transfers, e * per_entry, spec.bulk, spec.postings, spec.scripted);
    latencies.push_back(apply_one(machine, store, request, kStartUs + 1000 * (e + 1), &result));
    result.entries += 1;
    result.transactions += spec.bulk;
    if (seconds_since(started) > spec.seconds_max) break;
  }
  auto t = Clock::now();
  commit_group(machine);
  std::uint64_t tail = nanos_between(t, Clock::now());
  result.apply_seconds += static_cast<double>(tail) / 1e9;
  if (!latencies.empty()) latencies.back() += tail;
  IoCounters io_after = read_io();
  result.io = {io_after.write_bytes - io_before.write_bytes,
               io_after.write_calls - io_before.write_calls};
  result.entry_latency = percentiles(latencies);
}

void check_parity(const fsm::StateMachine& machine, const store::KeyValueStore& store) {
  auto parity = must(cache::check_parity(machine.cache(), store), "parity");
  if (!parity.ok) die("parity broken after the run: " + parity.first_difference);
}

}  // namespace

TallyResult run_tally(const TallySpec& spec) {
  TallyResult result;
  result.spec = spec;
  if (!spec.sqlite) {
    const store::MemoryStore::Rows& rows = memory_template(spec.accounts);
    store::MemoryStore store;
    store.set_rows(rows);
    auto machine = must(fsm::StateMachine::open(store, options_for(spec)), "open");
    run_loop(*machine, store, spec, result);
    result.rss_after = rss_bytes();
    check_parity(*machine, store);
    return result;
  }
  std::string source = sqlite_template(spec.dir, spec.accounts);
  std::string path = spec.dir + "/run.db";
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path + suffix);
  std::filesystem::copy_file(source, path);
  {
    auto store = must(sqlite::SqliteStore::open(path), "open sqlite");
    auto machine = must(fsm::StateMachine::open(*store, options_for(spec)), "open");
    run_loop(*machine, *store, spec, result);
    result.rss_after = rss_bytes();
    check_parity(*machine, *store);
  }
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path + suffix);
  return result;
}

CacheMemory measure_cache_memory(std::size_t count) {
  CacheMemory memory;
  domain::Volume volume{domain::Amount::from_u64(kOpeningBalance), domain::Amount::from_u64(12345)};
  Bytes value = codec::ValueCodec<domain::Volume>::encode(volume);
  memory.value_bytes = value.size();
  trim_heap();
  std::uint64_t before = heap_bytes();
  {
    store::Batch batch;
    cache::Cache cache = cache::Cache::create(1000, batch);
    for (std::size_t i = 0; i < count; ++i) {
      keys::AttributeKey key = keys::volume_key(kLedger, account_name(i), kAsset);
      cache.put(key.kind, keys::attribute_id(key.canonical), keys::attribute_tag(key.canonical),
                value, batch);
      if (batch.size() >= 1024) batch.clear();
    }
    batch.clear();
    std::uint64_t after = heap_bytes();
    memory.heap_bytes_per_key = double(after - before) / double(count);
  }
  return memory;
}

}  // namespace tally::bench
