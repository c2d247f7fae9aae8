#include "core/sim/scenario_stage.hpp"

#include "core/sim/node_compare.hpp"
#include "core/sim/step_text.hpp"

namespace tally::sim {

namespace {

std::string d_rule(std::int64_t d) {
  if (d < 0) return "the prediction lies behind the cache, so every key is a Miss";
  if (d == 0) return "apply will see both generations, so a key in either is a Hit";
  if (d == 1) {
    return "one rotation will happen before apply, so only gen0 keys are Hits and gen1-only "
           "keys are Misses read from disk";
  }
  return "two rotations will happen before apply: nothing read now would survive";
}

std::string admit_explanation(const ProposalStep& view) {
  std::size_t hits = 0, seeds = 0, absent = 0;
  for (const PlanEntryStep& e : view.entries) {
    hits += e.verdict == "Hit";
    seeds += e.seeded;
    absent += e.source == "absent";
  }
  return "Admission predicts index " + std::to_string(view.predicted_index) + " (Gen " +
         std::to_string(view.predicted_generation) + ") while the cache is at Gen " +
         std::to_string(view.cache_generation) + ": d = " + std::to_string(view.d) + ", " +
         d_rule(view.d) + ". Plan: " + std::to_string(hits) + " Hit, " + std::to_string(seeds) +
         " Miss with a seed, " + std::to_string(absent) + " Miss found nowhere (coverage only).";
}

// Names a key whose gen0 tombstone shadows a live gen1 row: the lazy delete at work.
std::string shadow_sentence(const NodeStep& node) {
  for (const KeyRow& k : node.keys) {
    if (k.memory_gen0.tombstone && k.memory_gen1.present && !k.memory_gen1.tombstone) {
      return " " + k.label +
             ": a gen0 tombstone shadows the live gen1 row, which the next rotation drops.";
    }
  }
  return "";
}

std::string parity_sentence(const std::vector<NodeStep>& nodes) {
  if (nodes.size() == 1) {
    const NodeStep& node = nodes[0];
    if (!node.up) return "";
    if (node.parity_ok) return " Parity holds: memory equals the disk mirror row for row.";
    return " Parity is BROKEN: " + node.parity_detail;
  }
  std::string broken;
  for (const NodeStep& node : nodes) {
    if (node.up && !node.parity_ok)
      broken += " Parity is BROKEN on " + node.name + ": " + node.parity_detail;
  }
  if (!broken.empty()) return broken;
  return " Parity holds on every node: memory equals the disk mirror row for row.";
}

// Several nodes: whether their caches agree, naming the first key where they do not.
std::string agreement_sentence(std::vector<NodeStep> nodes) {
  if (nodes.size() == 1) return "";
  std::string difference = mark_node_differences(nodes);
  if (difference.empty()) return " Every node holds the same cache, row for row.";
  return " The nodes DISAGREE: " + difference + ".";
}

}  // namespace

ScenarioStage::ScenarioStage(std::uint64_t threshold, cache::DeleteMode mode,
                             std::size_t node_count) {
  TALLY_INVARIANT(node_count >= 1, "a stage needs a node");
  options_.cluster_id = "scenario";
  options_.audit_key = audit::public_demo_audit_key();
  options_.rotation_threshold = threshold;
  options_.delete_mode = mode;
  for (std::size_t i = 0; i < node_count; ++i) {
    auto replica = std::make_unique<Replica>();
    replica->name = node_count == 1 ? "node"
                    : i == 0        ? "node 0 (leader)"
                                    : "node " + std::to_string(i);
    replica->fsm = fsm::StateMachine::open(replica->store, options_).value();
    nodes_.push_back(std::move(replica));
  }
}

void ScenarioStage::watch(const std::string& label, const keys::AttributeKey& key) {
  watched_.emplace_back(label, key);
  names_.remember(key, label);
}

void ScenarioStage::say(const std::string& text) {
  pending_narration_ += (pending_narration_.empty() ? "" : "\n\n") + text;
}

void ScenarioStage::open_if_needed() {
  if (!steps_.empty()) return;
  record("open", "a new store: the cache is empty at Gen 0",
         std::string(nodes_.size() == 1 ? "The node opened an empty store"
                                        : "Each node opened an empty store of its own") +
             ": both generations are empty in memory and on disk, threshold K = " +
             std::to_string(leader().cache().threshold()) + ".");
}

StepState& ScenarioStage::record(std::string kind, std::string event, std::string explanation) {
  StepState step;
  step.number = steps_.size();
  step.kind = std::move(kind);
  step.event = std::move(event);
  step.narration = std::move(pending_narration_);
  pending_narration_.clear();
  if (!step.narration.empty()) chapter_ = step.narration;
  step.chapter = chapter_;
  step.nodes = node_states();
  step.explanation = std::move(explanation);
  step.threshold = up() ? leader().cache().threshold() : options_.rotation_threshold;
  step.applied_index = step.nodes[0].applied_index;
  step.log_end = step.applied_index;
  for (int id : admission_order_) {
    ProposalStep view = id >= 0 ? proposals_[id].view : refused_[-id - 1];
    if (id >= 0) {
      // The bits as the proposal holds them now: a scenario may clear one (scenario 3).
      const plan::Proposal& p = proposals_[id].proposal;
      for (std::size_t o = 0; o < view.orders.size() && o < p.orders.size(); ++o) {
        for (std::size_t e = 0; e < view.orders[o].coverage.size(); ++e)
          view.orders[o].coverage[e] = plan::coverage_bit(p.orders[o].coverage_bits, e) ? '1' : '0';
      }
      step.log_end = std::max(step.log_end, view.predicted_index);
    }
    step.proposals.push_back(std::move(view));
  }
  step.invariants = invariants(step.nodes);
  steps_.push_back(std::move(step));
  return steps_.back();
}

void ScenarioStage::note(const std::string& text) {
  open_if_needed();
  say(text);
  record("note", text, text);
}

int ScenarioStage::admit(const domain::Order& order, std::uint64_t predicted) {
  auto handle = try_admit(order, predicted);
  TALLY_INVARIANT(handle.ok(),
                  "scenario admission refused: " + (handle.ok() ? "" : handle.error().message));
  return *handle;
}

Result<int> ScenarioStage::try_admit(const domain::Order& order, std::uint64_t predicted) {
  TALLY_INVARIANT(up(), "admission on a node that is down");
  open_if_needed();
  names_.remember_order(order);
  clock_us_ += 1000;
  auto proposal = plan::admit({{order}, std::nullopt},
                              {leader().cache(), nodes_[0]->store, predicted, clock_us_});
  if (!proposal.ok()) {
    refused_.push_back(refused_view(order, predicted, proposal.error()));
    int refused_id = -static_cast<int>(refused_.size());
    refused_.back().id = refused_id;
    refused_.back().label = "refused " + std::string(domain::order_name(order));
    admission_order_.push_back(refused_id);
    std::string event = "admit " + std::string(domain::order_name(order)) + " for index " +
                        std::to_string(predicted) + ": refused, " +
                        std::string(code_name(proposal.error().code));
    StepState& step = record(
        "refuse", event,
        "Index " + std::to_string(predicted) +
            " is two or more generations ahead of the cache: whatever admission reads now may "
            "be rotated away before apply, so it refuses, retryably, and nothing is logged.");
    step.refusal = refused_.back().outcome;
    step.proposal = refused_id;
    return std::move(proposal).error();
  }
  int id = static_cast<int>(proposals_.size());
  ProposalStep view = admitted_view(id, *proposal);
  view.label = "#" + std::to_string(id) + " " + std::string(domain::order_name(order));
  proposals_.push_back({std::move(proposal).value(), view});
  admission_order_.push_back(id);
  StepState& step = record("admit",
                           "admit " + view.orders[0].name + " (" + view.orders[0].summary +
                               ") for index " + std::to_string(predicted),
                           admit_explanation(view));
  step.proposal = id;
  return id;
}

Error ScenarioStage::admit_refused(const domain::Order& order, std::uint64_t predicted) {
  auto handle = try_admit(order, predicted);
  TALLY_INVARIANT(!handle.ok(), "scenario admission expected a refusal");
  return std::move(handle).error();
}

fsm::ApplyReport ScenarioStage::apply(int handle, const std::string& label) {
  open_if_needed();
  Admitted& admitted = proposals_[handle];
  std::uint64_t index = leader().applied_index() + 1;
  std::optional<fsm::ApplyReport> first;
  for (const auto& node : nodes_) {
    TALLY_INVARIANT(node->fsm != nullptr, "apply on a node that is down");
    TALLY_INVARIANT(node->fsm->applied_index() + 1 == index, "the stage's nodes left step");
    auto applied = node->fsm->apply(index, admitted.proposal);
    TALLY_INVARIANT(applied.ok(),
                    "scenario apply failed: " + (applied.ok() ? "" : applied.error().message));
    TALLY_INVARIANT(!first || (first->status == applied->status &&
                               domain::outcomes_agree(first->outcome, applied->outcome)),
                    "two nodes answered one entry differently (inv#2)");
    if (!first) first = std::move(applied).value();
  }
  fsm::ApplyReport* report = &*first;
  ApplyDetail detail;
  detail.index = index;
  detail.label = label;
  if (report->advance.kind == cache::AdvanceKind::kRotated) detail.advance = "rotation";
  if (report->advance.kind == cache::AdvanceKind::kDroppedBoth)
    detail.advance = "both generations dropped";
  detail.applied = report->status == fsm::ApplyReport::Status::kApplied;
  if (detail.applied) {
    detail.outcome = domain::describe_outcome(report->outcome);
    if (!report->outcome.ok()) detail.outcome += " (" + report->outcome.message + ")";
  } else {
    detail.outcome =
        std::string(code_name(report->rejection->code)) + " (" + report->rejection->message + ")";
  }
  detail.seeds_written = report->seeds_written;
  ProposalStep& view = admitted.view;
  view.applied_at = index;
  view.outcome = detail.outcome;
  view.status = !detail.applied                               ? "stale"
                : report->outcome.ok()                        ? "applied"
                : report->outcome.code == Code::kCoverageMiss ? "failed: CoverageMiss"
                                                              : "failed";
  if (report->status == fsm::ApplyReport::Status::kRejectedPlan) view.status = "rejected";

  std::string explanation;
  if (!detail.advance.empty()) {
    explanation = detail.advance == "rotation"
                      ? "Index " + std::to_string(index) +
                            " starts a new generation: the cache rotated first (gen0 became "
                            "gen1, the old gen1 was dropped, in memory and on disk)."
                      : "The index jumped two generations: both generations were dropped.";
  }
  if (!detail.applied) {
    explanation += (explanation.empty() ? "" : " ") +
                   std::string("The proposal no longer matches the log (") + detail.outcome +
                   "): stale, retryable, nothing audited.";
  } else if (!report->outcome.ok() && report->outcome.code == Code::kCoverageMiss) {
    explanation += (explanation.empty() ? "" : " ") +
                   std::string("The coverage gate refused an undeclared read or delete: an ") +
                   "audited CoverageMiss, and none of the order's writes reached the cache.";
  } else {
    explanation += (explanation.empty() ? "" : " ") + std::string("Applied: ") + detail.outcome +
                   (detail.seeds_written > 0
                        ? "; " + std::to_string(detail.seeds_written) +
                              " seed(s) filled what the cache lacked, never over a tombstone"
                        : "") +
                   ".";
  }
  std::vector<NodeStep> nodes = node_states();
  explanation += shadow_sentence(nodes[0]) + parity_sentence(nodes) + agreement_sentence(nodes);
  StepState& step =
      record("apply", "apply @" + std::to_string(index) + " " + label, std::move(explanation));
  step.proposal = handle;
  step.apply = std::move(detail);
  return std::move(*first);
}

void ScenarioStage::noop(std::size_t count) {
  open_if_needed();
  NoopDetail detail;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t index = leader().applied_index() + 1;
    for (const auto& node : nodes_) {
      TALLY_INVARIANT(node->fsm != nullptr, "no-op on a node that is down");
      auto advanced = node->fsm->apply_noop(index);
      TALLY_INVARIANT(advanced.ok(), "scenario no-op failed");
      if (node == nodes_[0] && advanced->kind != cache::AdvanceKind::kNone)
        detail.rotations.emplace_back(index, advanced->to_generation);
    }
  }
  detail.applied_index = leader().applied_index();
  std::string explanation =
      std::to_string(count) + " configuration entr" + (count == 1 ? "y" : "ies") +
      " never reach the FSM but still advance the applied index, and the cache follows its "
      "generation" +
      (detail.rotations.empty() ? " (no boundary crossed)." : ": it rotated.");
  record("noop",
         std::to_string(count) + " configuration entr" + (count == 1 ? "y" : "ies") +
             ", applied index " + std::to_string(detail.applied_index),
         explanation + parity_sentence(node_states()))
      .noop = std::move(detail);
}

