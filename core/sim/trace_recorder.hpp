// Writes a tally-trace/4 recording (trace_file.hpp) from full node snapshots: after each
// step, the nodes that may have changed are snapshotted (node_snapshot.hpp) and recorded as
// changes against the node's last record, so a long run stays small and a reader rebuilds
// any step exactly (trace_timeline.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/sim/trace_file.hpp"

namespace tally::sim {

class TraceRecorder {
 public:
  explicit TraceRecorder(std::vector<std::string> node_names);

  // A step; now[i] is node i's state after it, or empty when the step did not touch it.
  // REQUIRES: now.size() == the number of nodes.
  TraceStepRecord& add_step(TraceStepRecord head, const std::vector<std::optional<NodeStep>>& now);
  // The latest step (admissions, verdicts and checks attach to it). REQUIRES: one was added.
  TraceStepRecord& last();
  // Moves the plan's key names into the labels table, as the file holds them (an entry names
  // its key through the table, so a recording equals its own file read back).
  void remember_labels(ProposalStep& proposal);

  std::size_t steps() const { return file_.steps.size(); }
  // The recording; the recorder is spent afterwards.
  TraceFile finish(std::string title, bool ok, std::string violation);

  TraceFile& file() { return file_; }

 private:
  std::optional<NodeRecord> changes(std::size_t node, const NodeStep& now);
  void remember_label(const std::string& kind, const std::string& id_hex, const std::string& label);

  TraceFile file_;
  std::vector<std::optional<NodeStep>> last_;  // each node as last recorded
};

// A node's record against before (empty: nothing recorded yet, every row is new). Empty when
// nothing changed.
std::optional<NodeRecord> node_changes(const NodeStep* before, const NodeStep& now);

}  // namespace tally::sim
