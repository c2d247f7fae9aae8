#include "core/sim/scenario_stage.hpp"

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

std::string parity_sentence(const NodeStep& node) {
  if (!node.up) return "";
  if (node.parity_ok) return " Parity holds: memory equals the disk mirror row for row.";
  return " Parity is BROKEN: " + node.parity_detail;
}

}  // namespace

ScenarioStage::ScenarioStage(std::uint64_t threshold, cache::DeleteMode mode) {
  options_.cluster_id = "scenario";
  options_.audit_key = audit::public_demo_audit_key();
  options_.rotation_threshold = threshold;
  options_.delete_mode = mode;
  fsm_ = fsm::StateMachine::open(store_, options_).value();
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
         "The node opened an empty store: both generations are empty in memory and on disk, "
         "threshold K = " +
             std::to_string(fsm_->cache().threshold()) + ".");
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
  step.nodes.push_back(node_state());
  step.explanation = std::move(explanation);
  step.threshold = up() ? fsm_->cache().threshold() : options_.rotation_threshold;
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
  step.invariants = invariants();
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
  auto proposal =
      plan::admit({{order}, std::nullopt}, {fsm_->cache(), store_, predicted, clock_us_});
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
  TALLY_INVARIANT(up(), "apply on a node that is down");
  open_if_needed();
  Admitted& admitted = proposals_[handle];
  std::uint64_t index = fsm_->applied_index() + 1;
  auto report = fsm_->apply(index, admitted.proposal);
  TALLY_INVARIANT(report.ok(),
                  "scenario apply failed: " + (report.ok() ? "" : report.error().message));
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
  NodeStep node = node_state();
  explanation += shadow_sentence(node) + parity_sentence(node);
  StepState& step =
      record("apply", "apply @" + std::to_string(index) + " " + label, std::move(explanation));
  step.proposal = handle;
  step.apply = std::move(detail);
  return std::move(report).value();
}

void ScenarioStage::noop(std::size_t count) {
  TALLY_INVARIANT(up(), "no-op on a node that is down");
  open_if_needed();
  NoopDetail detail;
  for (std::size_t i = 0; i < count; ++i) {
    auto advanced = fsm_->apply_noop(fsm_->applied_index() + 1);
    TALLY_INVARIANT(advanced.ok(), "scenario no-op failed");
    if (advanced->kind != cache::AdvanceKind::kNone)
      detail.rotations.emplace_back(fsm_->applied_index(), advanced->to_generation);
  }
  detail.applied_index = fsm_->applied_index();
  std::string explanation =
      std::to_string(count) + " configuration entr" + (count == 1 ? "y" : "ies") +
      " never reach the FSM but still advance the applied index, and the cache follows its "
      "generation" +
      (detail.rotations.empty() ? " (no boundary crossed)." : ": it rotated.");
  record("noop",
         std::to_string(count) + " configuration entr" + (count == 1 ? "y" : "ies") +
             ", applied index " + std::to_string(detail.applied_index),
         explanation + parity_sentence(node_state()))
      .noop = std::move(detail);
}

void ScenarioStage::crash() {
  TALLY_INVARIANT(up(), "crash of a node that is down");
  open_if_needed();
  fsm_.reset();
  record("crash", "crash: memory lost, the store stays",
         "The node lost its memory. Everything it applied is on disk in the same batches as "
         "the cache mirror, so a restart can rebuild the cache from the mirror alone.");
}

void ScenarioStage::restart() {
  open_if_needed();
  fsm_.reset();
  fsm_ = fsm::StateMachine::open(store_, options_).value();
  NodeStep node = node_state();
  record("restart", "crash and restart: the cache is rebuilt from its disk mirror",
         "After a restart the node believes exactly what its disk mirror says." +
             shadow_sentence(node) + parity_sentence(node));
}

void ScenarioStage::read(const std::string& label, const keys::AttributeKey& key) {
  TALLY_INVARIANT(up(), "read on a node that is down");
  open_if_needed();
  keys::Id128 id = keys::attribute_id(key.canonical);
  const cache::AttributeCache& generations = fsm_->cache().kind(key.kind);
  const cache::CacheEntry* entry = fsm_->cache().get(key.kind, id);
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
  return up() && node_state().parity_ok;
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