void ScenarioStage::crash(std::size_t node) {
  TALLY_INVARIANT(up(node), "crash of a node that is down");
  open_if_needed();
  nodes_[node]->fsm.reset();
  const bool alone = nodes_.size() == 1;
  record("crash", alone ? "crash: memory lost, the store stays"
                        : nodes_[node]->name + " crashes: memory lost, the store stays",
         std::string(alone ? "The node" : nodes_[node]->name) +
             " lost its memory. Everything it applied is on disk in the same batches as "
             "the cache mirror, so a restart can rebuild the cache from the mirror alone.");
}

void ScenarioStage::restart(std::size_t node) {
  open_if_needed();
  Replica& replica = *nodes_[node];
  replica.fsm.reset();
  replica.fsm = fsm::StateMachine::open(replica.store, options_).value();
  std::vector<NodeStep> nodes = node_states();
  const bool alone = nodes_.size() == 1;
  record("restart",
         alone ? "crash and restart: the cache is rebuilt from its disk mirror"
               : replica.name + " crashes and restarts: its cache is rebuilt from its disk mirror",
         "After a restart " + std::string(alone ? "the node" : replica.name) +
             " believes exactly what its disk mirror says." + shadow_sentence(nodes[node]) +
             parity_sentence(nodes) + agreement_sentence(nodes));
}

