// Node: one replica of the ledger, driven by libraft (docs/design.md §9). The API the HTTP layer
// (tallyd) calls, and the raft_fsm that libraft drives.
//
// Data flows one way: submit -> the leader's queue -> admission (at raft_last_index + 1 + k,
// when the request's batch leaves) -> Cap'n Proto entry -> raft_apply -> commit -> raft_fsm
// apply -> StateMachine::apply at the entry's exact index -> the caller's callback with the
// FSM's outcome.
//
// Leader batching: up to batches_in_flight_max batches are in flight at a time. A request that
// arrives while fewer are leaves at once, alone; requests that arrive while that many are wait
// in the queue and leave together, in arrival order, as the next batch: one raft_apply of up
// to batch_entries_max entries (and batch_bytes_max bytes, at least one entry), so one append
// and one fsync on the leader and one AppendEntries message per follower. Each entry is a
// proposal of its own: its own index, plan, outcome, audit entry and idempotency record.
// Admission runs when the batch leaves, entry k at raft_last_index + 1 + k (the log's end,
// batches in flight included), so predicted indexes stay exact (a request admission refuses
// takes no index). A batch stops counting when libraft answers it (it applied the batch's first
// entry, or failed the whole batch). No timer: a queued request waits for at most the round
// trip of the oldest batch ahead of it. With more than one in flight the leader appends batch
// k + 1 while batch k replicates, and libraft 0.15 would then commit late: it only ever
// commits its own last stored index (replicationQuorum(r, r->last_stored); fixed upstream in
// 0.17.1). The host's AppendPacer (append_pacer.hpp) keeps that index at the oldest uncommitted
// batch; without one, keep one batch in flight. Raft I/O
// is not the node's business: it is given a `struct raft` that a host initialised (UvHost in
// production, libraft's in-memory fixture in the deterministic tests) and registers fsm() with it.
//
// Contract:
// - Everything runs on the thread of the raft instance's loop: submit, the status readers
//   and every libraft callback. Not thread-safe.
// - Every submit's callback is called exactly once: at once when the node cannot take the
//   request (not leader, too many queued or in flight), when its batch leaves and admission
//   refuses it, when its entry is applied locally (or its index is applied with another
//   entry: lost), or when libraft fails its batch. The node must outlive every pending
//   callback: stop() (through the host's raft_close) answers them.
// - Applied index discipline: entries at or below the store's applied index are skipped
//   (libraft replays the log after a restart); indexes that never reach the FSM (barriers,
//   configuration entries) reach it as apply_noop before the next apply, admission or
//   snapshot (docs/design.md §3).
// - A hard error from the state machine (storage, corruption, an invariant) fails the node:
//   it is reported on stderr, nothing past it is applied (libraft retries the entry and the
//   node refuses it again), and failure() says why. The host then stops the node.
//
// The namespace is tally::replica, not tally::raft: libraft's own `struct raft` would collide.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

extern "C" {
#include <raft.h>
}

#include "core/cache/cached_view.hpp"
#include "core/fsm/dry_run.hpp"
#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "core/plan/proposal.hpp"
#include "core/sim/apply_trace.hpp"
#include "native/codec/entry_codec.hpp"
#include "native/raft/log_memory_bound.hpp"
#include "native/raft/node_events.hpp"
#include "native/raft/node_stats.hpp"
#include "native/raft/snapshot_job.hpp"
#include "native/raft/store_host.hpp"

