// The simulated cluster: nodes with their own store and state machine, one shared log, a
// leader, and the faults the simulator injects (docs/design.md §9 modelled without a network).
//
// The log stands for Raft's committed log: an entry is either a proposal or a configuration
// entry the FSM never sees (it still advances the applied index). Admitted proposals wait in
// `pending` (the leader's append path) before they reach the log; a leader change appends the
// new term's entry first, so pending proposals land one index later than predicted: stale.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "core/store/memory_store.hpp"

namespace tally::sim {

struct LogEntry {
  std::optional<plan::Proposal> proposal;  // none: a configuration entry
};

struct SimNode {
  store::MemoryStore store;
  std::unique_ptr<fsm::StateMachine> fsm;  // null while crashed
};

// What one apply did on one node.
struct ApplyEvent {
  std::uint64_t index = 0;
  bool configuration = false;
  std::optional<fsm::ApplyReport> report;  // proposals that committed
  bool lost_batch = false;                 // an injected write failure: the node crashed
};

class Cluster {
 public:
  Cluster(std::size_t node_count, fsm::FsmOptions options);

  std::size_t size() const { return nodes_.size(); }
  SimNode& node(std::size_t i) { return *nodes_[i]; }
  const SimNode& node(std::size_t i) const { return *nodes_[i]; }
  bool up(std::size_t i) const { return nodes_[i]->fsm != nullptr; }
  std::uint64_t applied(std::size_t i) const;
  std::size_t leader() const { return leader_; }
  const std::vector<LogEntry>& log() const { return log_; }
  const std::deque<plan::Proposal>& pending() const { return pending_; }

  // Admission on the leader for the index after the log and every pending proposal.
  Result<plan::Proposal> admit(const plan::Request& request, std::uint64_t timestamp_us,
                               plan::Verdicts* verdicts = nullptr);
  void enqueue(plan::Proposal proposal) { pending_.push_back(std::move(proposal)); }
  void deliver_one();                        // the oldest pending proposal reaches the log
  void drop_pending() { pending_.clear(); }  // a crashed leader's unappended proposals
  void append_configuration() { log_.push_back(LogEntry{}); }

  // Applies node i's next log entry. Errors are hard errors other than an injected write
  // failure (those crash the node and come back as lost_batch).
  Result<ApplyEvent> apply_next(std::size_t i);

  Status restart(std::size_t i);  // reopen from its store (after a crash)
  // Memory is lost, and with it the node's open commit group: the store holds the
  // last group boundary, the log replays the rest.
  void crash(std::size_t i) { nodes_[i]->fsm.reset(); }
  // What node i's store will hold once its open group commits: the view checks read.
  const store::KeyValueStore& view(std::size_t i) const;
  Status commit_group(std::size_t i) { return nodes_[i]->fsm->commit_group(); }
  // A new leader: the new term's configuration entry is appended before the pending
  // proposals it forwards.
  void change_leader(std::size_t new_leader);
  // Node target installs node source's store image (a Raft snapshot, taken at a group
  // boundary: the source commits its open group first) and reopens.
  Status install_snapshot(std::size_t source, std::size_t target);
  // Node node applies the first proposal at or after index as a no-op (a deliberately broken
  // run, for the visualiser's divergence finder).
  void plant_divergence(std::size_t node, std::uint64_t index) {
    planted_node_ = node;
    planted_index_ = index;
  }

 private:
  fsm::FsmOptions options_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  std::vector<LogEntry> log_;
  std::deque<plan::Proposal> pending_;
  std::size_t leader_ = 0;
  std::size_t planted_node_ = 0;
  std::uint64_t planted_index_ = 0;  // 0: nothing planted, or planted already
};

}  // namespace tally::sim
