// The deterministic simulator (after TigerBeetle's VOPR): one seed drives a cluster
// through admissions, applies, rotations and faults, and checks after every step that nothing
// broke. No I/O, no clock: the same seed gives the same run natively and in WebAssembly.
//
// Checked after every step: cache parity on every running node (inv#1). Every check_every
// steps: the checker on one node (audit chain, replay, projections) and the reference model
// against every node at the model's index. At the end: every node caught up, all stores
// byte-identical, the checker and the model on all of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sim/trace.hpp"
#include "core/sim/trace_file.hpp"

namespace tally::sim {

struct SimOptions {
  std::uint64_t seed = 1;
  std::uint64_t steps = 1000;
  std::size_t nodes = 3;
  std::size_t max_in_flight = 6;    // proposals between admission and the leader's apply
  std::uint64_t threshold = 0;      // 0: chosen by the seed in [2, 8]
  std::uint64_t check_every = 100;  // checker and model comparison period, in steps
  bool pre_fix = false;             // every node uses the pre-fix delete (teaching only)
  bool record_views = false;        // keep each node's counters per step (tally-trace/1)
  bool record_rows = false;         // keep a tally-trace/4 recording (SimResult::recording)
  // A deliberately broken run: the last node skips the first proposal at or after this log
  // index (applies it as a no-op), so its state leaves the others'. 0: none.
  std::uint64_t plant_divergence_at = 0;
  bool faults = true;             // crashes, lost batches, snapshots, leader changes
  std::size_t group_entries = 0;  // group commit bound; 0: 1 + seed % 4 (no PRNG draw)
};

struct SimStats {
  std::uint64_t steps = 0, admitted = 0, horizon_refusals = 0, entries_applied = 0;
  std::uint64_t successes = 0, business_failures = 0, coverage_misses = 0, replays = 0;
  std::uint64_t stale = 0, crashes = 0, lost_batches = 0, snapshots = 0, leader_changes = 0;
  std::uint64_t configuration_entries = 0, rotations = 0, threshold_changes = 0;
  std::uint64_t checker_runs = 0, model_comparisons = 0, log_length = 0;
  std::uint64_t admission_refusals = 0, per_order_entries = 0;
};

struct SimResult {
  bool ok = true;
  std::string violation;               // what broke, empty when ok
  std::uint64_t failed_step = 0;       // the first step at which it was seen
  std::vector<TraceStep> trace;        // every step up to the end or the failure
  std::optional<TraceFile> recording;  // SimOptions::record_rows
  SimStats stats;

  // "tally-sim run --seed N --steps M ...": the command that replays this run.
  std::string reproduce_command(const SimOptions& options) const;
};

SimResult simulate(const SimOptions& options);

// Re-runs a failed seed with the checker and the model compared after every step, to find
// the first step at which the violation shows: the minimal trace to read. Checks draw no
// randomness, so the re-run is the same run.
SimResult locate_first_failure(const SimOptions& options, const SimResult& failed);

}  // namespace tally::sim