namespace tally::replica {

struct NodeConfig {
  std::uint64_t id = 0;  // the Raft server id, > 0
  // The audit key (required: a real node reads its key file, native/keyfile/; tests use
  // audit::public_demo_audit_key()), the cluster id, the rotation threshold of a new store.
  fsm::FsmOptions fsm;
  // Requests queued at the leader or proposed and not yet applied here, >= 1; past it a
  // request is answered BUSY (retryable). At least the clients a leader should serve at once.
  std::size_t in_flight_max = 1024;
  // Bounds of one batch (one raft_apply): entries, and encoded bytes (a batch holds at least
  // one entry, whatever its size). See the header comment.
  std::size_t batch_entries_max = 256;
  std::size_t batch_bytes_max = std::size_t{4} << 20;
  // Batches proposed and not yet answered by libraft, >= 1 (see the header comment). More
  // than one needs the host's AppendPacer, or libraft 0.15 commits only when the load stops.
  std::size_t batches_in_flight_max = 1;
  // The leader's clock for admission timestamps (microseconds since the Unix epoch).
  std::function<std::uint64_t()> clock_us;
  // Snapshot images travel in raw chunks of this many bytes (format 2, snapshot_codec.hpp);
  // tests use tiny chunks to cover images of many chunks.
  std::uint64_t snapshot_chunk_bytes = wire::kSnapshotChunkBytes;
  // What each applied index did, kept for `tally trace export` (core/sim/apply_trace.hpp):
  // the latest this many indexes; 0 (tallyd's default) keeps none.
  std::size_t trace_records = 0;
  // Where the node's events go (node_events.hpp); empty: stderr.
  EventSink events;
};

// What a submitted request became.
struct Reply {
  enum class Status {
    kApplied,    // applied at index; report.outcome is the business answer (audited)
    kRetry,      // retryable, nothing written: CACHE_HORIZON_EXCEEDED, stale, busy
    kNotLeader,  // this node does not lead; leader_id names the leader when known
    kRejected,   // malformed request (validation) or a malformed entry: not applied
    kUnknown,    // leadership was lost in flight: it may or may not apply (use a key)
    kFailed,     // the node has failed (see Node::failure())
  };
  Status status = Status::kFailed;
  std::uint64_t index = 0;                 // the entry's log index (kApplied, kRetry stale)
  std::optional<fsm::ApplyReport> report;  // kApplied, and kRetry for a stale proposal
  // Why, for every status but kApplied: the core's error when the core answered
  // (CACHE_HORIZON_EXCEEDED, STALE_PROPOSAL, VALIDATION, CORRUPT, STORAGE, ...), else the
  // node's own (BUSY, NOT_LEADER, LEADERSHIP_LOST, STOPPED).
  std::optional<Error> error;
  std::uint64_t leader_id = 0;  // kNotLeader, kUnknown: the leader if known, else 0
};

std::string_view reply_status_name(Reply::Status status);

// The node's raft_fsm is version 3 (snapshot_async: the image is copied off the loop), which
// raft_init accepts only on a raft_io of version >= 2 with async_work. libraft 0.15's own
// backends implement async_work but declare version 1 (uv) or leave it 0 (the in-memory
// fixture); upstream fixed exactly that in v0.17.1 (commit 269e541, "uv: set io version to
// 2"). Call on the io before raft_init (for the fixture: on the next server's io before
// raft_fixture_grow; its init keeps the field).
inline void declare_io_async_work(struct raft_io* io) {
  if (io->version < 2) io->version = 2;
}

using ReplyCallback = std::function<void(Reply)>;
using ChangeCallback = std::function<void(int status)>;  // 0 or a RAFT_* error code

class Node {
 public:
  // Opens the state machine on the host's store (restoring the cache from its mirror).
  static Result<std::unique_ptr<Node>> open(NodeConfig config, std::unique_ptr<StoreHost> host);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // The raft_fsm to pass to raft_init (or raft_fixture_grow). Lives as long as the node.
  struct raft_fsm* fsm() {
    return &raft_fsm_;
  }
  // Binds the node to its initialised raft instance. REQUIRES: called once, before start.
  void attach(struct raft* raft);

  // Submits a request (REQUIRES: on the loop thread). The callback is called exactly once.
  // A request answering per order (domain/bulk.hpp) gets report->outcome with one outcome per
  // order it sent: admission's refusals merged in (when admission refused every order, the
  // reply is kApplied at the current applied index, with nothing proposed).
  void submit(plan::Request request, ReplyCallback done);
  // What the request would do now, on this node's applied state (fsm/dry_run.hpp): any node,
  // nothing proposed or written.
  Result<fsm::DryRun> dry_run(const plan::Request& request);

