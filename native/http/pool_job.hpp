// A request answered by work on libuv's thread pool, away from the loop that runs Raft (a
// check, a digest): the server holds at most one job of each kind in its slot, a stop asks
// the running one to end at its next step, and the server waits for it before its state goes.
// A job reads a pinned view of the store; it also ends at its next step once the store's
// write-ahead log, which the view keeps from being checkpointed, passes
// ServerConfig::view_wal_bytes_max.
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "native/http/errors.hpp"
#include "native/http/server.hpp"

namespace tally::http {

struct Call;
using CallPtr = std::shared_ptr<Call>;

class PoolJob {
 public:
  virtual ~PoolJob() = default;

  // Queues job on the loop's pool and parks it in slot until it is done.
  // REQUIRES: slot is empty (the caller answers a second request itself).
  static void start(Server::Impl& impl, PoolJob*& slot, std::unique_ptr<PoolJob> job);
  // Asks the job in slot, if any, to end at its next step.
  static void request_stop(PoolJob* slot);
  // Cancels the job in slot if it has not started, else asks it to stop, then runs the loop
  // until it is done (and answered).
  static void finish(uv_loop_t* loop, PoolJob*& slot);

 protected:
  // On the loop.
  PoolJob(Server::Impl& impl, CallPtr call);
  // On the worker, between steps: a stop was asked for, or the view is held past its bound
  // (view_expired() then says so).
  bool should_stop();
  // On the loop in done(): the job stopped because the write-ahead log passed its bound.
  bool view_expired() const { return view_expired_; }
  // The answer to a job that stopped so.
  ApiError view_expired_error() const;

  Server::Impl& impl() const { return *impl_; }
  const CallPtr& call() const { return call_; }

 private:
  // On a pool thread: touches the job only.
  virtual void run() = 0;
  // On the loop, the job out of its slot. cancelled: the pool never ran it.
  virtual void done(bool cancelled) = 0;

  static void run_on_pool(uv_work_t* work);
  static void done_on_loop(uv_work_t* work, int status);

  uv_work_t work_{};
  Server::Impl* impl_;
  CallPtr call_;
  PoolJob** slot_ = nullptr;
  std::atomic<bool> stop_{false};  // set on the loop, read by the worker
  std::function<std::uint64_t()> wal_bytes_;
  std::uint64_t wal_bytes_max_ = 0;
  bool view_expired_ = false;  // written by the worker, read on the loop once it is done
};

}  // namespace tally::http
