// A tally-trace file in memory (the format: core/sim/TRACE_FORMAT.md). `tally-sim export`
// and `tally trace export` write one; the visualiser reads one back (trace_reader.hpp) and
// steps through it (trace_timeline.hpp).
//
// Versions 2 to 4 carry state: per step, what changed on each node (counters, cache rows
// with memory gen0 / gen1 and the disk rows at both gen bytes), the plan of each proposal
// admitted, the verdicts at apply, parity and checker results, and each node's digest.
// Versions 3 and 4 store each key and each distinct slot once, in hex, and leave the values'
// words to the reader (a slot read from one has an empty `decoded`, a plan entry an empty
// `seed_decoded`; the timeline puts them into words for the steps it shows). Rows read from
// one share its keys and slots (RowKey, SlotChange). Version 4, the one written, is version 3
// with each step, node record, row, plan entry, verdict and check an array of its items in a
// fixed order instead of an object of named fields. Version 2 stores every slot in full with
// its words. Version 1 files carry per-node counters only; they read into the same structures
// with rows_recorded = false.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/sim/step_state.hpp"

namespace tally::sim {

inline constexpr const char* kTraceFormat1 = "tally-trace/1";
inline constexpr const char* kTraceFormat2 = "tally-trace/2";
inline constexpr const char* kTraceFormat3 = "tally-trace/3";
inline constexpr const char* kTraceFormat4 = "tally-trace/4";
inline constexpr int kTraceVersionWritten = 4;

// The slot a row change sets, or none (the slot did not change). Immutable and shared: a
// version 3 trace names each distinct slot once and many rows of many nodes set the same one,
// so a reader hands out the one copy. Compares by value.
class SlotChange {
 public:
  SlotChange() = default;
  SlotChange(CacheSlot slot) : slot_(std::make_shared<const CacheSlot>(std::move(slot))) {}
  explicit SlotChange(std::shared_ptr<const CacheSlot> slot) : slot_(std::move(slot)) {}

  explicit operator bool() const { return slot_ != nullptr; }
  bool has_value() const { return slot_ != nullptr; }
  const CacheSlot& operator*() const { return *slot_; }
  const CacheSlot* operator->() const { return slot_.get(); }

  friend bool operator==(const SlotChange& a, const SlotChange& b) {
    if (!a || !b) return !a && !b;
    return a.slot_ == b.slot_ || *a == *b;
  }

 private:
  std::shared_ptr<const CacheSlot> slot_;
};

// The key a row names: its kind (keys::kind_name: "AccountMetadata") and id (32 hex digits).
// Immutable and shared, as slots are: a version 3 trace names each key once. Compares by value.
class RowKey {
 public:
  RowKey() : key_(empty()) {}
  RowKey(std::string kind, std::string id_hex)
      : key_(std::make_shared<const Names>(Names{std::move(kind), std::move(id_hex)})) {}

  const std::string& kind() const { return key_->kind; }
  const std::string& id_hex() const { return key_->id_hex; }
  // The names' one copy: equal for the rows that share it (a version 3 or 4 file's rows that
  // name one key), so a reader tells them apart without comparing names.
  const void* identity() const { return key_.get(); }

  friend bool operator==(const RowKey& a, const RowKey& b) {
    return a.key_ == b.key_ || (a.kind() == b.kind() && a.id_hex() == b.id_hex());
  }

 private:
  struct Names {
    std::string kind, id_hex;
  };
  static const std::shared_ptr<const Names>& empty() {
    static const auto none = std::make_shared<const Names>();
    return none;
  }
  std::shared_ptr<const Names> key_;
};

// What one step changed in one key's four slots. A slot left empty did not change.
struct RowChange {
  RowKey key;
  SlotChange memory_gen0, memory_gen1, disk_gen0, disk_gen1;

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
  int version = kTraceVersionWritten;  // of the file read; a recording: the version written
  std::string source;                  // "tally-sim" or "cluster"
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

// The file as tally-trace/4 JSON text, or /3 (version 1 is trace.hpp's summary form; version 2
// is read, never written). A live slot's `decoded` and a plan entry's `seed_decoded` are not
// written: readers derive them.
std::string trace_file_json(const TraceFile& file, int version = kTraceVersionWritten);

}  // namespace tally::sim
