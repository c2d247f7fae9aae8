#include "native/http/reads.hpp"

#include "native/http/writes.hpp"
#include "native/json/request_json.hpp"

namespace tally::http {
namespace {

// Polls the node's applied index until the client's Tally-Applied-Index (bounded).
struct ReadWait {
  uv_timer_t timer{};
  CallPtr call;
  Handler handler = nullptr;
  std::uint64_t target = 0;
  std::uint64_t deadline_ns = 0;
};

void poll_read_wait(uv_timer_t* timer) {
  auto* wait = static_cast<ReadWait*>(timer->data);
  Server::Impl& impl = *wait->call->impl;
  bool done = true;
  if (!*wait->call->alive) {
    // The client left: nothing to answer.
  } else if (impl.node->applied_index() >= wait->target) {
    wait->handler(impl, wait->call);
  } else if (uv_hrtime() >= wait->deadline_ns) {
    impl.respond_error(wait->call,
                       unavailable("STALE_READ", "this node has applied " +
                                                     std::to_string(impl.node->applied_index()) +
                                                     ", not yet " + std::to_string(wait->target)));
  } else {
    done = false;
  }
  if (done) {
    uv_timer_stop(timer);
    uv_close(reinterpret_cast<uv_handle_t*>(timer),
             [](uv_handle_t* handle) { delete static_cast<ReadWait*>(handle->data); });
  }
}

}  // namespace

void run_read(Server::Impl& impl, const CallPtr& call, Handler handler) {
  // An index recorded from another cluster's write (Tally-Cluster-Id names it) means nothing
  // here: the read does not wait for it.
  const auto cluster = call->header("tally-cluster-id");
  const bool ours = !cluster || *cluster == impl.config.cluster_id;
  const auto seen = call->header("tally-applied-index");
  if (!seen && !impl.node->is_leader() && impl.config.peer_http.count(impl.node->leader_id())) {
    return redirect_to_leader(impl, call);
  }
  if (seen && ours) {
    auto target = json::parse_id(*seen, "Tally-Applied-Index");
    if (!target.ok()) return impl.respond_error(call, target.error());
    if (impl.node->applied_index() < target.value()) {
      auto* wait = new ReadWait();
      wait->call = call;
      wait->handler = handler;
      wait->target = target.value();
      wait->deadline_ns = uv_hrtime() + impl.config.read_wait_ms * 1000000;
      uv_timer_init(impl.loop, &wait->timer);
      wait->timer.data = wait;
      uv_timer_start(&wait->timer, poll_read_wait, 2, 2);
      return;
    }
  }
  handler(impl, call);
}

}  // namespace tally::http
