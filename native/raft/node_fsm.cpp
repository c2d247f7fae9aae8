// The raft_fsm side of Node: apply, snapshot, restore (docs/design.md §3, §5, §9), and the
// membership and leadership requests.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <utility>

#include "native/codec/snapshot_codec.hpp"
#include "native/raft/node.hpp"
#include "native/raft/store_digest.hpp"

namespace tally::replica {

int Node::fsm_apply(struct raft_fsm* fsm, const struct raft_buffer* buf, void** result) {
  *result = nullptr;
  auto* node = static_cast<Node*>(fsm->data);
  return node->apply_entry(ByteView(static_cast<const std::uint8_t*>(buf->base), buf->len));
}

int Node::apply_entry(ByteView payload) {
  if (failure_) return RAFT_IOERR;  // never apply past a failure
  TALLY_INVARIANT(raft_ != nullptr, "an entry applied before the node was attached");
  const std::uint64_t index = raft_last_applied(raft_) + 1;
  if (log_bound_) {
    log_bound_->applied(index, payload.size);
    const LogMemoryBound::Setting next = log_bound_->setting(raft_->log.snapshot.last_index);
    raft_set_snapshot_threshold(raft_, next.threshold);  // read after this apply
    raft_set_snapshot_trailing(raft_, next.trailing);
  }
  if (index <= fsm_->applied_index()) {
    ++stats_.entries_skipped;  // replayed after a restart: the store already holds it
    return 0;
  }
  // Barriers and configuration entries since the last command (§3).
  if (Status advanced = advance_to(index - 1); !advanced.ok()) return fail(advanced.error());
  // No commit here: the state machine's group stays open across apply callbacks and is
  // written by count (its own) or by time (the host's timer calling commit_point).
  int rv = apply_decoded(index, wire::decode_entry(payload));
  // Answers this node's request at this index (or one this index replaced); last, since a
  // callback may submit again.
  settle_applied();
  return rv;
}

int Node::apply_decoded(std::uint64_t index, const Result<wire::Entry>& entry) {
  if (!entry.ok() || !entry->proposal) {
    // A no-op, or bytes no node can decode (every node sees the same bytes, so every node
    // advances the same way): the index advances, nothing else is written.
    auto advanced = fsm_->apply_noop(index);
    if (!advanced.ok()) return fail(std::move(advanced).error());
    count_applied(*advanced);
    if (!entry.ok()) {
      emit({"warn",
            "entry_malformed",
            {{"index", std::to_string(index)}, {"reason", entry.error().message}}});
      fsm::ApplyReport report;
      report.status = fsm::ApplyReport::Status::kRejectedPlan;
      report.rejection = entry.error();
      apply_trace_.record(index, nullptr, &report, *fsm_);
      record(index, nullptr, std::move(report));
    } else {
      apply_trace_.record(index, nullptr, nullptr, *fsm_);
    }
    return 0;
  }
  auto applied = fsm_->apply(index, *entry->proposal);
  if (!applied.ok()) return fail(std::move(applied).error());
  TALLY_INVARIANT(fsm_->applied_index() == index, "apply advanced to the entry's index");
  count_applied(applied->advance);
  apply_trace_.record(index, &*entry->proposal, &*applied, *fsm_);
  record(index, &*entry->proposal, std::move(applied).value());
  return 0;
}

int Node::fsm_snapshot(struct raft_fsm* fsm, struct raft_buffer* bufs[], unsigned* n_bufs) {
  return static_cast<Node*>(fsm->data)->take_snapshot(bufs, n_bufs);
}

int Node::take_snapshot(struct raft_buffer* bufs[], unsigned* n_bufs) {
  // On the loop, and short: the image is the store, so bring it to libraft's applied index
  // (§3, group commit) and pin that view; the copy happens in snapshot_async, off the loop.
  *bufs = nullptr;
  *n_bufs = 0;
  TALLY_INVARIANT(snapshot_job_ == nullptr, "libraft takes one snapshot at a time");
  if (Status caught_up = catch_up(); !caught_up.ok()) return RAFT_IOERR;
  if (Status committed = commit_point(); !committed.ok()) return RAFT_IOERR;
  // The store may be ahead of libraft's applied index while libraft replays the log after a
  // restart; the envelope then names the store's index and the installing node skips the
  // entries between the two, as this node does.
  TALLY_INVARIANT(fsm_->durable_index() == fsm_->applied_index(), "the group is committed");
  auto image = host_->pin_image();
  if (!image.ok()) return fail(std::move(image).error());
  wire::SnapshotHeader header;
  header.applied_index = fsm_->applied_index();
  header.term = raft_->current_term;
  header.image_kind = host_->image_kind();
  snapshot_job_ =
      std::make_unique<SnapshotJob>(header, std::move(image).value(), config_.snapshot_chunk_bytes);
  return 0;
}

// On libraft's snapshot thread: touches the job only (snapshot_job.hpp).
int Node::fsm_snapshot_async(struct raft_fsm* fsm, struct raft_buffer* bufs[], unsigned* n_bufs) {
  auto* node = static_cast<Node*>(fsm->data);
  TALLY_INVARIANT(node->snapshot_job_ != nullptr, "snapshot_async after a successful snapshot");
  return node->snapshot_job_->run(bufs, n_bufs);
}

// On the loop, after the snapshot is written or abandoned: the buffers are ours to free.
int Node::fsm_snapshot_finalize(struct raft_fsm* fsm, struct raft_buffer* bufs[],
                                unsigned* n_bufs) {
  for (unsigned i = 0; i < *n_bufs; ++i)
    raft_free((*bufs)[i].base);
  raft_free(*bufs);
  *bufs = nullptr;
  *n_bufs = 0;
  static_cast<Node*>(fsm->data)->finish_snapshot();
  return 0;
}

void Node::finish_snapshot() {
  if (snapshot_job_ == nullptr) return;
  std::unique_ptr<SnapshotJob> job = std::move(snapshot_job_);
  if (job->error() && job->error()->code == Code::kStopped) return;  // cancelled at stop
  if (job->error()) {
    // The store could not be read back: as fatal as any other storage error (§5).
    fail(*job->error());
    return;
  }
  if (!job->done()) return;  // libraft abandoned it before the copy (closing, no memory)
  ++stats_.snapshots_taken;
  stats_.snapshot_chunks_taken += job->header().chunk_count;
  remember_digest(job->header().applied_index, job->header().store_digest);
}

int Node::fsm_restore(struct raft_fsm* fsm, struct raft_buffer* buf) {
  auto* node = static_cast<Node*>(fsm->data);
  int rv = node->restore_snapshot(ByteView(static_cast<const std::uint8_t*>(buf->base), buf->len));
  if (rv == 0) raft_free(buf->base);  // on success the buffer is the FSM's to free
  if (rv == 0 && node->log_bound_) node->log_bound_->restored();
  return rv;
}

Result<Node::StagedInstall> Node::stage_install(ByteView bytes) const {
  auto view = wire::read_snapshot(bytes);
  if (!view.ok()) return std::move(view).error();
  if (view->header.image_kind != host_->image_kind())
    return make_error(Code::kCorrupt, "an image of another store kind");
  TALLY_TRY(wire::verify_snapshot_image(*view));
  std::shared_ptr<fsm::StateMachine::Prepared> prepared;
  auto digest = host_->stage(view->image(), [&](const store::KeyValueStore& staged) -> Status {
    auto read = fsm::StateMachine::prepare(staged, config_.fsm);
    if (!read.ok()) return std::move(read).error();
    prepared = std::make_shared<fsm::StateMachine::Prepared>(std::move(read).value());
    return ok_status();
  });
  if (!digest.ok()) return std::move(digest).error();
  if (*digest != view->header.store_digest) {
    host_->discard_staged();
    return make_error(Code::kCorrupt, "a staged snapshot does not match its envelope");
  }
  return StagedInstall{bytes.data, bytes.size, view->header.applied_index, std::move(prepared)};
}

void Node::staged(Result<StagedInstall> staged) {
  if (!staged.ok()) {
    // restore installs the image whole and refuses it there if it is bad.
    emit({"warn", "snapshot_not_staged", {{"reason", staged.error().message}}});
    staged_install_.reset();
    return;
  }
  staged_install_ = staged.value();
}

int Node::restore_snapshot(ByteView bytes) {
  if (failure_) return RAFT_IOERR;
  TALLY_INVARIANT(snapshot_job_ == nullptr,
                  "libraft installs no snapshot while one is being taken");
  const auto started = std::chrono::steady_clock::now();
  // The image staged for this very buffer, if any (stage_install).
  std::optional<StagedInstall> staged = std::exchange(staged_install_, std::nullopt);
  if (staged && (staged->data != bytes.data || staged->size != bytes.size)) {
    host_->discard_staged();
    staged.reset();
  }
  auto refuse = [&](const std::string& why) {
    ++stats_.snapshots_refused;
    if (staged) host_->discard_staged();
    emit({"error", "snapshot_refused", {{"reason", why}}});
    return RAFT_CORRUPT;
  };
  // The envelope and the chunk layout first: cheap, no hashing.
  auto view = wire::read_snapshot(bytes);
  if (!view.ok()) return refuse(view.error().message);
  if (view->header.image_kind != host_->image_kind()) {
    return refuse("an image of another store kind");
  }
  if (view->header.applied_index <= fsm_->applied_index()) {
    // Our store is as new or newer (a restart restores the last snapshot first): keep it;
    // libraft replays the later entries and apply skips what the store already holds. Known
    // before the image is hashed, so a restart does not pay for a pass over the image.
    ++stats_.snapshots_kept;
    if (staged) host_->discard_staged();
    return 0;
  }
  if (staged && staged->applied_index != view->header.applied_index) {
    host_->discard_staged();
    staged.reset();
  }
  // Every byte of the image is checked before the store is touched (by stage_install, off
  // the loop, for a staged image).
  if (!staged) {
    if (Status verified = wire::verify_snapshot_image(*view); !verified.ok()) {
      return refuse(verified.error().message);
    }
  }
  if (Status committed = commit_point(); !committed.ok()) return RAFT_IOERR;
  reads_.reset();
  fsm_.reset();
  Status installed = staged ? host_->install_staged() : host_->install(view->image());
  // A staged store comes with its state machine prepared on the worker; a failed swap leaves
  // the old store, whole unless the host says otherwise: then the node stops, and a restart
  // restores libraft's snapshot over it and replays the log.
  auto prepared = staged && installed.ok() ? staged->prepared : nullptr;
  if (Status reopened = open_state_machine(std::move(prepared)); !reopened.ok())
    return fail(reopened.error());
  if (!installed.ok() && !host_->kept_whole()) {
    return fail(make_error(
        installed.error().code,
        installed.error().message + "; the old store was reopened without its write-ahead log"));
  }
  if (!installed.ok()) {
    emit({"error",
          "snapshot_install_failed",
          {{"reason", installed.error().message}, {"store", "kept"}}});
    return RAFT_IOERR;
  }
  // A staged image's store digest was checked against the envelope when it was staged.
  if (!staged) {
    auto digest = store_digest(host_->store());
    if (!digest.ok()) return fail(std::move(digest).error());
    if (*digest != view->header.store_digest)
      return fail(make_error(Code::kCorrupt, "an installed snapshot does not match its envelope"));
  }
  if (fsm_->applied_index() != view->header.applied_index) {
    return fail(make_error(Code::kCorrupt, "an installed snapshot does not match its envelope"));
  }
  ++stats_.snapshots_installed;
  if (staged) ++stats_.snapshots_installed_staged;
  remember_digest(view->header.applied_index, view->header.store_digest);
  const auto loop_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  emit({"info",
        "snapshot_installed",
        {{"index", std::to_string(view->header.applied_index)},
         {"staged", staged ? "true" : "false"},
         {"loop_us", std::to_string(loop_us)}}});
  settle_applied();  // requests at indexes the image brought in did not apply here
  return 0;
}

namespace {

struct ChangeRequest {
  struct raft_change change = {};
  ChangeCallback done;
};

void change_done(struct raft_change* req, int status) {
  std::unique_ptr<ChangeRequest> owned(static_cast<ChangeRequest*>(req->data));
  if (owned->done) owned->done(status);
}

struct TransferRequest {
  struct raft_transfer transfer = {};
  std::function<void()> done;
};

void transfer_done(struct raft_transfer* req) {
  std::unique_ptr<TransferRequest> owned(static_cast<TransferRequest*>(req->data));
  if (owned->done) owned->done();
}

template <class Start>
int start_change(ChangeCallback done, Start start) {
  auto request = std::make_unique<ChangeRequest>();
  request->done = std::move(done);
  request->change.data = request.get();
  int rv = start(&request->change);
  if (rv == 0) request.release();  // change_done owns it now
  return rv;
}

}  // namespace

int Node::add_server(std::uint64_t id, const std::string& address, ChangeCallback done) {
  return start_change(std::move(done), [&](struct raft_change* change) {
    return raft_add(raft_, change, id, address.c_str(), change_done);
  });
}

int Node::assign_role(std::uint64_t id, int role, ChangeCallback done) {
  return start_change(std::move(done), [&](struct raft_change* change) {
    return raft_assign(raft_, change, id, role, change_done);
  });
}

int Node::remove_server(std::uint64_t id, ChangeCallback done) {
  return start_change(std::move(done), [&](struct raft_change* change) {
    return raft_remove(raft_, change, id, change_done);
  });
}

int Node::transfer_leadership(std::uint64_t id, std::function<void()> done) {
  auto request = std::make_unique<TransferRequest>();
  request->done = std::move(done);
  request->transfer.data = request.get();
  int rv = raft_transfer(raft_, &request->transfer, id, transfer_done);
  if (rv == 0) request.release();  // transfer_done owns it now
  return rv;
}

}  // namespace tally::replica
