// The simulator as a test: 300 seeds x 1,000 steps with faults, zero violations,
// in ten chunks so ctest spreads them over the cores; and the pre-fix delete, which the same
// seeds must catch breaking parity.
#include <catch2/catch.hpp>

#include "core/sim/simulator.hpp"

namespace tally {
namespace {

constexpr std::uint64_t kSeeds = 300;
constexpr std::uint64_t kChunks = 10;
constexpr std::uint64_t kSteps = 1000;

void run_chunk(std::uint64_t chunk) {
  sim::SimStats total;
  for (std::uint64_t seed = 1 + chunk * (kSeeds / kChunks);
       seed <= (chunk + 1) * (kSeeds / kChunks); ++seed) {
    sim::SimOptions options;
    options.seed = seed;
    options.steps = kSteps;
    sim::SimResult result = sim::simulate(options);
    if (!result.ok) {
      std::string trace;
      std::size_t from = result.trace.size() > 30 ? result.trace.size() - 30 : 0;
      for (std::size_t i = from; i < result.trace.size(); ++i)
        trace += sim::format_step(result.trace[i]) + "\n";
      FAIL("seed " << seed << " failed at step " << result.failed_step << ": " << result.violation
                   << "\n"
                   << trace << "reproduce: " << result.reproduce_command(options));
    }
    total.admitted += result.stats.admitted;
    total.rotations += result.stats.rotations;
    total.crashes += result.stats.crashes + result.stats.lost_batches;
    total.stale += result.stats.stale;
    total.checker_runs += result.stats.checker_runs;
  }
  // The runs exercised what they claim to: a run that admits nothing proves nothing.
  CHECK(total.admitted > 100 * (kSeeds / kChunks));
  CHECK(total.rotations > 20 * (kSeeds / kChunks));
  CHECK(total.crashes > 0);
  CHECK(total.stale > 0);
  CHECK(total.checker_runs >= 10 * (kSeeds / kChunks));
}

#define TALLY_SIMULATION_CHUNK(n)                                              \
  TEST_CASE("simulation seeds, chunk " #n " of 10: no violation", "[model]") { \
    run_chunk(n);                                                              \
  }

TALLY_SIMULATION_CHUNK(0)
TALLY_SIMULATION_CHUNK(1)
TALLY_SIMULATION_CHUNK(2)
TALLY_SIMULATION_CHUNK(3)
TALLY_SIMULATION_CHUNK(4)
TALLY_SIMULATION_CHUNK(5)
TALLY_SIMULATION_CHUNK(6)
TALLY_SIMULATION_CHUNK(7)
TALLY_SIMULATION_CHUNK(8)
TALLY_SIMULATION_CHUNK(9)

TEST_CASE("the simulator finds the pre-fix delete's parity break within the same seeds",
          "[model]") {
  std::uint64_t found_at = 0;
  std::string violation;
  for (std::uint64_t seed = 1; seed <= kSeeds && found_at == 0; ++seed) {
    sim::SimOptions options;
    options.seed = seed;
    options.steps = kSteps;
    options.pre_fix = true;
    sim::SimResult result = sim::simulate(options);
    if (!result.ok) {
      found_at = seed;
      violation = result.violation;
    }
  }
  INFO("first failing seed " << found_at << ": " << violation);
  REQUIRE(found_at != 0);
  CHECK_THAT(violation, Catch::Contains("parity broken"));
  CHECK_THAT(violation, Catch::Contains("tombstone"));
}

TEST_CASE("a seed replays the same run, step for step", "[model]") {
  sim::SimOptions options;
  options.seed = 42;
  options.steps = 400;
  sim::SimResult a = sim::simulate(options);
  sim::SimResult b = sim::simulate(options);
  REQUIRE(a.trace.size() == b.trace.size());
  for (std::size_t i = 0; i < a.trace.size(); ++i) {
    REQUIRE(sim::format_step(a.trace[i]) == sim::format_step(b.trace[i]));
  }
}

TEST_CASE("how often the checker runs never changes the run", "[model]") {
  sim::SimOptions sparse;
  sparse.seed = 5;
  sparse.steps = 300;
  sim::SimOptions dense = sparse;
  dense.check_every = 1;  // what locate_first_failure relies on
  sim::SimResult a = sim::simulate(sparse);
  sim::SimResult b = sim::simulate(dense);
  REQUIRE(a.ok);
  REQUIRE(b.ok);
  CHECK(b.stats.checker_runs > 10 * a.stats.checker_runs);
  REQUIRE(a.trace.size() == b.trace.size());
  for (std::size_t i = 0; i < a.trace.size(); ++i) {
    REQUIRE(sim::format_step(a.trace[i]) == sim::format_step(b.trace[i]));
  }
}

}  // namespace
}  // namespace tally
