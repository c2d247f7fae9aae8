// A run's trace: one line per step, and optionally each node's cache state after it, which
// is what `tally-sim export` writes as JSON for the visualiser.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tally::sim {

struct NodeView {
  bool up = true;
  std::uint64_t applied_index = 0;
  std::uint64_t generation = 0;
  std::uint64_t epoch = 0;
  std::uint64_t threshold = 0;
  std::size_t gen0_entries = 0;
  std::size_t gen1_entries = 0;
  bool parity_ok = true;
};

struct TraceStep {
  std::uint64_t step = 0;
  std::string action;       // "admit", "deliver", "apply", "crash", ...
  int node = -1;            // the node acting, -1 for the cluster
  std::uint64_t index = 0;  // the log index concerned, 0 if none
  std::string detail;
  std::vector<NodeView> nodes;  // filled when views are recorded
};

std::string format_step(const TraceStep& step);

// JSON: {"format": "tally-trace/1", "seed", "steps": [{"step", "action", "node", "index",
// "detail", "nodes": [{...}]}], "result": {...}}. Written by hand: the core has no JSON
// library and the same code must run in WebAssembly.
std::string trace_to_json(std::uint64_t seed, const std::vector<TraceStep>& steps, bool ok,
                          const std::string& violation);

}  // namespace tally::sim
