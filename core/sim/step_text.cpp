#include "core/sim/step_text.hpp"

#include "core/sim/node_compare.hpp"

namespace tally::sim {

namespace {

std::string slot_text(const CacheSlot& slot) {
  if (!slot.present) return "-";
  if (slot.malformed) return "malformed";
  if (slot.tombstone) return "tombstone";
  return "live(" + std::to_string(slot.value_bytes) + "B)";
}

std::string plan_entry_text(const PlanEntryStep& e) {
  std::string label = e.watched ? e.label : e.kind + " " + e.id_hex.substr(0, 8);
  return "    plan: " + label + " -> " + e.source +
         (e.seeded ? " (seed " + std::to_string(e.seed_bytes) + "B)" : "") + "\n";
}

std::string node_text(const NodeStep& node, const std::string& prefix) {
  std::string out;
  for (const KeyRow& k : node.keys) {
    if (!k.watched) continue;
    out += prefix + k.label + ": memory gen0 " + slot_text(k.memory_gen0) + ", gen1 " +
           slot_text(k.memory_gen1) + " | disk gen0 " + slot_text(k.disk_gen0) + ", gen1 " +
           slot_text(k.disk_gen1) + "\n";
  }
  if (!node.up) return out + prefix + "down\n";
  if (node.parity_ok) {
    out += prefix + "parity OK (" + std::to_string(node.mirror_rows) + " mirror rows)\n";
  } else {
    out += prefix + "parity BROKEN: " + node.parity_detail + "\n";
  }
  return out;
}

// One node as it always read; several each under their name, then whether they agree.
std::string cache_text(const std::vector<NodeStep>& nodes) {
  if (nodes.size() == 1) return node_text(nodes[0], "    ");
  std::string out;
  for (const NodeStep& node : nodes)
    out += node_text(node, "    " + node.name + ": ");
  std::vector<NodeStep> compared = nodes;
  std::string difference = mark_node_differences(compared);
  return out + (difference.empty() ? "    the nodes agree\n" : "    nodes DIFFER: " + difference + "\n");
}

const ProposalStep* find_proposal(const StepState& step) {
  for (const ProposalStep& p : step.proposals) {
    if (p.id == step.proposal) return &p;
  }
  return nullptr;
}

std::string admit_text(const StepState& step) {
  const ProposalStep* p = find_proposal(step);
  if (p == nullptr) return "";
  std::string out = "  admit " + p->orders[0].name + " for index " +
                    std::to_string(p->predicted_index) + " (Gen " +
                    std::to_string(p->predicted_generation) + ", cache at Gen " +
                    std::to_string(p->cache_generation) + ", d = " + std::to_string(p->d) + ")\n";
  for (const PlanEntryStep& e : p->entries)
    out += plan_entry_text(e);
  return out;
}

std::string refuse_text(const StepState& step) {
  const ProposalStep* found = find_proposal(step);
  if (found == nullptr) return "";
  const ProposalStep& p = *found;
  return "  admit " + p.orders[0].name + " for index " + std::to_string(p.predicted_index) +
         ": refused, " + step.refusal + "\n";
}

std::string apply_text(const StepState& step) {
  const ApplyDetail& a = *step.apply;
  std::string out = "  apply @" + std::to_string(a.index) + " " + a.label + ": ";
  if (!a.advance.empty()) out += "[" + a.advance + "] ";
  out += a.outcome;
  out +=
      a.seeds_written > 0 ? ", " + std::to_string(a.seeds_written) + " seed(s) preloaded\n" : "\n";
  return out + cache_text(step.nodes);
}

std::string noop_text(const StepState& step) {
  std::string out;
  for (const auto& [index, generation] : step.noop->rotations) {
    out += "  index " + std::to_string(index) + " (configuration entry): rotation to Gen " +
           std::to_string(generation) + "\n";
  }
  return out + "  ... applied index " + std::to_string(step.noop->applied_index) + "\n";
}

}  // namespace

std::string render_step(const StepState& step) {
  std::string out;
  if (!step.narration.empty()) out += "\n" + step.narration + "\n";
  if (step.kind == "admit") out += admit_text(step);
  if (step.kind == "refuse") out += refuse_text(step);
  if (step.kind == "apply") out += apply_text(step);
  if (step.kind == "noop") out += noop_text(step);
  if (step.kind == "restart") out += "  " + step.event + "\n" + cache_text(step.nodes);
  if (step.kind == "crash" || step.kind == "read") out += "  " + step.event + "\n";
  return out;
}

std::string render_narration(const std::vector<StepState>& steps) {
  std::string out;
  for (const StepState& step : steps)
    out += render_step(step);
  return out;
}

}  // namespace tally::sim