void ScenarioStage::read(const std::string& label, const keys::AttributeKey& key) {
  TALLY_INVARIANT(up(), "read on a node that is down");
  open_if_needed();
  keys::Id128 id = keys::attribute_id(key.canonical);
  const cache::AttributeCache& generations = leader().cache().kind(key.kind);
  const cache::CacheEntry* entry = leader().cache().get(key.kind, id);
  std::string where = generations.find_gen0(id) != nullptr ? "gen0" : "gen1";
  std::string answer =
      entry == nullptr ? "absent from both generations: NotFound (admission would read disk)"
      : entry->deleted ? where + " holds a tombstone: NotFound"
                       : where + " holds it live: " + describe_value(key.kind, entry->value);
  std::string why = "Get reads gen0, else gen1, and never promotes.";
  if (entry != nullptr && entry->deleted && generations.find_gen1(id) != nullptr &&
      !generations.find_gen1(id)->deleted) {
    why += " The gen0 tombstone shadows the live gen1 row, so the delete holds.";
  }
  record("read", "read " + label + ": " + answer, why);
}

bool ScenarioStage::parity_ok() const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (!up(i) || !node_state(i).parity_ok) return false;
  }
  return true;
}

bool ScenarioStage::nodes_agree() const {
  std::vector<NodeStep> nodes = node_states();
  return mark_node_differences(nodes).empty();
}

std::size_t ScenarioStage::in_flight() const {
  std::size_t count = 0;
  for (const Admitted& a : proposals_)
    count += a.view.status == "in flight";
  return count;
}

std::string ScenarioStage::text() const {
  std::string out = render_narration(steps_);
  if (!pending_narration_.empty()) out += "\n" + pending_narration_ + "\n";
  return out;
}

}  // namespace tally::sim
