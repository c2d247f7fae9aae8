// UvHost: a Node on libraft's production backends (docs/design.md §9): the libuv disk I/O
// (segments and snapshots under <data_dir>/raft) and the peer transport (mutual TLS when
// UvConfig::peer_tls is set, else libraft's plaintext TCP), on a libuv loop the caller runs. The
// store is SQLite at <data_dir>/store.db.
//
// Start: ignores SIGPIPE for the process (a peer closing a connection must not kill the
// node; libuv reports EPIPE), creates the directories, opens the store and the node, raft_init,
// bootstraps the configured voters (RAFT_CANTBOOTSTRAP on a restart is expected and ignored,
// docs/toolchain.md), then raft_start: libraft restores its last snapshot and replays the later
// entries, which the node skips up to the store's applied index. A Raft directory whose files
// cannot be read (garbage metadata, a truncated segment) fails start with kCorrupt and libraft's
// message naming the file; libraft's auto-recovery (moving a corrupt segment aside) is off, so the
// files stay as they were. A failure after raft_init closes libraft on the loop before start
// returns. Close: commits, raft_close; in its callback
// raft_uv_close then the transport's release, and the node answers whatever libraft left. A failed
// node (Node::failure) closes its host by itself on the loop's next turn, without committing, and
// then calls the failure handler: the process decides whether to exit, libraft is already down. The
// host's memory must outlive the loop's handles: destroy it only after the loop has run to
// completion (or uv_run returned with nothing active). Everything runs on the loop's thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

extern "C" {
#include <raft.h>
#include <raft/uv.h>
#include <uv.h>
}

#include "native/raft/append_pacer.hpp"
#include "native/raft/node.hpp"
#include "native/tls/tls_transport.hpp"

namespace tally::replica {

struct Peer {
  std::uint64_t id = 0;
  std::string address;  // "127.0.0.1:9001"
};

struct UvConfig {
  std::string address;                 // this node's, as in voters
  std::string data_dir;                // created if missing
  std::vector<Peer> voters;            // the bootstrap configuration (this node included);
                                       // empty: join a running cluster (Node::add_server)
  unsigned snapshot_threshold = 1024;  // entries between snapshots
  unsigned snapshot_trailing = 256;    // entries kept in the log behind a snapshot
  // Bytes of log libraft may hold in memory (log_memory_bound.hpp); 0: bounded in entries only.
  std::uint64_t log_memory_bytes_max = 0;
  unsigned heartbeat_ms = 100;
  unsigned election_timeout_ms = 1000;
  // The time bound of group commit: the open group is written at least this often (the
  // count bound is NodeConfig::fsm.group_entries_max).
  unsigned group_commit_interval_ms = 10;
  // Peers over mutual TLS (native/tls/tls_transport.hpp); none: libraft's plaintext TCP.
  std::optional<tls::PeerTlsConfig> peer_tls;
};

class UvHost {
 public:
  static Result<std::unique_ptr<UvHost>> start(uv_loop_t* loop, UvConfig config,
                                               NodeConfig node_config);
  ~UvHost();
  UvHost(const UvHost&) = delete;
  UvHost& operator=(const UvHost&) = delete;

  Node& node() { return *node_; }
  // Starts a clean stop; done is called once libraft and its backends are closed. With
  // commit false the open group is dropped, as a crash would drop it (tests: the log must
  // replay it on the next start). Idempotent: on a host already closing, done is called when
  // that close completes; on a closed host, at once.
  void close(std::function<void()> done, bool commit = true);
  bool closed() const { return closed_; }
  // Called once the host has closed itself after its node failed.
  void on_failure_closed(std::function<void()> handler) { on_failure_closed_ = std::move(handler); }

 private:
  UvHost() = default;
  static void raft_closed(struct raft* raft);
  static void commit_tick(uv_timer_t* timer);
  static void failure_tick(uv_timer_t* timer);
  static void handle_closed(uv_handle_t* handle);
  // A failure of start() after raft_init: closes raft on the loop, then returns error.
  Error abandon(uv_loop_t* loop, Error error);
  int init_transport(uv_loop_t* loop);
  void release_transport();
  // libraft's snapshot_put, wrapped: an install from the leader (trailing 0) is staged on
  // the thread pool first (Node::stage_install), then handed to the backend's own.
  static int snapshot_put_staged(struct raft_io* io, unsigned trailing,
                                 struct raft_io_snapshot_put* req,
                                 const struct raft_snapshot* snapshot, raft_io_snapshot_put_cb cb);
  struct StagingJob;
  static void staging_work(uv_work_t* work);
  static void staging_done(uv_work_t* work, int status);
  // Closes fd on the thread pool: the replaced store file of an install, whose blocks the
  // close frees (SqliteHost::set_file_closer).
  void close_file_off_loop(int fd);
  struct FileCloseJob;
  static void file_close_work(uv_work_t* work);
  static void file_close_done(uv_work_t* work, int status);
  // Runs the store's write-ahead-log checkpoint on the thread pool (SqliteHost::
  // set_checkpoint_runner), one at a time: a request while one runs is dropped, the next
  // commit past the threshold asks again.
  void checkpoint_off_loop(const std::string& path);
  struct CheckpointJob;
  static void checkpoint_work(uv_work_t* work);
  static void checkpoint_done(uv_work_t* work, int status);
  // A job on the thread pool ended: the last one finishes a close raft already completed.
  void job_done();
  void finish_close();

  UvConfig config_;
  uv_loop_t* loop_ = nullptr;
  std::unique_ptr<Node> node_;
  struct raft_uv_transport transport_ = {};
  struct raft_io io_ = {};
  AppendPacer pacer_;  // wraps io_: several batches in flight still commit (append_pacer.hpp)
  struct raft raft_ = {};
  uv_timer_t commit_timer_ = {};
  uv_timer_t failure_timer_ = {};  // a 0 ms shot: closes raft outside libraft's callback
  bool initialised_ = false, closing_ = false, closed_ = false;
  // The backend's snapshot_put, and whether a staging job runs (close waits for it: the job
  // points into this host and holds libraft's request).
  int (*backend_snapshot_put_)(struct raft_io*, unsigned, struct raft_io_snapshot_put*,
                               const struct raft_snapshot*, raft_io_snapshot_put_cb) = nullptr;
  bool staging_ = false, raft_closed_ = false;
  bool checkpointing_ = false;
  int jobs_running_ = 0;  // staging, file-close and checkpoint jobs: close waits for them
  int handles_open_ = 0;  // the timers closed by close() whose callbacks have not run
  std::function<void()> on_closed_;
  std::function<void()> on_failure_closed_;
};

}  // namespace tally::replica