  // Bounds the bytes of Raft log libraft holds in memory (log_memory_bound.hpp), from
  // libraft's threshold and trailing as set now. REQUIRES: attached, before raft_start.
  void bound_log_memory(std::uint64_t bytes_max);

  // Cluster membership and leadership (leader only; the callback gets 0 or a RAFT_* code).
  int add_server(std::uint64_t id, const std::string& address, ChangeCallback done);
  int assign_role(std::uint64_t id, int role, ChangeCallback done);  // RAFT_VOTER, ...
  int remove_server(std::uint64_t id, ChangeCallback done);
  int transfer_leadership(std::uint64_t id, std::function<void()> done);  // 0: any voter

  // Status (REQUIRES: on the loop thread).
  std::uint64_t id() const { return config_.id; }
  bool is_leader() const;
  int role() const;  // RAFT_FOLLOWER, RAFT_CANDIDATE, RAFT_LEADER, RAFT_UNAVAILABLE
  std::uint64_t leader_id() const;
  std::uint64_t term() const;                // libraft's current term, 0 unattached
  std::uint64_t applied_index() const;       // the state machine's applied index
  std::uint64_t durable_index() const;       // the applied index its store holds
  std::uint64_t raft_applied_index() const;  // libraft's (barriers included), 0 unattached
  std::uint64_t last_log_index() const;      // libraft's last log index, 0 unattached
  std::uint64_t snapshot_index() const;      // libraft's last snapshot's index, 0 none
  // Bytes of Raft log libraft holds in memory, as the log memory bound counts them; 0 without
  // a bound.
  std::uint64_t log_memory_bytes() const;
  std::uint64_t generation() const;
  std::uint64_t epoch() const;
  std::size_t gen0_size() const;
  std::size_t gen1_size() const;
  // Requests queued (not yet admitted) plus proposed entries not yet answered.
  std::size_t in_flight() const { return queue_.size() + pending_.size(); }
  std::size_t queued() const { return queue_.size(); }
  // What the node counted since its process started.
  const NodeStats& stats() const { return stats_; }
  // SHA-256 over the store's ordered rows: the durable state (commit_point() first for the
  // applied one). Equal on every node at equal durable index.
  Result<crypto::Digest> digest() const;
  // The last store digest this node computed, and the applied index it covers: at each
  // snapshot it takes or installs, and whenever a worker computes one (/_tally/digest).
  // /_tally/info reports it: hashing the store on the loop stalls Raft for as long as the
  // store is large.
  struct KnownDigest {
    std::uint64_t applied_index = 0;
    crypto::Digest digest{};
  };
  const std::optional<KnownDigest>& known_digest() const { return known_digest_; }
  void remember_digest(std::uint64_t applied_index, const crypto::Digest& digest);
  // Bytes in the store's write-ahead log (0 for a store without one).
  std::uint64_t wal_bytes() const { return host_->wal_bytes(); }
  // The log a read view keeps from restarting (StoreHost::wal_log_gauge), from any thread.
  std::function<std::uint64_t()> wal_log_gauge() const { return host_->wal_log_gauge(); }
  std::uint64_t wal_log_bytes() const { return host_->wal_log_gauge()(); }
  bool failed() const { return failure_.has_value(); }
  const std::optional<Error>& failure() const { return failure_; }
  // Called once, when the node fails, from inside whatever libraft callback failed it: it
  // must not call back into libraft, only schedule (the host closes raft on its next turn).
  void on_failure(std::function<void()> callback) { on_failure_ = std::move(callback); }

