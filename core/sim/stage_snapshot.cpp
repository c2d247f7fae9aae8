// The state a ScenarioStage records after each step: every node's cache beside its mirror
// rows, the proposals' plans, and the invariant checks (step_state.hpp).
#include "core/cache/cache_mirror.hpp"
#include "core/check/checker.hpp"
#include "core/plan/order_footprint.hpp"
#include "core/sim/node_compare.hpp"
#include "core/sim/proposal_view.hpp"
#include "core/sim/scenario_stage.hpp"

namespace tally::sim {

std::string ScenarioStage::plan_label(std::uint8_t kind, const Bytes& id, bool* watched) const {
  for (const auto& [label, key] : watched_) {
    auto key_id = keys::attribute_id(key.canonical).to_bytes();
    if (kind == keys::kind_byte(key.kind) && id == Bytes(key_id.begin(), key_id.end())) {
      *watched = true;
      return label;
    }
  }
  *watched = false;
  auto known = keys::kind_from_byte(kind);
  if (!known || id.size() != keys::kIdBytes) return "?";
  return names_.name(*known, keys::Id128::from_bytes(id));
}

ProposalStep ScenarioStage::admitted_view(int id, const plan::Proposal& p) const {
  ProposalStep view = plan_view(p, names_, &watched_);
  view.id = id;
  fill_admission(view, leader().cache(), leader().applied_index());
  return view;
}

// A refused admission has no plan: each attribute it would read is shown with CheckCache's
// verdict (Unreachable when the prediction is two generations ahead).
ProposalStep ScenarioStage::refused_view(const domain::Order& order, std::uint64_t predicted,
                                         const Error& error) const {
  const cache::Cache& cache = leader().cache();
  ProposalStep view;
  view.id = -1;
  view.status = "refused";
  view.admitted_at = leader().applied_index();
  view.predicted_index = predicted;
  view.predicted_generation = cache::generation_of(predicted, cache.threshold());
  view.cache_generation = cache.generation();
  view.d = static_cast<std::int64_t>(view.predicted_generation) -
           static_cast<std::int64_t>(view.cache_generation);
  view.epoch = cache.epoch();
  view.outcome = std::string(code_name(error.code)) + " (" + error.message + ")";
  auto no_lookup = [](const std::string&,
                      std::uint64_t) -> Result<std::optional<domain::TransactionState>> {
    return std::optional<domain::TransactionState>();
  };
  auto footprint = plan::order_footprint(order, no_lookup);
  if (footprint.ok()) {
    for (const keys::AttributeKey& key : footprint->keys) {
      keys::Id128 id = keys::attribute_id(key.canonical);
      auto verdict = cache.check(predicted, key.kind, id);
      PlanEntryStep entry;
      auto id_bytes = id.to_bytes();
      entry.label = plan_label(keys::kind_byte(key.kind), Bytes(id_bytes.begin(), id_bytes.end()),
                               &entry.watched);
      entry.kind = std::string(keys::kind_name(key.kind));
      entry.id_hex = id.to_hex();
      entry.verdict = std::string(cache::verdict_name(verdict));
      entry.source = "none";
      view.entries.push_back(std::move(entry));
    }
  }
  view.orders.push_back({std::string(domain::order_name(order)), order_summary(order), ""});
  return view;
}

NodeStep ScenarioStage::node_state(std::size_t node) const {
  const Replica& replica = *nodes_[node];
  return snapshot_node({replica.name, replica.fsm.get(), &replica.store, &names_, &watched_});
}

std::vector<NodeStep> ScenarioStage::node_states() const {
  std::vector<NodeStep> out;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    out.push_back(node_state(i));
  mark_node_differences(out);
  return out;
}

std::vector<InvariantStep> ScenarioStage::invariants(std::vector<NodeStep> nodes) const {
  std::vector<InvariantStep> out;
  const bool several = nodes_.size() > 1;
  for (const NodeStep& node : nodes) {
    std::string on = several ? " on " + node.name : "";
    if (!node.up) {
      out.push_back({"inv#1 cache mirror parity" + on, true, "not checked: the node is down"});
      continue;
    }
    out.push_back({"inv#1 cache mirror parity" + on, node.parity_ok,
                   node.parity_ok ? "memory equals the disk mirror (" +
                                        std::to_string(node.mirror_rows) + " rows)"
                                  : node.parity_detail});
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Replica& replica = *nodes_[i];
    if (replica.fsm == nullptr) continue;
    auto report =
        check::run_check({replica.store, &replica.fsm->cache(), options_.cluster_id,
                          options_.audit_key});
    bool clean = report.ok() && report->ok();
    out.push_back(
        {"checker" + std::string(several ? " on " + replica.name : "") +
             ": audit chain, projections and cache (inv#7)",
         clean,
         clean ? std::to_string(report->entries_verified) + " audit entries verified, " +
                     std::to_string(report->rows_compared) + " rows compared"
               : (report.ok() ? report->describe() : report.error().message)});
  }
  if (several) {
    std::string difference = mark_node_differences(nodes);
    out.push_back({"inv#1 every node's cache equals every other's at the same index",
                   difference.empty(),
                   difference.empty() ? "the nodes at each applied index hold the same rows"
                                      : difference});
  }
  return out;
}

}  // namespace tally::sim
