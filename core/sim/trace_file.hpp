// A tally-trace file in memory (the format: core/sim/TRACE_FORMAT.md). `tally-sim export`
// and `tally trace export` write one; the visualiser reads one back (trace_reader.hpp) and
// steps through it (trace_timeline.hpp).
//
// Versions 2 and 3 carry state: per step, what changed on each node (counters, cache rows
// with memory gen0 / gen1 and the disk rows at both gen bytes), the plan of each proposal
// admitted, the verdicts at apply, parity and checker results, and each node's digest.
// Version 3 (written) stores each key and each distinct slot once, in hex, and leaves the
// values' words to the reader (a slot read from it has an empty `decoded`; the timeline puts
// values into words for the steps it shows). Version 2 stores every slot in full with its
// words. Version 1 files carry per-node counters only; they read into the same structures
// with rows_recorded = false.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/sim/step_state.hpp"

namespace tally::sim {

inline constexpr const char* kTraceFormat1 = "tally-trace/1";
inline constexpr const char* kTraceFormat2 = "tally-trace/2";
inline constexpr const char* kTraceFormat3 = "tally-trace/3";

// What one step changed in one key's four slots. A slot left empty did not change.
struct RowChange {
  std::string kind;    // keys::kind_name: "AccountMetadata"
  std::string id_hex;  // 32 hex digits
  std::optional<CacheSlot> memory_gen0, memory_gen1, disk_gen0, disk_gen1;

  friend bool operator==(const RowChange&, const RowChange&) = default;
};

// One node after one step. Counters are the node's whole state; rows are changes.
struct NodeRecord {
  bool up = true;
  std::uint64_t applied_index = 0;
  std::uint64_t generation = 0;
  std::uint64_t epoch = 0;
  std::uint64_t threshold = 0;
  std::uint64_t gen0_entries = 0;
  std::uint64_t gen1_entries = 0;
  std::optional<bool> parity;  // the producer's parity check; empty: not checked
  std::string parity_detail;   // the first difference when parity is false
  std::string digest;          // TraceFile::digest_of; empty: none
  // Before the row changes apply: "rotation" (gen0 becomes gen1, on disk the gen bytes swap
  // roles and the new gen0 byte is empty) or "dropped" (every row of both generations gone).
  std::string advance;
  bool rows_recorded = true;  // false in version 1: counters only
  std::vector<RowChange> rows;

  friend bool operator==(const NodeRecord&, const NodeRecord&) = default;
};

// A node's verdict at apply on an admitted proposal (its ProposalStep::id).
struct VerdictRecord {
  int node = -1;
  int proposal = kNoProposal;
  std::string status;   // "applied", "failed", "stale", "rejected", "lost"
  std::string outcome;  // the outcome or the reason, in words

  friend bool operator==(const VerdictRecord&, const VerdictRecord&) = default;
};

struct CheckRecord {
  int node = -1;
  bool ok = true;
  std::string detail;

  friend bool operator==(const CheckRecord&, const CheckRecord&) = default;
};

struct TraceStepRecord {
  std::uint64_t step = 0;
  std::string action;  // "admit", "deliver", "apply", "crash", ..., "VIOLATION"
  int node = -1;       // the node acting, -1 for the cluster
  std::uint64_t index = 0;
  std::string detail;
  // One per node of the trace; empty: the node did not change at this step.
  std::vector<std::optional<NodeRecord>> nodes;
  std::optional<ProposalStep> admitted;  // entries' labels come from TraceFile::labels
  std::vector<VerdictRecord> verdicts;
  std::vector<CheckRecord> checks;

  friend bool operator==(const TraceStepRecord&, const TraceStepRecord&) = default;
};

struct TraceFile {
  int version = 3;
  std::string source;  // "tally-sim" or "cluster"
  std::string title;
  std::uint64_t seed = 0;  // tally-sim
  // What NodeRecord::digest covers: "cache" (the cache at the node's applied index) or
  // "writes" (the bytes the node wrote applying that index). Either way two nodes at one
  // index must agree.
  std::string digest_of;
  std::vector<std::string> node_names;
  std::map<std::string, std::string> labels;     // "Kind idhex" -> "alice's metadata"
  std::uint64_t window_from = 0, window_to = 0;  // cluster: the log index range asked for
  bool truncated = false;                        // the producer stopped at its size limit
  // The trace starts from empty stores: a slot no step has set yet is absent. Otherwise (a
  // window of a longer history) it is unknown until a step sets it.
  bool complete = true;
  std::vector<TraceStepRecord> steps;
  bool ok = true;
  std::string violation;

  friend bool operator==(const TraceFile&, const TraceFile&) = default;
};

inline std::string label_key(const std::string& kind, const std::string& id_hex) {
  return kind + " " + id_hex;
}

// The file as tally-trace/3 JSON text (version 1 is trace.hpp's summary form). A live slot's
// `decoded` and a plan entry's `seed_decoded` are not written: readers derive them.
std::string trace_file_json(const TraceFile& file);

}  // namespace tally::sim
