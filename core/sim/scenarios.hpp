// The race scenarios of docs/design.md §10, narrated for people: each event, what admission
// predicted and declared, gen0 / gen1 in memory beside the disk rows of the keys in play, and
// parity after every step. `tally-sim scenario N` prints them; golden files in
// tests/scenario/golden/ pin them; the visualiser steps through the same recordings.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/sim/step_state.hpp"

namespace tally::sim {

struct Narration {
  std::string title;
  std::string text;               // the whole narration, one event per paragraph
  bool expected_outcome = false;  // the scenario ended as docs/design.md says it must
};

inline constexpr int kScenarioCount = 7;

// The scenario's title, without recording it; empty for an unknown number.
std::string_view scenario_title(int number);
// REQUIRES nothing: an unknown number is a kValidation error. pre_fix applies to scenario 1
// (the pre-fix delete); other scenarios ignore it.
// The scenario as a stepping model: every step with its structured state (step_state.hpp).
Result<Recording> record_scenario(int number, bool pre_fix);
// Its narration: the rendering of those steps (step_text.hpp).
Result<Narration> run_scenario(int number, bool pre_fix);

}  // namespace tally::sim
