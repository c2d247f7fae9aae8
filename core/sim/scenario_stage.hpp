// A stage for the stepping model (step_state.hpp): one node, or a few replicas of one log,
// each on its own MemoryStore; admission on node 0 (the leader) at chosen indexes, and a
// recorder that takes every node's whole state after every step. The narrated scenarios
// (scenarios.hpp) and free play (playground.hpp) both drive a stage; `tally-sim scenario N`
// prints the rendering of its steps (step_text.hpp).
//
// Every node applies every entry at the same index (they stay in step); a crash and a
// restart concern one node. Each public action records exactly one step, except say(),
// which attaches its words to the next step. Proposals are named by the handle admit()
// returns. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/fsm/state_machine.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/plan/admission.hpp"
#include "core/sim/key_names.hpp"
#include "core/sim/node_snapshot.hpp"
#include "core/sim/step_state.hpp"
#include "core/store/memory_store.hpp"

namespace tally::sim {

class ScenarioStage {
 public:
  // node_count replicas (>= 1). One node is named "node"; several "node 0 (leader)",
  // "node 1", ...
  ScenarioStage(std::uint64_t threshold, cache::DeleteMode mode, std::size_t node_count = 1);

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
  // Applies the proposal at the next index on every node; returns node 0's report.
  // REQUIRES: every node is up.
  fsm::ApplyReport apply(int proposal, const std::string& label);
  // count entries the FSM never sees (configuration entries): the index still advances.
  // REQUIRES: every node is up.
  void noop(std::size_t count);
  void crash(std::size_t node = 0);    // memory lost; the store stays. REQUIRES: up.
  void restart(std::size_t node = 0);  // reopens from the store (after a crash or not)
  // Get on node 0's cache (gen0, else gen1, never promotes), recorded as a step.
  void read(const std::string& label, const keys::AttributeKey& key);

  plan::Proposal& proposal(int handle) { return proposals_[handle].proposal; }
  bool up(std::size_t node = 0) const { return nodes_[node]->fsm != nullptr; }
  bool parity_ok() const;  // on every node that is up (and none is down)
  bool nodes_agree() const;  // every node's cache equal to every other's
  fsm::StateMachine& machine() { return *nodes_[0]->fsm; }
  store::MemoryStore& store() { return nodes_[0]->store; }
  KeyNames& names() { return names_; }
  std::size_t in_flight() const;

  const std::vector<StepState>& steps() const { return steps_; }
  std::string text() const;  // the narration rendering of every step so far

 private:
  struct Admitted {
    plan::Proposal proposal;
    ProposalStep view;
  };
  struct Replica {
    std::string name;
    store::MemoryStore store;
    std::unique_ptr<fsm::StateMachine> fsm;  // null while down
  };

  void open_if_needed();
  StepState& record(std::string kind, std::string event, std::string explanation);
  NodeStep node_state(std::size_t node) const;
  std::vector<NodeStep> node_states() const;  // every node, differences between them marked
  std::vector<InvariantStep> invariants(std::vector<NodeStep> nodes) const;
  fsm::StateMachine& leader() { return *nodes_[0]->fsm; }
  const fsm::StateMachine& leader() const { return *nodes_[0]->fsm; }
  ProposalStep admitted_view(int id, const plan::Proposal& p) const;
  ProposalStep refused_view(const domain::Order& order, std::uint64_t predicted,
                            const Error& error) const;
  std::string plan_label(std::uint8_t kind, const Bytes& id, bool* watched) const;

  fsm::FsmOptions options_;
  std::vector<std::unique_ptr<Replica>> nodes_;
  WatchedKeys watched_;
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
