// AppendPacer: lets libraft 0.15's leader commit while several batches are in flight
// (docs/design.md §9, "Batches in flight").
//
// libraft 0.15's leader checks for a new commit only at its own last stored index
// (replicationQuorum(r, r->last_stored), in appendLeaderCb and replicationUpdate; upstream
// checks the acknowledged index since 0.17.1). With one batch in flight that index is the
// batch's last entry, and a follower's acknowledgement of the batch commits it. With two, the
// leader stores batch k + 1 before the followers acknowledge batch k, and their
// acknowledgement of k commits nothing: the leader commits only once a majority has caught
// up with everything it stored, which a steady load may postpone indefinitely.
//
// The pacer sits between libraft and its raft_io (any backend: libraft's uv one in tallyd,
// the in-memory fixture in tests) and holds the leader's completed appends: the completion of
// an append of the leader's term reaches libraft only once every entry the leader appended
// before it in that term has committed. libraft's last_stored is then the end of the oldest
// uncommitted append, which a follower's acknowledgement of it commits. The entries are on
// disk all the same; libraft only learns it later, as it would from a slower disk. The first
// append of a term is never held (the entries before it may be a previous term's, which only
// a current-term entry commits), nor is a follower's, nor a failed one; completions reach
// libraft in the order their appends were asked. Held completions are handed over after
// each message libraft receives and each tick (a commit, a lost leadership), after each
// completion handed over, and all of them before the backend closes.
//
// Contract: install() on an initialised io before raft_start (libraft calls the io's methods
// through its pointers, and raft_init sets io->data to the raft instance the pacer reads);
// every call runs on the thread of the io's loop. The pacer outlives the io's close callback.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

extern "C" {
#include <raft.h>
}

namespace tally::replica {

// The hold rule alone, on indexes: what AppendPacer asks of libraft's state, testable without
// it.
class AppendSchedule {
 public:
  struct RaftState {
    bool leader = false;
    std::uint64_t term = 0;
    std::uint64_t commit_index = 0;
  };
  // An append asked of the backend: entries first_index .. first_index + count - 1, with
  // libraft's state when it was asked. Returns its ticket.
  std::uint64_t asked(std::uint64_t first_index, std::uint64_t count, const RaftState& now);
  // The backend refused the append of this ticket (the latest asked): it never completes.
  void withdraw(std::uint64_t ticket);
  // The backend completed the append of this ticket with this status.
  void completed(std::uint64_t ticket, int status);
  // The next completion that may reach libraft now, in asking order, if any: {ticket, status}.
  // Removes it from the schedule.
  struct Due {
    std::uint64_t ticket = 0;
    int status = 0;
  };
  bool next_due(const RaftState& now, Due* due);
  // Every completed append, due or not, in asking order (before the backend closes).
  std::vector<Due> drain_completed();
  std::size_t outstanding() const { return appends_.size(); }
  // Completed appends that have not reached libraft yet.
  std::size_t completed_not_due() const;

 private:
  struct Append {
    std::uint64_t ticket = 0;
    std::uint64_t first_index = 0;
    std::uint64_t term = 0;
    bool as_leader = false;
    bool done = false;
    int status = 0;
  };
  bool must_hold(const Append& append, const RaftState& now) const;

  std::deque<Append> appends_;  // asking order
  std::uint64_t next_ticket_ = 1;
  // The leader term of the latest append asked as leader, and that term's first appended
  // index: the entries from there on are this leader's own.
  std::uint64_t leader_term_ = 0;
  std::uint64_t term_first_index_ = 0;
};

class AppendPacer {
 public:
  AppendPacer() = default;
  ~AppendPacer();
  AppendPacer(const AppendPacer&) = delete;
  AppendPacer& operator=(const AppendPacer&) = delete;

  // Wraps io's start, append and close. REQUIRES: before raft_start; once per pacer.
  void install(struct raft_io* io);

 private:
  struct Request {
    struct raft_io_append* req = nullptr;
    raft_io_append_cb cb = nullptr;
  };
  static AppendPacer* of(struct raft_io* io);
  static int append(struct raft_io* io, struct raft_io_append* req,
                    const struct raft_entry entries[], unsigned n, raft_io_append_cb cb);
  static void append_done(struct raft_io_append* req, int status);
  static int start(struct raft_io* io, unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv);
  static void tick(struct raft_io* io);
  static void recv(struct raft_io* io, struct raft_message* message);
  static void close(struct raft_io* io, raft_io_close_cb cb);
  AppendSchedule::RaftState state() const;
  // Hands libraft every completion due, one at a time: each may commit and make the next due.
  void deliver_due();
  void deliver(const AppendSchedule::Due& due);

  struct raft_io* io_ = nullptr;
  int (*backend_append_)(struct raft_io*, struct raft_io_append*, const struct raft_entry[],
                         unsigned, raft_io_append_cb) = nullptr;
  int (*backend_start_)(struct raft_io*, unsigned, raft_io_tick_cb, raft_io_recv_cb) = nullptr;
  void (*backend_close_)(struct raft_io*, raft_io_close_cb) = nullptr;
  raft_io_tick_cb tick_ = nullptr;
  raft_io_recv_cb recv_ = nullptr;
  AppendSchedule schedule_;
  std::deque<std::pair<std::uint64_t, Request>> requests_;  // by ticket, asking order
  bool delivering_ = false;
};

}  // namespace tally::replica
