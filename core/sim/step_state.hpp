// The stepping model for people (docs/design.md §10): a scenario, a free-play session or a loaded
// trace is a sequence of steps, each carrying a structured state rather than text. The
// visualiser draws it (wasm/ turns it into JSON), `tally-sim scenario N` renders it as
// narration (core/sim/step_text.hpp), and tests/scenario/golden/ pins that rendering.
//
// Every field is plain data computed from the real core after the step (or read from a
// trace that recorded it): each node's two cache generations in memory beside its mirror rows
// on disk, the proposals admitted so far with their plans, and the invariant checks. Nothing
// here is read back into the core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tally::sim {

// One generation of one key, either in memory or on disk.
struct CacheSlot {
  bool present = false;
  bool tombstone = false;  // a tombstone: the key is known absent
  std::string tag_hex;     // 16 hex digits, empty when absent
  std::string value_hex;   // the value bytes, empty for a tombstone
  std::size_t value_bytes = 0;
  std::string decoded;     // the value for people ("input 10, output 0"), empty if none
  bool malformed = false;  // disk only: the row does not decode (shown, never trusted)
  bool unknown = false;    // a trace window that never saw this slot: neither present nor absent

  friend bool operator==(const CacheSlot&, const CacheSlot&) = default;
};

// One key of one node: memory gen0 / gen1 beside disk at the gen0 / gen1 bytes.
struct KeyRow {
  std::string label;  // "alice's metadata"; a kind and a short id when unknown
  std::string kind;   // "AccountMetadata"
  std::string id_hex;
  bool watched = false;  // a key the scenario follows (its narration prints it)
  CacheSlot memory_gen0, memory_gen1, disk_gen0, disk_gen1;
  bool gen0_differs = false;  // memory gen0 and the disk row at the gen0 byte differ
  bool gen1_differs = false;
  // Another node at the same applied index holds this key otherwise in memory (gen0 or gen1):
  // inv#1 wants every node's cache equal at each index.
  bool nodes_differ = false;

  friend bool operator==(const KeyRow&, const KeyRow&) = default;
};

struct NodeStep {
  std::string name;  // "node" alone; "node 0 (leader)", "node 1", ... in a cluster
  bool up = true;
  std::uint64_t applied_index = 0;
  std::uint64_t generation = 0;
  std::uint64_t epoch = 0;
  std::uint64_t threshold = 0;
  std::size_t gen0_entries = 0;
  std::size_t gen1_entries = 0;
  bool parity_ok = true;
  std::string parity_detail;  // the first difference, empty when parity holds
  std::size_t mirror_rows = 0;
  std::string digest;        // what equal nodes at one index share (node_snapshot.hpp); "" if none
  bool keys_known = true;    // false for tally-trace/1 nodes, which carry counts only
  std::vector<KeyRow> keys;  // watched keys first, then every other key in memory or on disk

  friend bool operator==(const NodeStep&, const NodeStep&) = default;
};

struct PlanEntryStep {
  std::string label;
  std::string kind;
  std::string id_hex;
  bool watched = false;
  std::string verdict;  // CheckCache at admission: "Hit", "Miss" (docs/design.md §4)
  std::string source;   // "hit", "seed", "absent"
  bool seeded = false;
  std::size_t seed_bytes = 0;
  std::string seed_hex;
  std::string seed_decoded;

  friend bool operator==(const PlanEntryStep&, const PlanEntryStep&) = default;
};

struct OrderStep {
  std::string name;      // "DELETE_ACCOUNT_METADATA"
  std::string summary;   // "alice: delete k"
  std::string coverage;  // one character per plan entry: '1' declared, '0' not

  friend bool operator==(const OrderStep&, const OrderStep&) = default;
};

// Admitted proposals have ids 0, 1, ...; refused admissions -1, -2, ... (they get no handle).
inline constexpr int kNoProposal = -1000000;

struct ProposalStep {
  int id = 0;
  std::string label;
  std::string status;  // "in flight", "applied", "failed", "stale", "rejected", "refused"
  std::uint64_t admitted_at = 0;      // the applied index when admission ran
  std::uint64_t predicted_index = 0;  // where admission expects it in the log
  std::uint64_t predicted_generation = 0;
  std::uint64_t cache_generation = 0;  // the cache's generation at admission
  std::int64_t d = 0;                  // predicted_generation - cache_generation
  std::uint64_t epoch = 0;
  std::uint64_t base_index = 0;
  std::uint64_t applied_at = 0;  // 0 while in flight
  std::string outcome;           // once applied (or why it was refused)
  std::vector<PlanEntryStep> entries;
  std::vector<OrderStep> orders;

  friend bool operator==(const ProposalStep&, const ProposalStep&) = default;
};

struct InvariantStep {
  std::string name;  // "inv#1 cache mirror parity"
  bool ok = true;
  std::string detail;

  friend bool operator==(const InvariantStep&, const InvariantStep&) = default;
};

// What the step did, beyond its one-line event, for the narration rendering.
struct ApplyDetail {
  std::uint64_t index = 0;
  std::string label;
  std::string advance;  // "", "rotation", "both generations dropped"
  bool applied = true;  // false: stale or rejected (outcome holds the code and message)
  std::string outcome;
  std::size_t seeds_written = 0;

  friend bool operator==(const ApplyDetail&, const ApplyDetail&) = default;
};

struct NoopDetail {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> rotations;  // (index, new generation)
  std::uint64_t applied_index = 0;

  friend bool operator==(const NoopDetail&, const NoopDetail&) = default;
};

struct StepState {
  std::size_t number = 0;
  std::string kind;       // "open", "admit", "refuse", "apply", "noop", "restart", "crash", "read",
                          // "note", "trace"
  std::string event;      // one line: what happened
  std::string narration;  // the scenario's own words for this step, if any
  std::string chapter;    // the latest narration so far (what the scenario is explaining)
  std::string explanation;     // why this step is safe, or not: one or two sentences
  int proposal = kNoProposal;  // the proposal this step admitted, refused or applied
  std::optional<ApplyDetail> apply;
  std::optional<NoopDetail> noop;
  std::string refusal;  // kind "refuse": "CacheHorizonExceeded (message)"

  std::uint64_t threshold = 0;
  std::uint64_t applied_index = 0;
  std::uint64_t log_end = 0;  // the highest index admitted or applied so far
  std::vector<NodeStep> nodes;
  std::vector<ProposalStep> proposals;
  std::vector<InvariantStep> invariants;

  friend bool operator==(const StepState&, const StepState&) = default;
};

// A whole recording: a scenario's or a session's steps, from the opened store on.
struct Recording {
  std::string title;
  std::vector<StepState> steps;
  bool expected_outcome = true;  // a scenario ended as docs/design.md says it must
};

}  // namespace tally::sim
