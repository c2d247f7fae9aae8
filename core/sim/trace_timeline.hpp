// A loaded trace as a stepping model (step_state.hpp): any step's full state, every node's
// rows included, rebuilt from the trace's changes with bounded replay.
//
// A trace records changes (TRACE_FORMAT.md), so the state at step n is every change up to
// n. Building the timeline replays the whole trace once (a file read a slice at a time: each
// slice as it is added), keeps the rows of every node at a checkpoint every kCheckpointEvery
// steps, and meanwhile finds the first divergence (divergence.hpp): two nodes' digests or verdicts
// at one index that differ, a node's parity, a failed check, a simulator violation. state_at(n)
// then starts from the checkpoint at or before n and replays fewer than kCheckpointEvery steps, so
// any seek costs the same on a long trace. Memory stays bounded on a trace of very many keys:
// checkpoints are then spaced by the rows they hold / kRowsPerStepMax steps instead (a slower seek,
// never an unbounded copy). A frame points into the trace's own records (its slots), and names each
// key by a number (the keys numbered in order of kind and id once, at build), so a checkpoint
// copies pointers and numbers, never a value, and applying a row compares numbers, never names; a
// step's slots are copied out only for the steps shown. Immutable once built, and never copied or
// moved (frames point into it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/sim/divergence.hpp"
#include "core/sim/trace_file.hpp"

namespace tally::sim {

class TraceTimeline {
 public:
  static constexpr std::size_t kCheckpointEvery = 64;
  static constexpr std::size_t kRowsPerStepMax = 8;   // checkpoint rows per step of the trace
  static constexpr std::size_t kProposalsShown = 12;  // the latest ones, on each step

  // REQUIRES: file.steps is not empty, and every step has one record slot per named node
  // (trace_reader.hpp checks both).
  explicit TraceTimeline(TraceFile file);
  // A timeline built as a file is read, a slice of steps at a time (TraceReader): head is
  // the file without its steps, total the steps to come, keys every key their rows may name
  // (a version 3 or 4 file's table: numbered from it, in order of kind and id, as the whole
  // file's rows would number them). Until every step is added, the timeline is the one of
  // the steps added: any of their states is the whole file's, and the first divergence, once
  // found, is the whole file's.
  TraceTimeline(TraceFile head, std::size_t total, const std::vector<RowKey>& keys);
  TraceTimeline(const TraceTimeline&) = delete;
  TraceTimeline& operator=(const TraceTimeline&) = delete;

  // The next steps read. REQUIRES: at most total() in all, each with one record slot per
  // named node, and every row naming one of the keys given.
  void append(std::vector<TraceStepRecord> steps);

  std::size_t size() const { return file_.steps.size(); }  // the steps added
  std::size_t total() const { return total_; }
  bool complete() const { return size() == total_; }
  const TraceFile& file() const { return file_; }
  const std::optional<Divergence>& divergence() const { return divergence_; }

  // The state after step n. REQUIRES: n < size().
  StepState state_at(std::size_t n) const;
  // How many steps state_at(n) replays past its checkpoint.
  std::size_t replayed_for(std::size_t n) const;

 private:
  // A key's four slots, each in file_ or one of the shared absent / unknown slots.
  struct Row {
    const CacheSlot *memory_gen0, *memory_gen1, *disk_gen0, *disk_gen1;
  };
  using Key = std::uint32_t;  // a position in keys_: numbers follow the keys' order
  struct NodeFrame {
    const NodeRecord* counters = nullptr;   // the latest record; null: none yet
    std::vector<std::pair<Key, Row>> rows;  // sorted by key
  };
  using Frame = std::vector<NodeFrame>;
  struct Proposal {  // its plan is file_.steps[admitted_step].admitted
    std::size_t admitted_step = 0;
    std::vector<std::pair<std::size_t, VerdictRecord>> verdicts;  // by step, in order
  };

  void index_keys();
  void number_rows(std::size_t from);
  void added(std::size_t from);
  // The key of row r of node i's record at step n.
  Key key_of(std::size_t n, std::size_t i, std::size_t r) const {
    return row_keys_[first_rows_[n * file_.node_names.size() + i] + r];
  }
  void apply_step(Frame& frame, std::size_t n) const;
  Frame frame_at(std::size_t n) const;
  NodeStep node_step(const NodeFrame& frame, std::size_t node) const;
  std::vector<NodeStep> node_steps(const Frame& frame) const;
  std::vector<ProposalStep> proposals_at(std::size_t n) const;
  std::vector<InvariantStep> invariants_at(std::size_t n, const std::vector<NodeStep>& nodes) const;
  void index_proposals(std::size_t from);
  void scan(std::size_t from);
  std::optional<Divergence> check_step(std::size_t n, const Frame& frame);
  bool parity_broken(const NodeFrame& frame, std::size_t n, std::size_t i) const;
  static const Row* find_row(const NodeFrame& frame, const Key& key);
  std::string label(const std::string& key) const;

  TraceFile file_;
  std::size_t total_ = 0;
  // Every key the rows name, in order of kind then id (kind and id in file_, or in table_),
  // and the key of every row change (steps, then nodes, then rows, in order) with where each
  // record's start. A file read in slices numbers its table's keys (by their shared names).
  std::vector<RowKey> table_;
  std::map<const void*, Key> numbers_;
  std::vector<std::pair<std::string_view, std::string_view>> keys_;
  std::vector<Key> row_keys_;
  std::vector<std::size_t> first_rows_;  // by step * nodes + node
  struct Checkpoint {
    std::size_t before_step;  // the frame before this step
    Frame frame;
  };
  const Checkpoint& checkpoint_for(std::size_t n) const;

  std::vector<Checkpoint> checkpoints_;     // by before_step, ascending; the first before step 0
  std::vector<Proposal> proposals_;         // in admission order
  std::map<int, std::size_t> proposal_at_;  // id -> position in proposals_
  std::optional<Divergence> divergence_;
  // The scan's memory: per log index, the first digest seen (node, step); per proposal, the
  // first verdict.
  std::map<std::uint64_t, std::pair<std::string, std::pair<int, std::size_t>>> digests_;
  std::map<int, VerdictRecord> first_verdicts_;
  Frame scan_frame_;           // after the last step added
  std::size_t scan_rows_ = 0;  // in scan_frame_, when last counted
};

}  // namespace tally::sim
