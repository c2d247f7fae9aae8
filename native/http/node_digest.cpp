// GET /_tally/digest: the store digest (native/raft/store_digest.hpp) at this node's applied
// index, computed fresh. Hashing every row takes time proportional to the store, so it runs
// on libuv's thread pool over a pinned read view, as /_tally/check does (node_routes.cpp),
// never on the loop that runs Raft. The node remembers the answer: /_tally/info reports the
// last digest known, with the applied index it covers. One digest at a time; a second
// request meanwhile gets 503 DIGEST_RUNNING with Retry-After.
#include <atomic>

#include "native/http/route_table.hpp"
#include "native/raft/store_digest.hpp"

namespace tally::http {

struct DigestJob {
  uv_work_t work{};
  Server::Impl* impl = nullptr;
  CallPtr call;
  std::unique_ptr<store::KeyValueStore> view;  // pinned on the loop
  std::uint64_t applied_index = 0;             // the view's
  std::atomic<bool> stop{false};               // set on the loop, read by the worker
  std::optional<Result<crypto::Digest>> digest;
};

namespace {

void digest_work(uv_work_t* work) {  // on a pool thread: the job only
  auto* job = static_cast<DigestJob*>(work->data);
  job->digest.emplace(replica::store_digest(
      *job->view, [job] { return job->stop.load(std::memory_order_relaxed); }));
  job->view.reset();  // ends the read transaction
}

void digest_done(uv_work_t* work, int status) {  // on the loop
  std::unique_ptr<DigestJob> job(static_cast<DigestJob*>(work->data));
  Server::Impl& impl = *job->impl;
  TALLY_INVARIANT(impl.digest_job == job.get(), "the server's one digest job");
  impl.digest_job = nullptr;
  if (status == UV_ECANCELED) {
    return impl.respond_error(job->call,
                              unavailable("NODE_STOPPING", "the node stopped before the digest"));
  }
  TALLY_INVARIANT(status == 0 && job->digest.has_value(), "a digest job that ran");
  if (!job->digest->ok()) return impl.respond_error(job->call, job->digest->error());
  impl.node->remember_digest(job->applied_index, job->digest->value());
  json::JsonWriter out;
  out.begin_object();
  out.key("appliedIndex");
  out.u64(job->applied_index);
  out.key("storeDigest");
  out.string(replica::digest_hex(job->digest->value()));
  out.end_object();
  impl.respond_data(job->call, 200, out.take());
}

}  // namespace

void handle_node_digest(Server::Impl& impl, const CallPtr& call) {
  if (impl.digest_job != nullptr) {
    return impl.respond_error(
        call, unavailable("DIGEST_RUNNING", "a digest is already running on this node; retry"));
  }
  auto job = std::make_unique<DigestJob>();
  // Barriers and configuration entries libraft applied count too: two nodes at one
  // raftAppliedIndex then answer for the same applied index.
  if (Status caught_up = impl.node->catch_up(); !caught_up.ok())
    return impl.respond_error(call, caught_up.error());
  auto view = impl.node->pin_read_view();
  if (!view.ok()) return impl.respond_error(call, view.error());
  job->view = std::move(view).value();
  job->applied_index = impl.node->applied_index();
  job->impl = &impl;
  job->call = call;
  job->work.data = job.get();
  const int queued = uv_queue_work(impl.loop, &job->work, digest_work, digest_done);
  TALLY_INVARIANT(queued == 0, "uv_queue_work takes a job with both callbacks");
  impl.digest_job = job.release();
}

void request_digest_stop(Server::Impl& impl) {
  if (impl.digest_job != nullptr) impl.digest_job->stop.store(true, std::memory_order_relaxed);
}

void finish_digest(Server::Impl& impl) {
  if (impl.digest_job == nullptr) return;
  request_digest_stop(impl);
  uv_cancel(reinterpret_cast<uv_req_t*>(&impl.digest_job->work));  // fails once it runs: fine
  while (impl.digest_job != nullptr)
    uv_run(impl.loop, UV_RUN_ONCE);
}

}  // namespace tally::http
