// A stage for narrated scenarios: one node on a MemoryStore, admission at chosen indexes,
// and a narrator that writes what happened in plain words.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/fsm/state_machine.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/plan/admission.hpp"
#include "core/store/memory_store.hpp"

namespace tally::sim {

class ScenarioStage {
 public:
  ScenarioStage(std::uint64_t threshold, cache::DeleteMode mode);

  // The keys whose cache entries and mirror rows every "show" prints.
  void watch(const std::string& label, const keys::AttributeKey& key);

  void say(const std::string& text);
  // Admits one order for a predicted index and narrates the plan.
  plan::Proposal admit(const domain::Order& order, std::uint64_t predicted);
  // As admit, for a prediction that must be refused; returns the error.
  Error admit_refused(const domain::Order& order, std::uint64_t predicted);
  // Applies at the next index and narrates the outcome, the cache and parity.
  fsm::ApplyReport apply(const plan::Proposal& proposal, const std::string& label);
  void noop(std::size_t count);
  void restart();

  bool parity_ok() const;
  fsm::StateMachine& machine() { return *fsm_; }
  store::MemoryStore& store() { return store_; }
  const std::string& text() const { return text_; }

 private:
  void show_cache();
  void show_parity();
  std::string describe_entry(const plan::PlanEntry& entry) const;

  fsm::FsmOptions options_;
  store::MemoryStore store_;
  std::unique_ptr<fsm::StateMachine> fsm_;
  std::vector<std::pair<std::string, keys::AttributeKey>> watched_;
  std::string text_;
  std::uint64_t clock_us_ = 1'700'000'000'000'000;
};

}  // namespace tally::sim
