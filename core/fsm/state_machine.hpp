// StateMachine: applies the log, entry by entry, deterministically (docs/design.md §5, inv#2).
//
// For each index: bring the cache to Gen(index) -> stale check -> validate the proposal's
// shape and base index -> preload seeds -> idempotency check -> run each order
// under its gated scope -> merge the write set -> audit entry -> commit one batch carrying the
// applied index. Reads come only from the cache and the proposal (inv#3); every write of the
// entry, the cache mirror included, goes into that one batch (inv#1, inv#9).
//
// Three error channels: a business rejection is an audited failure outcome; a stale or
// malformed proposal (plan_validation.hpp: whatever a log entry's bytes can cause, checked
// before or while its orders run) is answered without audit (the index still advances, and
// nothing of the entry's orders is written); a storage error,
// corruption or invariant violation is returned as an Error and leaves the machine stopped
// (every later call is refused): reopen from the store to recover. With group commit
// (FsmOptions::group_entries_max > 1) entries reach the store a group at a time; destroying
// the machine with a group open loses it, as a crash would (the log replays it). Not
// thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_key.hpp"
#include "core/cache/cache.hpp"
#include "core/cache/key_store.hpp"
#include "core/fsm/coverage_gate.hpp"
#include "core/fsm/fsm_state.hpp"
#include "core/fsm/group_commit.hpp"
#include "core/fsm/write_set.hpp"
#include "core/plan/proposal.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::fsm {

struct FsmOptions {
  std::string cluster_id = "tally";  // names the cluster; a store of another one is refused
  // Keys the audit chain's HMAC (docs/design.md §7). Required: open() refuses the unset
  // (all-zero) key, and a store whose recorded key id is another key's. Simulator, scenarios
  // and tests use audit::public_demo_audit_key(); a real node reads its key file
  // (native/keyfile/).
  audit::AuditKey audit_key;
  std::uint64_t rotation_threshold = cache::kDefaultRotationThreshold;  // for a new store
  // Only tests and the simulator choose the pre-fix delete (docs/design.md §10).
  cache::DeleteMode delete_mode = cache::DeleteMode::kLazyGen0;
  // Group commit (group_commit.hpp): entries per store write; 1 writes every entry at once.
  std::size_t group_entries_max = 1;
};

struct ApplyReport {
  enum class Status {
    kApplied,       // the orders ran; outcome says success, failure or replay; audited
    kStale,         // predicted index or epoch mismatch, or a script footprint that moved
                    // since admission: retryable, not audited
    kRejectedPlan,  // malformed proposal: not audited
  };
  Status status = Status::kApplied;
  domain::Outcome outcome;                 // kApplied
  std::optional<audit::AuditEntry> audit;  // kApplied
  std::optional<Error> rejection;          // kStale, kRejectedPlan
  cache::AdvanceOutcome advance;           // what the rotation check did
  std::size_t seeds_written = 0;           // plan seeds that filled the cache
};

class StateMachine {
 public:
  // Opens the state machine on a store: bootstraps an empty one, otherwise reads the FSM
  // state row and restores the cache from its mirror. The store must outlive the machine.
  // Refuses (kCorrupt, naming the rows) a store whose state, cache meta and audit tail
  // disagree, or whose restored cache disagrees with the attribute rows it stands for
  // (store_consistency.hpp), and (kConfiguration) one of another cluster or key.
  static Result<std::unique_ptr<StateMachine>> open(store::KeyValueStore& store,
                                                    const FsmOptions& options);

  // open() of a store that is not empty, in two halves, so that the part proportional to the
  // cache can run on another thread than the one that will apply (a replica installing a
  // snapshot stages the image on a worker; native/raft/). prepare() reads the state row,
  // restores the cache and holds it against the attribute rows, reading only; adopt() then
  // builds the machine on a store holding the same bytes, refusing (kCorrupt) a store whose
  // state row is not the one prepared.
  struct Prepared {
    FsmState state;
    cache::Cache cache;
  };
  static Result<Prepared> prepare(const store::KeyValueStore& store, const FsmOptions& options);
  static Result<std::unique_ptr<StateMachine>> adopt(store::KeyValueStore& store,
                                                     const FsmOptions& options, Prepared prepared);

