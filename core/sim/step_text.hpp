// The narration rendering of a recording (step_state.hpp): what `tally-sim scenario N` prints
// and tests/scenario/golden/ pins. Each step's text comes from its structured state alone:
// the event details, the watched keys' memory and disk slots, and the parity check.
#pragma once

#include <string>
#include <vector>

#include "core/sim/step_state.hpp"

namespace tally::sim {

std::string render_step(const StepState& step);
std::string render_narration(const std::vector<StepState>& steps);

}  // namespace tally::sim