  // Brings the state machine to libraft's applied index: the indexes since the last command
  // were barriers or configuration entries (apply_noop each). Called before admission and
  // snapshots; tests call it before comparing nodes.
  Status catch_up();
  // Writes the state machine's open group of applied entries to the store (group commit,
  // FsmOptions::group_entries_max): the host's timer calls it (the time bound), the node
  // before a snapshot and before it stops. An acknowledged entry is durable in the Raft log
  // before its group commits; a crash replays the uncommitted tail.
  Status commit_point();
  // Asks a snapshot being taken on libraft's thread to stop at its next piece: the host calls
  // it as it closes, so a stop does not wait for a copy of the whole store.
  void cancel_snapshot();

  // A snapshot installed from the leader, in two halves, so that the work proportional to
  // the store leaves the loop (docs/design.md §9 "Snapshots"). libraft writes the snapshot
  // (snapshot_put) before it calls restore with the same buffer; the host runs
  // stage_install on a worker first: it reads the envelope, verifies the image's digest,
  // writes and fsyncs the image beside the store, checks its store digest against the
  // envelope, and restores and checks the cache it holds (StateMachine::prepare). It touches only
  // bytes, the configuration and the host's staging, so any thread may run it while the loop goes
  // on. staged() hands the answer to the node on the loop; restore then only swaps the staged store
  // in. Without a staged image (a restart, a host that cannot stage, a failed staging) restore does
  // the whole install itself.
  struct StagedInstall {
    const std::uint8_t* data = nullptr;  // the buffer staged, which restore must be given
    std::size_t size = 0;
    std::uint64_t applied_index = 0;
    // The staged store's state and cache, restored and checked on the worker
    // (StateMachine::prepare): restore only adopts them.
    std::shared_ptr<fsm::StateMachine::Prepared> prepared;
  };
  bool can_stage_installs() const { return host_->can_stage(); }
  Result<StagedInstall> stage_install(ByteView bytes) const;
  void staged(Result<StagedInstall> staged);
  void discard_staged_install() { host_->discard_staged(); }

  // A read-only view of the store at the applied index that no later write changes, for
  // reads too long for the loop (tallyd's /_tally/check runs the checker on it on a worker
  // thread): commits the open group, then pins the store as SnapshotJob does (a second
  // SQLite connection holding a read transaction; a copy of a MemoryHost's rows). The view
  // is used by one thread at a time and may outlive the node's raft but not the store file;
  // state_machine().cache() at the same instant is the cache that agrees with it.
  Result<std::unique_ptr<store::KeyValueStore>> pin_read_view();

  // For tests and tallyd's checker endpoint.
  const fsm::StateMachine& state_machine() const { return *fsm_; }
  // What this node recorded applying its latest indexes (GET /_tally/trace).
  const sim::ApplyTrace& apply_trace() const { return apply_trace_; }
  // The store as the state machine's applied index sees it, for reads: the durable store
  // with the open group commit overlaid (reads and digests must not lag the applied index),
  // and point reads of attribute rows the cache holds answered from it (cache::CachedView).
  // The checker and parity compare the cache with the store: give them
  // state_machine().read_view().
  const store::KeyValueStore& store() const { return reads_ != nullptr ? *reads_ : host_->store(); }
  // A snapshot is being taken on libraft's thread.
  bool snapshot_in_flight() const { return snapshot_job_ != nullptr; }

  // Sends an event to NodeConfig::events (the host's events too: a failed stop, a close).
  void emit(NodeEvent event) const;

  // Commits what is applied: before the raft instance closes (raft_close).
  Status stop();
  // After raft_close's callback: libraft has answered its requests; any left are answered
  // kUnknown, and the node does not touch the raft instance again.
  void closed();

 private:
  struct Queued;
  struct Batch;
  struct Pending;

  Node(NodeConfig config, std::unique_ptr<StoreHost> host);
  // Opens the state machine on the host's store; with prepared, adopts what a worker read
  // from the same bytes (StateMachine::adopt).
  Status open_state_machine(std::shared_ptr<fsm::StateMachine::Prepared> prepared = nullptr);

