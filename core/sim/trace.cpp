#include "core/sim/trace.hpp"

#include <cstdio>

#include "core/sim/json_text.hpp"

namespace tally::sim {

namespace {

std::string node_json(const NodeView& n) {
  return std::string("{\"up\":") + (n.up ? "true" : "false") +
         ",\"applied\":" + std::to_string(n.applied_index) +
         ",\"generation\":" + std::to_string(n.generation) +
         ",\"epoch\":" + std::to_string(n.epoch) + ",\"threshold\":" + std::to_string(n.threshold) +
         ",\"gen0\":" + std::to_string(n.gen0_entries) +
         ",\"gen1\":" + std::to_string(n.gen1_entries) +
         ",\"parity\":" + (n.parity_ok ? "true" : "false") + "}";
}

}  // namespace

std::string format_step(const TraceStep& step) {
  char head[64];
  std::snprintf(head, sizeof head, "%6llu %-9s", static_cast<unsigned long long>(step.step),
                step.action.c_str());
  std::string out = head;
  out += step.node >= 0 ? "n" + std::to_string(step.node) : "  ";
  if (step.index > 0) out += " @" + std::to_string(step.index);
  return out + "  " + step.detail;
}

std::string trace_to_json(std::uint64_t seed, const std::vector<TraceStep>& steps, bool ok,
                          const std::string& violation) {
  std::string out =
      "{\"format\":\"tally-trace/1\",\"seed\":" + std::to_string(seed) + ",\"steps\":[";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const TraceStep& s = steps[i];
    if (i > 0) out += ",";
    out += "{\"step\":" + std::to_string(s.step) + ",\"action\":" + json_string(s.action) +
           ",\"node\":" + std::to_string(s.node) + ",\"index\":" + std::to_string(s.index) +
           ",\"detail\":" + json_string(s.detail) + ",\"nodes\":[";
    for (std::size_t n = 0; n < s.nodes.size(); ++n)
      out += (n > 0 ? "," : "") + node_json(s.nodes[n]);
    out += "]}";
  }
  out += "],\"result\":{\"ok\":" + std::string(ok ? "true" : "false") +
         ",\"violation\":" + json_string(violation) + "}}";
  return out;
}

}  // namespace tally::sim