  // Applies the proposal committed at index. REQUIRES: index == applied_index() + 1.
  Result<ApplyReport> apply(std::uint64_t index, const plan::Proposal& proposal);

  // An index whose entry never reaches the FSM (a configuration change, a barrier): the
  // applied index and the cache's generation still move with it (docs/design.md §3).
  Result<cache::AdvanceOutcome> apply_noop(std::uint64_t index);

  // Writes the open group of applied entries, if any, in one store write carrying the
  // applied index of its last entry. Call it when the caller's time bound expires, and before
  // a parity check, the checker or a snapshot read the store directly.
  Status commit_group();

  // Reads that would go to the store (admission, queries) go through this view: the store
  // with the open group's writes overlaid, so a read never sees the store lagging memory.
  const store::KeyValueStore& read_view() const { return group_->view(); }

  std::uint64_t applied_index() const { return state_.applied_index; }
  // The applied index the store holds: applied_index() at every group boundary.
  std::uint64_t durable_index() const { return durable_index_; }
  const FsmState& state() const { return state_; }
  const cache::Cache& cache() const { return *cache_; }
  const store::KeyValueStore& store() const { return *store_; }
  bool stopped() const { return stopped_; }

 private:
  StateMachine(store::KeyValueStore& store, const FsmOptions& options, cache::Cache cache,
               FsmState state);

  Result<ApplyReport> apply_checked(std::uint64_t index, const plan::Proposal& proposal,
                                    store::Batch& batch, ApplyReport& report);
  // An unaudited rejection (kRejectedPlan); the index still advances.
  static ApplyReport reject(ApplyReport& report, Error error);
  // reject() for what the proposal can cause (is_proposal_rejection), else the hard error.
  static Result<ApplyReport> reject_or_stop(ApplyReport& report, Error error);
  Result<std::size_t> preload(const plan::Plan& plan, store::Batch& batch);
  Result<domain::Outcome> run_orders(const plan::Proposal& proposal, store::Batch& batch);
  // Per-order proposals (domain/bulk.hpp; state_machine_per_order.cpp): each order with its
  // own key, outcome and log sequence.
  Result<domain::Outcome> run_per_order(const plan::Proposal& proposal, store::Batch& batch);
  Result<domain::Outcome> run_one(const plan::Proposal& proposal, std::uint32_t index,
                                  const PlanIndex& plan_index, WriteSet& writes,
                                  crypto::Digest& intent);
  Status keep_order(const plan::Proposal& proposal, std::uint32_t index,
                    const crypto::Digest& intent, const domain::Outcome& outcome,
                    store::Batch& batch);
  // The stored outcome of key (a replay) or a conflict failure; none when the key is new.
  // REQUIRES: the caller checked that the plan declares the key.
  Result<std::optional<domain::Outcome>> check_key(const std::string& key,
                                                   const crypto::Digest& intent) const;
  Result<std::optional<domain::Outcome>> check_idempotency(const plan::Proposal& proposal,
                                                           const crypto::Digest& intent) const;
  Status record_key(const std::string& key, const crypto::Digest& intent,
                    const domain::Outcome& outcome, store::Batch& batch);
  Status record_idempotency(const plan::Proposal& proposal, const crypto::Digest& intent,
                            const domain::Outcome& outcome, store::Batch& batch);
  void write_ledger_log(const domain::Order& order, const domain::OrderResult& result,
                        std::uint32_t order_index, store::Batch& batch) const;
  audit::AuditEntry append_audit(std::uint64_t index, const plan::Proposal& proposal,
                                 const domain::Outcome& outcome, store::Batch& batch);
  Status commit(std::uint64_t index, store::Batch& batch);
  Status write_group();  // REQUIRES: the group is open (each entry ended with the state row)
  Error stop(Error error);

  store::KeyValueStore* store_;
  FsmOptions options_;
  std::unique_ptr<cache::Cache> cache_;
  std::unique_ptr<cache::KeyStore> key_store_;
  std::unique_ptr<GroupCommit> group_;
  FsmState state_;
  std::uint64_t durable_index_ = 0;
  audit::AuditKey audit_key_;
  bool stopped_ = false;
};

}  // namespace tally::fsm
