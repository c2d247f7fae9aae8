// A stage for the stepping model (step_state.hpp): one node on a MemoryStore, admission at
// chosen indexes, and a recorder that takes the node's whole state after every step. The
// narrated scenarios (scenarios.hpp) and free play (playground.hpp) both drive a stage;
// `tally-sim scenario N` prints the rendering of its steps (step_text.hpp).
//
// Each public action records exactly one step, except say(), which attaches its words to the
// next step. Proposals are named by the handle admit() returns. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/fsm/state_machine.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/plan/admission.hpp"
#include "core/sim/key_names.hpp"
#include "core/sim/step_state.hpp"
#include "core/store/memory_store.hpp"

namespace tally::sim {

class ScenarioStage {
 public:
  ScenarioStage(std::uint64_t threshold, cache::DeleteMode mode);

  // A key whose cache entries and mirror rows every step shows first, under this label.
  void watch(const std::string& label, const keys::AttributeKey& key);

  // Words for the next step (several join as paragraphs).
  void say(const std::string& text);
  // A step of its own that changes nothing: the stage's words only.
  void note(const std::string& text);
  // Admits one order for a predicted index; returns the proposal's handle.
  // REQUIRES: admission accepts it (use try_admit otherwise).
  int admit(const domain::Order& order, std::uint64_t predicted);
  // As admit, but a refusal is recorded as a step and returned.
  Result<int> try_admit(const domain::Order& order, std::uint64_t predicted);
  // As admit, for a prediction that must be refused; returns the error.
  Error admit_refused(const domain::Order& order, std::uint64_t predicted);
  // Applies the proposal at the next index. REQUIRES: the node is up.
  fsm::ApplyReport apply(int proposal, const std::string& label);
  // count entries the FSM never sees (configuration entries): the index still advances.
  void noop(std::size_t count);
  void crash();    // memory lost; the store stays. REQUIRES: up.
  void restart();  // reopens from the store (after a crash or not)
  // Get on the cache (gen0, else gen1, never promotes), recorded as a step.
  void read(const std::string& label, const keys::AttributeKey& key);

  plan::Proposal& proposal(int handle) { return proposals_[handle].proposal; }
  bool up() const { return fsm_ != nullptr; }
  bool parity_ok() const;
  fsm::StateMachine& machine() { return *fsm_; }
  store::MemoryStore& store() { return store_; }
  KeyNames& names() { return names_; }
  std::size_t in_flight() const;

  const std::vector<StepState>& steps() const { return steps_; }
  std::string text() const;  // the narration rendering of every step so far

 private:
  struct Admitted {
    plan::Proposal proposal;
    ProposalStep view;
  };

  void open_if_needed();
  StepState& record(std::string kind, std::string event, std::string explanation);
  NodeStep node_state() const;
  std::vector<InvariantStep> invariants() const;
  ProposalStep admitted_view(int id, const plan::Proposal& p) const;
  ProposalStep refused_view(const domain::Order& order, std::uint64_t predicted,
                            const Error& error) const;
  std::string plan_label(std::uint8_t kind, const Bytes& id, bool* watched) const;

  fsm::FsmOptions options_;
  store::MemoryStore store_;
  std::unique_ptr<fsm::StateMachine> fsm_;
  std::vector<std::pair<std::string, keys::AttributeKey>> watched_;
  KeyNames names_;
  std::vector<Admitted> proposals_;
  std::vector<ProposalStep> refused_;  // ids -1, -2, ...: refusals have no handle
  std::vector<int> admission_order_;   // every proposal id, admitted or refused, in time order
  std::vector<StepState> steps_;
  std::string pending_narration_;
  std::string chapter_;
  std::uint64_t clock_us_ = 1'700'000'000'000'000;
};

}  // namespace tally::sim
