// A tally-trace/1 file (`tally-sim export`; later the cluster's `tally trace export`) as
// steps of the stepping model. A trace carries per-node summaries (applied index,
// generation, epoch, threshold, entry counts, parity), not the cache's rows, so its nodes say
// keys_known = false. Parsed with the browser's own JSON.parse (no JSON parser of ours).
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/sim/step_state.hpp"

namespace tally::wasm {

struct TraceSteps {
  std::string title;
  std::vector<sim::StepState> steps;
};

// kValidation: not JSON, not tally-trace/1, or a field of the wrong type.
Result<TraceSteps> trace_steps(const std::string& json);

}  // namespace tally::wasm
