#include "native/raft/uv_host.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "native/raft/tcp_nodelay.hpp"
#include "native/sqlite/sqlite_store.hpp"

namespace tally::replica {

namespace {

Error raft_error(const std::string& what, int rv) {
  return make_error(Code::kStorage, what + ": " + raft_strerror(rv));
}

// A failure to read the Raft directory's own files (metadata, segments, snapshots: corrupt,
// malformed, short or unreadable) is kCorrupt, which tallyd reports as a damaged data dir;
// anything else (no memory, no space) stays a storage error. libraft's message names the file.
Error unreadable_or_storage(const std::string& what, const std::string& raft_dir, int rv,
                            const std::string& detail) {
  const bool unreadable = rv == RAFT_CORRUPT || rv == RAFT_MALFORMED || rv == RAFT_IOERR;
  const std::string cause = what + ": " + raft_strerror(rv) + ": " + detail;
  if (unreadable)
    return make_error(Code::kCorrupt,
                      "raft data in " + raft_dir + " is unreadable (" + cause + ")");
  return make_error(Code::kStorage, raft_dir + ": " + cause);
}

}  // namespace

Result<std::unique_ptr<UvHost>> UvHost::start(uv_loop_t* loop, UvConfig config,
                                              NodeConfig node_config) {
  // A peer that closes its connection makes the next write raise SIGPIPE, which would kill
  // the whole process; the transport handles EPIPE itself. Process-wide, and idempotent.
  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<UvHost> host(new UvHost());
  host->config_ = std::move(config);
  host->loop_ = loop;
  const std::string raft_dir = host->config_.data_dir + "/raft";
  std::error_code ec;
  std::filesystem::create_directories(raft_dir, ec);
  if (ec) return make_error(Code::kStorage, "create " + raft_dir + ": " + ec.message());

  auto store = SqliteHost::open(host->config_.data_dir + "/store.db");
  if (!store.ok()) return std::move(store).error();
  store.value()->set_file_closer([raw = host.get()](int fd) { raw->close_file_off_loop(fd); });
  store.value()->set_checkpoint_runner(
      [raw = host.get()](const std::string& path) { raw->checkpoint_off_loop(path); });
  const std::uint64_t id = node_config.id;
  auto node = Node::open(std::move(node_config), std::move(store).value());
  if (!node.ok()) return std::move(node).error();
  host->node_ = std::move(node).value();

  int rv = host->init_transport(loop);
  if (rv != 0) return raft_error("transport init", rv);
  rv = raft_uv_init(&host->io_, loop, raft_dir.c_str(), &host->transport_);
  if (rv != 0) {
    host->release_transport();
    return raft_error("raft_uv_init", rv);
  }
  // A corrupt segment would otherwise be renamed aside and the load retried: the node would
  // start without log entries it may have acknowledged, and a voter that forgets committed
  // entries breaks Raft's safety. Refuse instead, and leave the files to the operator.
  raft_uv_set_auto_recovery(&host->io_, false);
  declare_io_async_work(&host->io_);
  host->pacer_.install(&host->io_);
  if (host->node_->can_stage_installs()) {
    host->backend_snapshot_put_ = host->io_.snapshot_put;
    host->io_.snapshot_put = &UvHost::snapshot_put_staged;
  }
  TALLY_INVARIANT(host->io_.async_work != nullptr, "libraft's uv backend implements async_work");
  rv = raft_init(&host->raft_, &host->io_, host->node_->fsm(), id, host->config_.address.c_str());
  if (rv != 0) {
    // raft_init failed inside the backend's init (the directory check, the metadata files):
    // nothing of libraft is running yet, so its memory is released synchronously.
    Error error = unreadable_or_storage("raft_init", raft_dir, rv, raft_errmsg(&host->raft_));
    raft_uv_close(&host->io_);
    host->release_transport();
    return error;
  }
  host->initialised_ = true;
  host->raft_.data = host.get();
  host->node_->attach(&host->raft_);
  // Both timers exist from here on, so that every failure below closes through close().
  uv_timer_init(loop, &host->failure_timer_);
  host->failure_timer_.data = host.get();
  uv_timer_init(loop, &host->commit_timer_);
  host->commit_timer_.data = host.get();

  // No voters: a server joining a running cluster (the leader's add_server sends it the
  // configuration with the log); bootstrapping it would fork a cluster of its own.
  if (!host->config_.voters.empty()) {
    struct raft_configuration configuration;
    raft_configuration_init(&configuration);
    for (const Peer& peer : host->config_.voters) {
      rv = raft_configuration_add(&configuration, peer.id, peer.address.c_str(), RAFT_VOTER);
      if (rv != 0) {
        raft_configuration_close(&configuration);
        return host->abandon(loop, raft_error("raft_configuration_add", rv));
      }
    }
    rv = raft_bootstrap(&host->raft_, &configuration);
    raft_configuration_close(&configuration);
    if (rv != 0 && rv != RAFT_CANTBOOTSTRAP)
      return host->abandon(
          loop, unreadable_or_storage("raft_bootstrap", raft_dir, rv, raft_errmsg(&host->raft_)));
  }

  raft_set_snapshot_threshold(&host->raft_, host->config_.snapshot_threshold);
  raft_set_snapshot_trailing(&host->raft_, host->config_.snapshot_trailing);
  if (host->config_.log_memory_bytes_max > 0)
    host->node_->bound_log_memory(host->config_.log_memory_bytes_max);
  raft_set_heartbeat_timeout(&host->raft_, host->config_.heartbeat_ms);
  raft_set_election_timeout(&host->raft_, host->config_.election_timeout_ms);
  raft_set_pre_vote(&host->raft_, true);
  // The node fails inside a libraft callback (apply, snapshot, restore; replay included, so
  // armed before raft_start), where closing raft would pull it down under libraft's feet:
  // close on the loop's next turn instead.
  UvHost* raw = host.get();
  host->node_->on_failure([raw] {
    if (!raw->closing_) uv_timer_start(&raw->failure_timer_, &UvHost::failure_tick, 0, 0);
  });
  // raft_start copies the backend's message into raft's only when loading the log failed
  // (not when the transport cannot listen): an empty message before, a non-empty one after,
  // tells the two apart.
  host->raft_.errmsg[0] = '\0';
  rv = raft_start(&host->raft_);
  if (rv != 0) {
    const std::string detail = raft_errmsg(&host->raft_);
    Error error = detail.empty() ? raft_error("raft_start", rv)
                                 : unreadable_or_storage("raft_start", raft_dir, rv, detail);
    return host->abandon(loop, std::move(error));
  }
  uv_timer_start(&host->commit_timer_, &UvHost::commit_tick, host->config_.group_commit_interval_ms,
                 host->config_.group_commit_interval_ms);
  return host;
}

int UvHost::init_transport(uv_loop_t* loop) {
  if (config_.peer_tls) return tls::init_tls_transport(&transport_, loop, *config_.peer_tls);
  const int rv = raft_uv_tcp_init(&transport_, loop);
  if (rv == 0) set_tcp_nodelay(&transport_);
  return rv;
}

void UvHost::release_transport() {
  if (config_.peer_tls) return tls::release_tls_transport(&transport_);
  raft_uv_tcp_close(&transport_);
}

Error UvHost::abandon(uv_loop_t* loop, Error error) {
  // libraft is initialised, so its memory and handles go only through raft_close's callback,
  // which needs the loop: run it here until the host is closed, without committing (nothing
  // was applied that the Raft log does not hold). Runs the caller's other handles meanwhile,
  // as any turn of the loop would; start() is never called from inside a loop callback.
  close(nullptr, /*commit=*/false);
  while (!closed_ || handles_open_ > 0)
    uv_run(loop, UV_RUN_ONCE);
  return error;
}

void UvHost::commit_tick(uv_timer_t* timer) {
  auto* host = static_cast<UvHost*>(timer->data);
  (void)host->node_->commit_point();  // a failure is the node's: reported and kept there
}

void UvHost::failure_tick(uv_timer_t* timer) {
  auto* host = static_cast<UvHost*>(timer->data);
  if (host->closing_) return;
  host->node_->emit({"info", "raft_closing", {{"after", "node_failed"}}});
  // No commit: the node refuses every store write after its failure, and the Raft log holds
  // everything it acknowledged.
  host->close(
      [host] {
        if (host->on_failure_closed_) host->on_failure_closed_();
      },
      /*commit=*/false);
}

UvHost::~UvHost() {
  TALLY_INVARIANT(!initialised_ || closed_, "a UvHost destroyed before close() completed");
}

void UvHost::handle_closed(uv_handle_t* handle) {
  auto* host = static_cast<UvHost*>(handle->data);
  TALLY_INVARIANT(host->handles_open_ > 0, "a timer closed twice");
  --host->handles_open_;
}

void UvHost::raft_closed(struct raft* raft) {
  auto* host = static_cast<UvHost*>(raft->data);
  raft_uv_close(&host->io_);
  host->release_transport();
  host->node_->closed();
  host->raft_closed_ = true;
  if (host->jobs_running_ == 0) host->finish_close();  // else the last job_done finishes it
}

void UvHost::job_done() {
  TALLY_INVARIANT(jobs_running_ > 0, "a job done that was not running");
  --jobs_running_;
  if (raft_closed_ && jobs_running_ == 0) finish_close();
}

void UvHost::finish_close() {
  closed_ = true;
  if (on_closed_) on_closed_();
}

struct UvHost::StagingJob {
  uv_work_t work{};
  UvHost* host = nullptr;
  struct raft_io* io = nullptr;
  struct raft_io_snapshot_put* req = nullptr;
  const struct raft_snapshot* snapshot = nullptr;
  raft_io_snapshot_put_cb cb = nullptr;
  std::optional<Result<Node::StagedInstall>> staged;  // the worker's answer
};

int UvHost::snapshot_put_staged(struct raft_io* io, unsigned trailing,
                                struct raft_io_snapshot_put* req,
                                const struct raft_snapshot* snapshot, raft_io_snapshot_put_cb cb) {
  auto* host = static_cast<UvHost*>(static_cast<struct raft*>(io->data)->data);
  // Only an install (libraft's "replace everything") is followed by restore; a snapshot
  // this node took is written as it is. libraft puts one snapshot at a time.
  if (trailing != 0 || snapshot->n_bufs != 1 || host->closing_ || host->staging_)
    return host->backend_snapshot_put_(io, trailing, req, snapshot, cb);
  auto job = std::make_unique<StagingJob>();
  job->host = host;
  job->io = io;
  job->req = req;
  job->snapshot = snapshot;
  job->cb = cb;
  job->work.data = job.get();
  const int queued =
      uv_queue_work(host->loop_, &job->work, &UvHost::staging_work, &UvHost::staging_done);
  TALLY_INVARIANT(queued == 0, "uv_queue_work takes a job with both callbacks");
  host->staging_ = true;
  ++host->jobs_running_;
  job.release();  // staging_done owns it
  return 0;
}

void UvHost::staging_work(uv_work_t* work) {  // on a pool thread
  auto* job = static_cast<StagingJob*>(work->data);
  const struct raft_buffer& buffer = job->snapshot->bufs[0];
  job->staged.emplace(job->host->node_->stage_install(
      ByteView(static_cast<const std::uint8_t*>(buffer.base), buffer.len)));
}

void UvHost::staging_done(uv_work_t* work, int status) {  // on the loop
  std::unique_ptr<StagingJob> job(static_cast<StagingJob*>(work->data));
  UvHost* host = job->host;
  host->staging_ = false;
  if (status != 0 || host->closing_) {
    // libraft is closing: its callback discards the snapshot and frees the request.
    if (status == 0 && job->staged->ok()) host->node_->discard_staged_install();
    job->cb(job->req, RAFT_CANCELED);
    host->job_done();
    return;
  }
  host->node_->staged(std::move(*job->staged));
  const int rv = host->backend_snapshot_put_(job->io, 0, job->req, job->snapshot, job->cb);
  if (rv != 0) job->cb(job->req, rv);  // libraft discards the snapshot and answers the leader
  host->job_done();
}

struct UvHost::FileCloseJob {
  uv_work_t work{};
  UvHost* host = nullptr;
  int fd = -1;
};

void UvHost::close_file_off_loop(int fd) {
  auto job = std::make_unique<FileCloseJob>();
  job->host = this;
  job->fd = fd;
  job->work.data = job.get();
  const int queued =
      uv_queue_work(loop_, &job->work, &UvHost::file_close_work, &UvHost::file_close_done);
  TALLY_INVARIANT(queued == 0, "uv_queue_work takes a job with both callbacks");
  ++jobs_running_;
  job.release();  // file_close_done owns it
}

void UvHost::file_close_work(uv_work_t* work) {  // on a pool thread
  ::close(static_cast<FileCloseJob*>(work->data)->fd);
}

void UvHost::file_close_done(uv_work_t* work, int status) {  // on the loop
  std::unique_ptr<FileCloseJob> job(static_cast<FileCloseJob*>(work->data));
  if (status == UV_ECANCELED) ::close(job->fd);
  job->host->job_done();
}

struct UvHost::CheckpointJob {
  uv_work_t work{};
  UvHost* host = nullptr;
  std::string path;
  Status result = ok_status();
};

void UvHost::checkpoint_off_loop(const std::string& path) {
  if (checkpointing_ || raft_closed_) return;
  auto job = std::make_unique<CheckpointJob>();
  job->host = this;
  job->path = path;
  job->work.data = job.get();
  const int queued =
      uv_queue_work(loop_, &job->work, &UvHost::checkpoint_work, &UvHost::checkpoint_done);
  TALLY_INVARIANT(queued == 0, "uv_queue_work takes a job with both callbacks");
  checkpointing_ = true;
  ++jobs_running_;
  job.release();  // checkpoint_done owns it
}

void UvHost::checkpoint_work(uv_work_t* work) {  // on a pool thread
  auto* job = static_cast<CheckpointJob*>(work->data);
  job->result = sqlite::SqliteStore::checkpoint_file(job->path);
}

void UvHost::checkpoint_done(uv_work_t* work, int) {  // on the loop
  std::unique_ptr<CheckpointJob> job(static_cast<CheckpointJob*>(work->data));
  UvHost* host = job->host;
  host->checkpointing_ = false;
  // A checkpoint that fails leaves the log longer, nothing else: the writer's commits do not
  // depend on it, and the next one past the threshold tries again.
  if (!job->result.ok()) {
    host->node_->emit({"warn", "checkpoint_failed", {{"reason", job->result.error().message}}});
  }
  host->job_done();
}

void UvHost::close(std::function<void()> done, bool commit) {
  TALLY_INVARIANT(initialised_, "close() on a started host");
  if (closed_) {
    if (done) done();
    return;
  }
  if (closing_) {  // already closing (the node failed, or a second caller): chain done
    if (done) {
      on_closed_ = [first = std::move(on_closed_), then = std::move(done)] {
        if (first) first();
        then();
      };
    }
    return;
  }
  closing_ = true;
  on_closed_ = std::move(done);
  uv_timer_stop(&commit_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&commit_timer_), &UvHost::handle_closed);
  uv_timer_stop(&failure_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&failure_timer_), &UvHost::handle_closed);
  handles_open_ = 2;  // the two timers, until their close callbacks
  node_->cancel_snapshot();
  Status committed = commit ? node_->stop() : ok_status();
  if (!committed.ok()) {
    node_->emit({"error", "stop_commit_failed", {{"reason", committed.error().message}}});
  }
  raft_close(&raft_, &UvHost::raft_closed);
}

}  // namespace tally::replica
