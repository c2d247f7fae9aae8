// What one node of a live cluster records applying each log index, for `tally trace export`
// (TRACE_FORMAT.md "A cluster's trace"): a bounded ring of tally-trace/4 steps, one per
// index, each with the node's counters, the four slots (memory gen0 / gen1, disk at both gen
// bytes) of every key the entry's plan names, the plan itself and the node's verdict. The
// digest covers those rows, so two nodes that applied one index to different rows disagree
// on it (inv#1, inv#2). Recording costs a few reads per plan key; the whole cache is never
// walked on the apply path.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "core/fsm/state_machine.hpp"
#include "core/plan/proposal.hpp"
#include "core/sim/key_names.hpp"
#include "core/sim/trace_file.hpp"

namespace tally::sim {

class ApplyTrace {
 public:
  static constexpr std::size_t kPageMax = 1000;  // steps per window() answer

  // records_max 0: record nothing.
  ApplyTrace(std::string node_name, std::size_t records_max);

  // The state machine opened on a store at applied_index (0: a new store). A store that is not
  // where the last record left it (a restart on an older store, an installed snapshot) starts
  // the ring again: earlier records describe a state this node no longer builds on.
  void opened(std::uint64_t applied_index);

  // After machine applied index: proposal is null for a no-op or undecodable entry, report
  // null when nothing was reported (a no-op).
  void record(std::uint64_t index, const plan::Proposal* proposal, const fsm::ApplyReport* report,
              const fsm::StateMachine& machine);

  // The records of indexes in [from, to], at most kPageMax of them, as a one-node
  // tally-trace/4 file (source "cluster", digestOf "rows"). `complete` says the ring still
  // holds every index from 1; `truncated` that more records of the window follow (ask again
  // from the last index + 1).
  TraceFile window(std::uint64_t from, std::uint64_t to) const;

  std::size_t size() const { return ring_.size(); }

 private:
  std::string node_name_;
  std::size_t records_max_;
  std::deque<TraceStepRecord> ring_;  // by index, ascending
  std::uint64_t last_generation_ = 0;
  bool dropped_any_ = false;  // the ring misses part of the history from a new store
  bool fresh_ = false;        // the records start from a new store
  KeyNames names_;            // the keys' names, from the orders seen
  std::map<std::string, std::string> labels_;
};

// SHA-256, in hex, over the rows' slots: what two nodes at one index must agree on.
std::string rows_digest(const std::vector<RowChange>& rows);

}  // namespace tally::sim
