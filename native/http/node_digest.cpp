// GET /_tally/digest: the store digest (native/raft/store_digest.hpp) at this node's applied
// index, computed fresh. Hashing every row takes time proportional to the store, so it runs
// on libuv's thread pool over a pinned read view, as /_tally/check does (node_routes.cpp),
// never on the loop that runs Raft. The node remembers the answer: /_tally/info reports the
// last digest known, with the applied index it covers. One digest at a time; a second
// request meanwhile gets 503 DIGEST_RUNNING with Retry-After.
#include "native/http/pool_job.hpp"
#include "native/http/route_table.hpp"
#include "native/raft/store_digest.hpp"

namespace tally::http {

namespace {

class DigestJob final : public PoolJob {
 public:
  DigestJob(Server::Impl& impl, CallPtr call, std::unique_ptr<store::KeyValueStore> view,
            std::uint64_t applied_index)
      : PoolJob(impl, std::move(call)), view_(std::move(view)), applied_index_(applied_index) {}

 private:
  void run() override {
    digest_.emplace(replica::store_digest(*view_, [this] { return should_stop(); }));
    view_.reset();  // ends the read transaction
  }

  void done(bool cancelled) override {
    if (cancelled) {
      return impl().respond_error(
          call(), unavailable("NODE_STOPPING", "the node stopped before the digest"));
    }
    TALLY_INVARIANT(digest_.has_value(), "a digest job that ran");
    if (view_expired()) {
      impl().log("event=digest stopped=true reason=wal_bytes");
      return impl().respond_error(call(), view_expired_error());
    }
    if (!digest_->ok()) return impl().respond_error(call(), digest_->error());
    impl().node->remember_digest(applied_index_, digest_->value());
    json::JsonWriter out;
    out.begin_object();
    out.key("appliedIndex");
    out.u64(applied_index_);
    out.key("storeDigest");
    out.string(replica::digest_hex(digest_->value()));
    out.end_object();
    impl().respond_data(call(), 200, out.take());
  }

  std::unique_ptr<store::KeyValueStore> view_;  // pinned on the loop
  std::uint64_t applied_index_ = 0;             // the view's
  std::optional<Result<crypto::Digest>> digest_;
};

}  // namespace

void handle_node_digest(Server::Impl& impl, const CallPtr& call) {
  if (impl.digest_job != nullptr) {
    return impl.respond_error(
        call, unavailable("DIGEST_RUNNING", "a digest is already running on this node; retry"));
  }
  // Barriers and configuration entries libraft applied count too: two nodes at one
  // raftAppliedIndex then answer for the same applied index.
  if (Status caught_up = impl.node->catch_up(); !caught_up.ok())
    return impl.respond_error(call, caught_up.error());
  auto view = impl.node->pin_read_view();
  if (!view.ok()) return impl.respond_error(call, view.error());
  PoolJob::start(
      impl, impl.digest_job,
      std::make_unique<DigestJob>(impl, call, std::move(view).value(), impl.node->applied_index()));
}

}  // namespace tally::http
