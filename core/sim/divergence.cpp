#include "core/sim/divergence.hpp"

namespace tally::sim {

std::string parity_key(const NodeStep& node) {
  for (const KeyRow& row : node.keys) {
    if (row.gen0_differs || row.gen1_differs) return row.label;
  }
  return "";
}

std::string differing_key(const std::vector<NodeStep>& nodes) {
  for (const NodeStep& node : nodes) {
    for (const KeyRow& row : node.keys) {
      if (row.nodes_differ) return row.label;
    }
  }
  return "";
}

std::optional<Divergence> divergence_in(const StepState& step) {
  for (const NodeStep& node : step.nodes) {
    if (node.up && !node.parity_ok) {
      return Divergence{step.number, "parity", parity_key(node),
                        node.name + ": memory differs from its disk mirror: " + node.parity_detail};
    }
  }
  std::string key = differing_key(step.nodes);
  if (!key.empty()) {
    for (const InvariantStep& inv : step.invariants) {
      if (!inv.ok && inv.name.find("every node") != std::string::npos)
        return Divergence{step.number, "nodes", key, inv.detail};
    }
    return Divergence{step.number, "nodes", key, "the nodes hold " + key + " otherwise"};
  }
  for (const InvariantStep& inv : step.invariants) {
    if (!inv.ok) return Divergence{step.number, "checker", "", inv.name + ": " + inv.detail};
  }
  return std::nullopt;
}

std::optional<Divergence> first_divergence(const std::vector<StepState>& steps) {
  for (const StepState& step : steps) {
    if (auto found = divergence_in(step)) return found;
  }
  return std::nullopt;
}

}  // namespace tally::sim
