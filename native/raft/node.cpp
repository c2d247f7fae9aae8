#include "native/raft/node.hpp"

#include <cstdio>
#include <cstring>

#include "native/limits.hpp"
#include "native/raft/node_batch.hpp"
#include "native/raft/store_digest.hpp"

namespace tally::replica {

std::string_view reply_status_name(Reply::Status status) {
  switch (status) {
    case Reply::Status::kApplied: return "APPLIED";
    case Reply::Status::kRetry: return "RETRY";
    case Reply::Status::kNotLeader: return "NOT_LEADER";
    case Reply::Status::kRejected: return "REJECTED";
    case Reply::Status::kUnknown: return "UNKNOWN";
    case Reply::Status::kFailed: return "FAILED";
  }
  return "?";
}

std::string_view admission_verdict_name(AdmissionVerdict verdict) {
  switch (verdict) {
    case AdmissionVerdict::kAdmitted: return "admitted";
    case AdmissionVerdict::kBusy: return "busy";
    case AdmissionVerdict::kCacheHorizonExceeded: return "cache_horizon_exceeded";
    case AdmissionVerdict::kRejected: return "rejected";
    case AdmissionVerdict::kFailed: return "failed";
  }
  return "?";
}

void Node::emit(NodeEvent event) const {
  if (config_.events) {
    config_.events(event);
  } else {
    write_event_to_stderr(config_.id, event);
  }
}

Node::Node(NodeConfig config, std::unique_ptr<StoreHost> host)
    : config_(std::move(config)),
      host_(std::move(host)),
      apply_trace_("node " + std::to_string(config_.id), config_.trace_records) {
  // Version 3: the image is copied on libraft's snapshot thread (snapshot_async), not on the
  // loop; version 2's snapshot_finalize gives the buffers back to us to free.
  raft_fsm_.version = 3;
  raft_fsm_.data = this;
  raft_fsm_.apply = &Node::fsm_apply;
  raft_fsm_.snapshot = &Node::fsm_snapshot;
  raft_fsm_.snapshot_async = &Node::fsm_snapshot_async;
  raft_fsm_.snapshot_finalize = &Node::fsm_snapshot_finalize;
  raft_fsm_.restore = &Node::fsm_restore;
}

Node::~Node() {
  TALLY_INVARIANT(pending_.empty() && queue_.empty(),
                  "a node destroyed with requests in flight (stop() first)");
}

Result<std::unique_ptr<Node>> Node::open(NodeConfig config, std::unique_ptr<StoreHost> host) {
  TALLY_INVARIANT(config.id > 0, "a Raft server id is positive");
  TALLY_INVARIANT(config.in_flight_max >= 1, "at least one proposal in flight");
  TALLY_INVARIANT(config.batches_in_flight_max >= 1, "at least one batch in flight");
  TALLY_INVARIANT(static_cast<bool>(config.clock_us), "a node needs a clock for admission");
  TALLY_INVARIANT(config.snapshot_chunk_bytes > 0 &&
                      config.snapshot_chunk_bytes <= limits::kSnapshotChunkBytesMax,
                  "a snapshot chunk size within the readers' bound");
  std::unique_ptr<Node> node(new Node(std::move(config), std::move(host)));
  TALLY_TRY(node->open_state_machine());
  return node;
}

Status Node::open_state_machine(std::shared_ptr<fsm::StateMachine::Prepared> prepared) {
  auto opened = prepared != nullptr
                    ? fsm::StateMachine::adopt(host_->store(), config_.fsm, std::move(*prepared))
                    : fsm::StateMachine::open(host_->store(), config_.fsm);
  if (!opened.ok()) return std::move(opened).error();
  fsm_ = std::move(opened).value();
  reads_ = std::make_unique<cache::CachedView>(fsm_->cache(), fsm_->read_view());
  apply_trace_.opened(fsm_->applied_index());
  return ok_status();
}

void Node::attach(struct raft* raft) {
  TALLY_INVARIANT(raft_ == nullptr, "a node is attached once");
  raft_ = raft;
}

bool Node::is_leader() const {
  return raft_ != nullptr && raft_state(raft_) == RAFT_LEADER;
}

int Node::role() const {
  return raft_ == nullptr ? RAFT_UNAVAILABLE : raft_state(raft_);
}

std::uint64_t Node::term() const {
  return raft_ == nullptr ? 0 : raft_->current_term;
}

std::uint64_t Node::leader_id() const {
  if (raft_ == nullptr) return 0;
  raft_id id = 0;
  const char* address = nullptr;
  raft_leader(raft_, &id, &address);
  return id;
}

std::uint64_t Node::applied_index() const {
  return fsm_->applied_index();
}
std::uint64_t Node::durable_index() const {
  return fsm_->durable_index();
}
std::uint64_t Node::raft_applied_index() const {
  return raft_ == nullptr ? 0 : raft_last_applied(raft_);
}
std::uint64_t Node::last_log_index() const {
  return raft_ == nullptr ? 0 : raft_last_index(raft_);
}
std::uint64_t Node::snapshot_index() const {
  return raft_ == nullptr ? 0 : raft_->log.snapshot.last_index;
}
std::uint64_t Node::log_memory_bytes() const {
  return log_bound_ ? log_bound_->held_bytes() : 0;
}
void Node::bound_log_memory(std::uint64_t bytes_max) {
  TALLY_INVARIANT(raft_ != nullptr, "a log memory bound before the node was attached");
  log_bound_.emplace(bytes_max,
                     LogMemoryBound::Setting{raft_->snapshot.threshold, raft_->snapshot.trailing});
}
std::uint64_t Node::generation() const {
  return fsm_->cache().generation();
}
std::uint64_t Node::epoch() const {
  return fsm_->cache().epoch();
}
std::size_t Node::gen0_size() const {
  return fsm_->cache().gen0_size();
}
std::size_t Node::gen1_size() const {
  return fsm_->cache().gen1_size();
}
Result<crypto::Digest> Node::digest() const {
  return store_digest(store());
}

void Node::remember_digest(std::uint64_t applied_index, const crypto::Digest& digest) {
  if (known_digest_ && known_digest_->applied_index > applied_index) return;  // older news
  known_digest_ = KnownDigest{applied_index, digest};
}

int Node::fail(Error error) {
  if (!failure_) {
    emit({"error",
          "node_failed",
          {{"code", std::string(code_name(error.code))}, {"reason", error.message}}});
    failure_ = std::move(error);
    if (on_failure_) on_failure_();
  }
  return RAFT_IOERR;
}

Status Node::advance_to(std::uint64_t index) {
  while (fsm_->applied_index() < index) {
    auto advanced = fsm_->apply_noop(fsm_->applied_index() + 1);
    if (!advanced.ok()) return std::move(advanced).error();
    count_applied(*advanced);
  }
  return ok_status();
}

void Node::count_applied(const cache::AdvanceOutcome& advance) {
  ++stats_.entries_applied;
  if (advance.kind != cache::AdvanceKind::kNone) {
    TALLY_INVARIANT(advance.to_generation > advance.from_generation,
                    "a rotation moves the generation forward");
    stats_.rotations += advance.to_generation - advance.from_generation;
  }
}

Status Node::catch_up() {
  if (failure_) return *failure_;
  if (raft_ == nullptr) return ok_status();
  Status advanced = advance_to(raft_last_applied(raft_));
  if (!advanced.ok()) fail(advanced.error());
  return advanced;
}

Status Node::commit_point() {
  // The one place where applied entries become durable in the store: the state machine's
  // open group (FsmOptions::group_entries_max entries at most) is written in one
  // store write. The host calls it on a timer (the time bound), and the node before a
  // snapshot and before it stops; the count bound is the state machine's own.
  if (failure_) return *failure_;
  Status committed = fsm_->commit_group();
  if (!committed.ok()) fail(committed.error());
  return committed;
}

Result<std::unique_ptr<store::KeyValueStore>> Node::pin_read_view() {
  TALLY_TRY(commit_point());
  TALLY_INVARIANT(fsm_->durable_index() == fsm_->applied_index(),
                  "a pinned read view holds every applied entry");
  return host_->pin_reader();
}

Reply Node::reply_of(const fsm::ApplyReport& report, std::uint64_t index) {
  Reply reply;
  reply.index = index;
  switch (report.status) {
    case fsm::ApplyReport::Status::kApplied: reply.status = Reply::Status::kApplied; break;
    case fsm::ApplyReport::Status::kStale: reply.status = Reply::Status::kRetry; break;
    case fsm::ApplyReport::Status::kRejectedPlan: reply.status = Reply::Status::kRejected; break;
  }
  reply.error = report.rejection;
  reply.report = report;
  return reply;
}

Result<fsm::DryRun> Node::dry_run(const plan::Request& request) {
  if (failure_) return *failure_;
  TALLY_TRY(catch_up());
  return fsm::dry_run(request,
                      {fsm_->cache(), *reads_, fsm_->applied_index() + 1, config_.clock_us()});
}

void Node::cancel_snapshot() {
  if (snapshot_job_ != nullptr) snapshot_job_->cancel();
}

Status Node::stop() {
  return commit_point();
}

}  // namespace tally::replica
