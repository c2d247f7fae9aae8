// A request answered by work on libuv's thread pool, away from the loop that runs Raft (a
// check, a digest): the server holds at most one job of each kind in its slot, a stop asks
// the running one to end at its next step, and the server waits for it before its state goes.
#pragma once

#include <uv.h>

#include <atomic>
#include <memory>

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
  PoolJob(Server::Impl& impl, CallPtr call) : impl_(&impl), call_(std::move(call)) {}
  bool stop_requested() const { return stop_.load(std::memory_order_relaxed); }

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
};

}  // namespace tally::http
