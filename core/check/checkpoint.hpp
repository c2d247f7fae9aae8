// The checker's checkpoint: the replay state at the last verified audit sequence,
// so that checking a node with millions of entries resumes there instead of replaying the
// whole chain from genesis on every call.
//
// What each mode proves, and at what cost (figures: bench/results/check.md):
// - Incremental (run_check_from with a checkpoint), cost ∝ entries since the checkpoint:
//   * the stored row of the checkpoint's entry is re-verified: it decodes, its sequence, log
//     index and hash are the checkpoint's, and its HMAC recomputes under the key. That hash
//     chains every earlier entry, so the checkpoint stays bound to the prefix it replayed;
//   * every later entry is walked as in a full check (link, HMAC, rules, replay);
//   * every row those entries wrote or erased is compared with the store
//     (ReferenceLedger::touched_rows), by point reads.
// - Whole-store, in both modes: the FSM state row against the chain's tail and the
//   configuration, the cache meta row, cache parity, stray rows in the small zones
//   (zone_census.hpp), cost ∝ cache size; and every visible cache entry against its attribute
//   row (cache_check.hpp), which hashes every attribute row to find the cached ones (a scan
//   of the attribute zone without copies, the dominant cost of an incremental check).
// - Full only (run_check_from without a checkpoint, `?full=true`), cost ∝ history and state:
//   re-verifying the entries before the checkpoint's (a changed row there keeps its
//   successor's link, so only a full walk sees it), and comparing the derived rows no new
//   entry touched (a row changed or added behind the checker's back since the checkpoint).
//
// A checkpoint is never trusted blindly: its digest must match its fields and it must name
// this cluster and audit key, else a full check runs (report.full_reason says why); a store
// whose chain ends before the checkpoint also gets a full check. A checkpoint row that fails
// re-verification is a mismatch (the store was altered), and the replay stops there.
// Deterministic, no I/O or clock: the node keeps the checkpoint in memory (not persisted, so
// a restarted node starts with a full check) and measures durations itself.
// Memory: the checkpoint is the whole ReferenceLedger, so it grows with the history (per
// entry a transaction node, its postings and a ledger log pointer node; bench/results/check.md).
// Digests of rendered rows instead of values would cut that ~4x, but a revert or a
// transaction's metadata change needs the old value back, which the model would then have to
// read from the store and verify against its digest: a design change, not done.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/check/chain_walk.hpp"
#include "core/check/checker.hpp"

namespace tally::check {

struct CheckCheckpoint {
  ChainState chain;  // after entry chain.next_sequence - 1, every entry verified and replayed
  std::string cluster_id;
  std::optional<audit::AuditKeyId> audit_key_id;  // the key the entries were verified under
  // checkpoint_digest() of the fields above (the model aside: rendering it costs what a full
  // comparison costs; the chain head it pairs with is itself a digest of the prefix).
  crypto::Digest digest{};

  std::uint64_t sequence() const { return chain.next_sequence - 1; }  // 0: before genesis
};

// SHA-256 over a versioned encoding of the cluster id, key id, sequence, head, last log index
// and threshold history.
crypto::Digest checkpoint_digest(const CheckCheckpoint& checkpoint);

struct CheckRun {
  CheckReport report;
  // Where the next check may resume: only after a clean check that replayed every entry
  // (a check that found anything leaves none, so the next one is full).
  std::optional<CheckCheckpoint> checkpoint;
};

// A full check when from is empty, else an incremental one from the checkpoint (or a full
// one, saying why, when the checkpoint cannot be used). Errors only when the store cannot be
// read. The report's touched rows are cleared in the returned checkpoint.
// stop_requested is asked after each audit entry, before each later pass, and within those
// passes at each scan's start and every 1,024 rows or lookups: true ends the check with
// kStopped, so a stopping node waits for neither a whole replay nor a whole pass.
Result<CheckRun> run_check_from(const CheckInput& input, std::optional<CheckCheckpoint> from,
                                const std::function<bool()>& stop_requested = {});

}  // namespace tally::check
