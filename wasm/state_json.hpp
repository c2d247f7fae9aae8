// The stepping model (core/sim/step_state.hpp) as JSON for the page. One object per step;
// field names follow the structs', in camelCase.
#pragma once

#include <string>

#include "core/sim/step_state.hpp"

namespace tally::wasm {

std::string step_json(const sim::StepState& step, std::size_t step_count,
                      const std::string& session);

}  // namespace tally::wasm