  // raft_fsm callbacks and what they do.
  static int fsm_apply(struct raft_fsm* fsm, const struct raft_buffer* buf, void** result);
  static int fsm_snapshot(struct raft_fsm* fsm, struct raft_buffer* bufs[], unsigned* n_bufs);
  static int fsm_snapshot_async(struct raft_fsm* fsm, struct raft_buffer* bufs[], unsigned* n_bufs);
  static int fsm_snapshot_finalize(struct raft_fsm* fsm, struct raft_buffer* bufs[],
                                   unsigned* n_bufs);
  static int fsm_restore(struct raft_fsm* fsm, struct raft_buffer* buf);
  // Sends queued requests as batches while fewer than batches_in_flight_max are in flight
  // (re-entrant calls return).
  void flush();
  // Admits the queue's head into one batch and raft_applies it.
  void propose_batch();
  // Admits queued requests at first_index, first_index + 1, ... within the batch bounds;
  // answers those admission refuses. Their encoded entries go to payloads.
  std::vector<std::unique_ptr<Pending>> admit_batch(std::uint64_t first_index,
                                                    std::vector<Bytes>& payloads);
  // Answers a request admission refused; false when the refusal failed the node.
  bool refuse_admission(Queued& queued, const Error& error);
  // Answers a request answering per order whose every order admission refused: nothing
  // proposed, one refusal (or not-run) per order.
  void answer_refused_orders(Queued& queued, const plan::Verdicts& verdicts);
  // Answers every queued request with this reply (leadership lost, node failed or stopped).
  void drain_queue(const Reply& reply);
  static void batch_done(struct raft_apply* req, int status, void* result);
  // Removes the pending entry at this index and calls its callback (last: it may re-enter).
  void answer(std::map<std::uint64_t, std::unique_ptr<Pending>>::iterator found, Reply reply);
  // Answers every pending entry at or below the applied index not answered by record():
  // its index was applied with another entry, skipped, or installed by a snapshot.
  void settle_applied();
  int apply_entry(ByteView payload);
  int apply_decoded(std::uint64_t index, const Result<wire::Entry>& entry);
  int take_snapshot(struct raft_buffer* bufs[], unsigned* n_bufs);
  void finish_snapshot();
  int restore_snapshot(ByteView bytes);
  Status advance_to(std::uint64_t index);                    // apply_noop each index up to index
  void count_applied(const cache::AdvanceOutcome& advance);  // stats_: applied, rotations
  void record(std::uint64_t index, const plan::Proposal* proposal, fsm::ApplyReport report);
  int fail(Error error);
  static Reply reply_of(const fsm::ApplyReport& report, std::uint64_t index);

  NodeConfig config_;
  std::unique_ptr<StoreHost> host_;
  std::unique_ptr<fsm::StateMachine> fsm_;
  std::unique_ptr<cache::CachedView> reads_;  // over fsm_'s cache and read view
  struct raft_fsm raft_fsm_ = {};
  struct raft* raft_ = nullptr;
  std::deque<std::unique_ptr<Queued>> queue_;                  // arrival order
  std::map<std::uint64_t, std::unique_ptr<Pending>> pending_;  // by log index
  std::map<std::uint64_t, std::unique_ptr<Batch>> batches_;    // in flight, by serial
  std::uint64_t batch_serial_ = 0;
  bool flushing_ = false;
  bool batch_failing_ = false;  // inside libraft's failure of a batch: propose nothing
  std::optional<Error> failure_;
  std::function<void()> on_failure_;
  // The snapshot being taken: set on the loop by fsm snapshot, run on libraft's snapshot
  // thread by fsm snapshot_async, finished and cleared on the loop by snapshot_finalize.
  std::unique_ptr<SnapshotJob> snapshot_job_;
  std::optional<KnownDigest> known_digest_;
  std::optional<StagedInstall> staged_install_;
  NodeStats stats_;
  sim::ApplyTrace apply_trace_;
  std::optional<LogMemoryBound> log_bound_;
};

}  // namespace tally::replica
