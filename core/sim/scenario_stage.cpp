#include "core/sim/scenario_stage.hpp"

#include "core/cache/cache_mirror.hpp"
#include "core/cache/parity.hpp"
#include "core/check/checker.hpp"

namespace tally::sim {

namespace {

std::string entry_text(const cache::CacheEntry* entry) {
  if (entry == nullptr) return "-";
  if (entry->deleted) return "tombstone";
  return "live(" + std::to_string(entry->value.size()) + "B)";
}

std::string row_text(const store::MemoryStore& store, const Bytes& key) {
  const Bytes* value = store.find(key);
  if (value == nullptr) return "-";
  if (value->size() >= cache::kCacheRowHeaderBytes && (*value)[8] == cache::kFlagTombstone) {
    return "tombstone";
  }
  return "live(" + std::to_string(value->size() - cache::kCacheRowHeaderBytes) + "B)";
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
}

void ScenarioStage::say(const std::string& text) {
  text_ += "\n" + text + "\n";
}

std::string ScenarioStage::describe_entry(const plan::PlanEntry& entry) const {
  for (const auto& [label, key] : watched_) {
    auto id = keys::attribute_id(key.canonical).to_bytes();
    if (entry.kind == keys::kind_byte(key.kind) && entry.id == Bytes(id.begin(), id.end())) {
      return label;
    }
  }
  auto kind = keys::kind_from_byte(entry.kind);
  return std::string(kind ? keys::kind_name(*kind) : "?") + " " + to_hex(entry.id).substr(0, 8);
}

plan::Proposal ScenarioStage::admit(const domain::Order& order, std::uint64_t predicted) {
  clock_us_ += 1000;
  const cache::Cache& cache = fsm_->cache();
  auto proposal = plan::admit({{order}, std::nullopt}, {cache, store_, predicted, clock_us_});
  TALLY_INVARIANT(proposal.ok(),
                  "scenario admission refused: " + (proposal.ok() ? "" : proposal.error().message));
  std::uint64_t target = cache::generation_of(predicted, cache.threshold());
  text_ += "  admit " + std::string(domain::order_name(order)) + " for index " +
           std::to_string(predicted) + " (Gen " + std::to_string(target) + ", cache at Gen " +
           std::to_string(cache.generation()) + ", d = " +
           std::to_string(static_cast<std::int64_t>(target) -
                          static_cast<std::int64_t>(cache.generation())) +
           ")\n";
  for (const plan::PlanEntry& entry : proposal->plan.entries) {
    text_ += "    plan: " + describe_entry(entry) + " -> " +
             std::string(plan::source_name(entry.source)) +
             (entry.seed ? " (seed " + std::to_string(entry.seed->size()) + "B)" : "") + "\n";
  }
  return std::move(proposal).value();
}

Error ScenarioStage::admit_refused(const domain::Order& order, std::uint64_t predicted) {
  auto proposal =
      plan::admit({{order}, std::nullopt}, {fsm_->cache(), store_, predicted, clock_us_});
  TALLY_INVARIANT(!proposal.ok(), "scenario admission expected a refusal");
  text_ += "  admit " + std::string(domain::order_name(order)) + " for index " +
           std::to_string(predicted) + ": refused, " +
           std::string(code_name(proposal.error().code)) + " (" + proposal.error().message + ")\n";
  return std::move(proposal).error();
}

fsm::ApplyReport ScenarioStage::apply(const plan::Proposal& proposal, const std::string& label) {
  std::uint64_t index = fsm_->applied_index() + 1;
  auto report = fsm_->apply(index, proposal);
  TALLY_INVARIANT(report.ok(),
                  "scenario apply failed: " + (report.ok() ? "" : report.error().message));
  text_ += "  apply @" + std::to_string(index) + " " + label + ": ";
  if (report->advance.kind == cache::AdvanceKind::kRotated) text_ += "[rotation] ";
  if (report->advance.kind == cache::AdvanceKind::kDroppedBoth)
    text_ += "[both generations dropped] ";
  if (report->status == fsm::ApplyReport::Status::kApplied) {
    text_ += domain::describe_outcome(report->outcome);
    if (!report->outcome.ok()) text_ += " (" + report->outcome.message + ")";
  } else {
    text_ +=
        std::string(code_name(report->rejection->code)) + " (" + report->rejection->message + ")";
  }
  text_ += report->seeds_written > 0
               ? ", " + std::to_string(report->seeds_written) + " seed(s) preloaded\n"
               : "\n";
  show_cache();
  show_parity();
  return std::move(report).value();
}

void ScenarioStage::noop(std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    auto advanced = fsm_->apply_noop(fsm_->applied_index() + 1);
    TALLY_INVARIANT(advanced.ok(), "scenario no-op failed");
    if (advanced->kind != cache::AdvanceKind::kNone) {
      text_ += "  index " + std::to_string(fsm_->applied_index()) +
               " (configuration entry): rotation to Gen " +
               std::to_string(advanced->to_generation) + "\n";
    }
  }
  text_ += "  ... applied index " + std::to_string(fsm_->applied_index()) + "\n";
}

void ScenarioStage::restart() {
  fsm_.reset();
  fsm_ = fsm::StateMachine::open(store_, options_).value();
  text_ += "  crash and restart: the cache is rebuilt from its disk mirror\n";
  show_cache();
  show_parity();
}

void ScenarioStage::show_cache() {
  const cache::Cache& cache = fsm_->cache();
  std::uint8_t gen0_byte = cache::gen_byte_of(cache.generation());
  std::uint8_t gen1_byte = cache::gen_byte_of(cache.generation() + 1);
  for (const auto& [label, key] : watched_) {
    keys::Id128 id = keys::attribute_id(key.canonical);
    const cache::AttributeCache& kind = cache.kind(key.kind);
    text_ += "    " + label + ": memory gen0 " + entry_text(kind.find_gen0(id)) + ", gen1 " +
             entry_text(kind.find_gen1(id)) + " | disk gen0 " +
             row_text(store_, cache::cache_row_key(gen0_byte, key.kind, id)) + ", gen1 " +
             row_text(store_, cache::cache_row_key(gen1_byte, key.kind, id)) + "\n";
  }
}

bool ScenarioStage::parity_ok() const {
  auto report = cache::check_parity(fsm_->cache(), store_);
  return report.ok() && report->ok;
}

void ScenarioStage::show_parity() {
  auto report = cache::check_parity(fsm_->cache(), store_);
  if (report.ok() && report->ok) {
    text_ += "    parity OK (" + std::to_string(report->rows_compared) + " mirror rows)\n";
  } else {
    text_ +=
        "    parity BROKEN: " + (report.ok() ? report->first_difference : report.error().message) +
        "\n";
  }
}

}  // namespace tally::sim
