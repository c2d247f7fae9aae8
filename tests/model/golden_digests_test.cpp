// One core, the same bytes on every compiler and platform: SHA-256 digests of a
// fixed scenario's store and audit head, and of the full traces of simulator seeds (faults
// on, pre-fix and fixed delete), compared with tests/model/golden/digests.txt. The native
// GCC build, a native Clang build and the WebAssembly build under Node all check the same
// file. A difference names its first line; a seed's trace can then be diffed with
// `tally-sim export --seed N`. After an intended change of the core's bytes, regenerate with
// TALLY_UPDATE_GOLDEN=1 and say why in the commit.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/audit/audit_key.hpp"
#include "core/crypto/sha256.hpp"
#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "core/sim/simulator.hpp"
#include "core/store/memory_store.hpp"

namespace tally {
namespace {

// 200 seeds per delete mode, as the suite requires. Steps are kept short enough for the Node run
// to stay in seconds; the [model] suite runs the long seeds natively.
constexpr std::uint64_t kSeeds = 200;
constexpr std::uint64_t kSteps = 400;

std::string hex_digest(ByteView bytes) {
  crypto::Digest digest = crypto::sha256(bytes);
  return to_hex(ByteView(digest.data(), digest.size()));
}

// Every row, length-prefixed, in key order: the store's exact bytes.
std::string store_digest(const store::MemoryStore& store) {
  Bytes all;
  auto append = [&all](const Bytes& part) {
    for (int shift = 0; shift < 32; shift += 8)
      all.push_back(static_cast<std::uint8_t>(part.size() >> shift));
    all.insert(all.end(), part.begin(), part.end());
  };
  for (const auto& [key, value] : store.rows()) {
    append(key);
    append(value);
  }
  return hex_digest(all);
}

domain::CreateTransaction payment(std::string from, std::string to, std::uint64_t amount) {
  domain::CreateTransaction order;
  order.ledger = "main";
  order.postings = {{std::move(from), std::move(to), domain::Amount::from_u64(amount), "USD/2"}};
  return order;
}

// A fixed history over K = 3: every order kind that writes, a rotation, a delete of a gen1
// key, an idempotent replay and a restart.
std::vector<std::string> fixed_scenario_lines() {
  store::MemoryStore store;
  fsm::FsmOptions options;
  options.cluster_id = "golden";
  options.audit_key = audit::public_demo_audit_key();
  options.rotation_threshold = 3;
  auto machine = fsm::StateMachine::open(store, options).value();
  std::uint64_t clock_us = 1'700'000'000'000'000;
  std::vector<plan::Request> requests = {
      {{domain::CreateLedger{"main", {{"region", std::string("eu")}}}}, std::nullopt},
      {{payment("world", "alice", 500)}, std::string("pay-1")},
      {{domain::SetAccountMetadata{"main", "alice", {{"tier", std::int64_t{2}}}}}, std::nullopt},
      {{payment("alice", "bob", 120), payment("bob", "carol", 20)}, std::nullopt},
      {{domain::RevertTransaction{"main", 1, false, false}}, std::nullopt},
      {{domain::DeleteAccountMetadata{"main", "alice", "tier"}}, std::nullopt},
      {{payment("world", "alice", 500)}, std::string("pay-1")},
      {{domain::SetLedgerMetadata{"main", {{"open", true}}}}, std::nullopt},
  };
  for (const plan::Request& request : requests) {
    clock_us += 1000;
    std::uint64_t index = machine->applied_index() + 1;
    auto proposal = plan::admit(request, {machine->cache(), store, index, clock_us});
    REQUIRE(proposal.ok());
    REQUIRE(machine->apply(index, *proposal).ok());
    if (index == 4) REQUIRE(machine->apply_noop(index + 1).ok());
  }
  machine.reset();
  machine = fsm::StateMachine::open(store, options).value();
  const crypto::Digest& head = machine->state().audit_head;
  return {"fixed-scenario store " + store_digest(store),
          "fixed-scenario audit-head " + to_hex(ByteView(head.data(), head.size()))};
}

std::vector<std::string> simulation_lines(bool pre_fix) {
  std::vector<std::string> lines;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    sim::SimOptions options;
    options.seed = seed;
    options.steps = kSteps;
    options.pre_fix = pre_fix;
    options.record_views = true;
    sim::SimResult result = sim::simulate(options);
    std::string json = sim::trace_to_json(seed, result.trace, result.ok, result.violation);
    lines.push_back(std::string("sim ") + (pre_fix ? "pre-fix" : "fixed") +
                    " steps=" + std::to_string(kSteps) + " seed=" + std::to_string(seed) + " " +
                    (result.ok ? "ok" : "violation") + " " + hex_digest(json));
  }
  return lines;
}

std::string golden_path() {
  return std::string(TALLY_SOURCE_DIR) + "/tests/model/golden/digests.txt";
}

void check_lines(const std::vector<std::string>& actual, const std::string& prefix) {
  std::string path = golden_path();
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file.good());
  std::vector<std::string> golden;
  for (std::string line; std::getline(file, line);) {
    if (line.rfind(prefix, 0) == 0) golden.push_back(line);
  }
  REQUIRE(golden.size() == actual.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    INFO("first difference from " << path);
    REQUIRE(actual[i] == golden[i]);
  }
}

std::vector<std::string> all_lines() {
  std::vector<std::string> lines = fixed_scenario_lines();
  for (bool pre_fix : {false, true}) {
    std::vector<std::string> sim = simulation_lines(pre_fix);
    lines.insert(lines.end(), sim.begin(), sim.end());
  }
  return lines;
}

TEST_CASE("golden digests: regenerate on request", "[wasm][digest]") {
  if (std::getenv("TALLY_UPDATE_GOLDEN") == nullptr) return;
  std::ofstream out(golden_path(), std::ios::binary);
  out << "# SHA-256 digests every build must reproduce (tests/model/golden_digests_test.cpp).\n";
  for (const std::string& line : all_lines())
    out << line << "\n";
  REQUIRE(out.good());
}

TEST_CASE("golden digests: a fixed scenario's store bytes and audit head", "[wasm][digest]") {
  check_lines(fixed_scenario_lines(), "fixed-scenario ");
}

TEST_CASE("golden digests: full traces of 200 seeds, fixed delete, faults on", "[wasm][digest]") {
  check_lines(simulation_lines(false), "sim fixed ");
}

TEST_CASE("golden digests: full traces of 200 seeds, pre-fix delete, faults on", "[wasm][digest]") {
  std::vector<std::string> lines = simulation_lines(true);
  // The pre-fix delete must be caught by some seeds, or the comparison proves little.
  CHECK(std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
          return l.find(" violation ") != std::string::npos;
        }) > 0);
  check_lines(lines, "sim pre-fix ");
}

}  // namespace
}  // namespace tally
