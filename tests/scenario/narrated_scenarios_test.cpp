// Golden traces of the narrated scenarios (`tally-sim scenario N`): the exact sequence of
// events, verdicts, cache rows and parity lines is pinned in tests/scenario/golden/. After an
// intended change, regenerate with TALLY_UPDATE_GOLDEN=1 and review the diff.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/sim/scenarios.hpp"

namespace tally {
namespace {

std::string golden_path(int number, bool pre_fix) {
  return std::string(TALLY_SOURCE_DIR) + "/tests/scenario/golden/scenario-" +
         std::to_string(number) + (pre_fix ? "-pre-fix" : "") + ".txt";
}

void check_against_golden(int number, bool pre_fix) {
  auto narration = sim::run_scenario(number, pre_fix);
  REQUIRE(narration.ok());
  INFO(narration->text);
  CHECK(narration->expected_outcome);
  std::string path = golden_path(number, pre_fix);
  if (std::getenv("TALLY_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << narration->text;
  }
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file.good());
  std::stringstream golden;
  golden << file.rdbuf();
  CHECK(narration->text == golden.str());
}

TEST_CASE("narrated scenario 1 (fixed delete) matches its golden trace", "[scenario]") {
  check_against_golden(1, false);
}
TEST_CASE("narrated scenario 1 (pre-fix delete) matches its golden trace", "[scenario]") {
  check_against_golden(1, true);
}
TEST_CASE("narrated scenarios 2 to 7 match their golden traces", "[scenario]") {
  for (int n = 2; n <= sim::kScenarioCount; ++n) {
    INFO("scenario " << n);
    check_against_golden(n, false);
  }
}
TEST_CASE("an unknown scenario number is a validation error", "[scenario]") {
  CHECK(sim::run_scenario(0, false).error().code == Code::kValidation);
  CHECK(sim::run_scenario(8, false).error().code == Code::kValidation);
}

}  // namespace
}  // namespace tally
