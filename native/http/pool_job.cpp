#include "native/http/pool_job.hpp"

#include "core/invariant.hpp"
#include "native/http/server_impl.hpp"

namespace tally::http {

PoolJob::PoolJob(Server::Impl& impl, CallPtr call)
    : impl_(&impl),
      call_(std::move(call)),
      wal_bytes_(impl.node->wal_log_gauge()),
      wal_bytes_max_(impl.config.view_wal_bytes_max) {}

bool PoolJob::should_stop() {
  if (stop_.load(std::memory_order_relaxed)) return true;
  if (wal_bytes_max_ != 0 && wal_bytes_() > wal_bytes_max_) view_expired_ = true;
  return view_expired_;
}

ApiError PoolJob::view_expired_error() const {
  return unavailable("VIEW_EXPIRED",
                     "stopped: the store's write-ahead log passed " +
                         std::to_string(wal_bytes_max_ >> 20) +
                         " MiB while this job held its read view (tallyd --view-wal-max-mb); "
                         "retry when writes are lighter");
}

void PoolJob::start(Server::Impl& impl, PoolJob*& slot, std::unique_ptr<PoolJob> job) {
  TALLY_INVARIANT(slot == nullptr, "one pool job of a kind at a time");
  job->slot_ = &slot;
  job->work_.data = job.get();
  const int queued =
      uv_queue_work(impl.loop, &job->work_, &PoolJob::run_on_pool, &PoolJob::done_on_loop);
  TALLY_INVARIANT(queued == 0, "uv_queue_work takes a job with both callbacks");
  slot = job.release();
}

void PoolJob::request_stop(PoolJob* slot) {
  if (slot != nullptr) slot->stop_.store(true, std::memory_order_relaxed);
}

void PoolJob::finish(uv_loop_t* loop, PoolJob*& slot) {
  if (slot == nullptr) return;
  request_stop(slot);
  uv_cancel(reinterpret_cast<uv_req_t*>(&slot->work_));  // fails once it runs: fine
  while (slot != nullptr)
    uv_run(loop, UV_RUN_ONCE);
}

void PoolJob::run_on_pool(uv_work_t* work) {
  static_cast<PoolJob*>(work->data)->run();
}

void PoolJob::done_on_loop(uv_work_t* work, int status) {
  std::unique_ptr<PoolJob> job(static_cast<PoolJob*>(work->data));
  TALLY_INVARIANT(*job->slot_ == job.get(), "a pool job is the one in its slot");
  *job->slot_ = nullptr;
  TALLY_INVARIANT(status == 0 || status == UV_ECANCELED, "a pool job ran or was cancelled");
  job->done(status == UV_ECANCELED);
}

}  // namespace tally::http
