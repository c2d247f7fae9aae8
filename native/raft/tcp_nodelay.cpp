#include "native/raft/tcp_nodelay.hpp"

#include <uv.h>

#include <atomic>

#include "core/invariant.hpp"

namespace tally::replica {
namespace {

// The callbacks handed to the wrappers carry no pointer of ours (libraft owns t->data and
// req->data), so what they forward to is kept here: libraft's own functions, the same for
// every transport of the process.
std::atomic<decltype(raft_uv_transport::listen)> tcp_listen{nullptr};
std::atomic<decltype(raft_uv_transport::connect)> tcp_connect{nullptr};
std::atomic<raft_uv_accept_cb> accepted_by{nullptr};
std::atomic<raft_uv_connect_cb> connected_by{nullptr};

template <class F>
void remember(std::atomic<F>& slot, F f) {
  F expected = nullptr;
  if (!slot.compare_exchange_strong(expected, f)) {
    TALLY_INVARIANT(expected == f, "libraft's TCP transport functions are one per process");
  }
}

void nodelay(struct uv_stream_s* stream) {
  // A failure leaves Nagle on: slower, never wrong.
  (void)uv_tcp_nodelay(reinterpret_cast<uv_tcp_t*>(stream), 1);
}

void on_accept(struct raft_uv_transport* t, raft_id id, const char* address,
               struct uv_stream_s* stream) {
  nodelay(stream);
  accepted_by.load()(t, id, address, stream);
}

void on_connect(struct raft_uv_connect* req, struct uv_stream_s* stream, int status) {
  if (status == 0) nodelay(stream);
  connected_by.load()(req, stream, status);
}

int listen_with_nodelay(struct raft_uv_transport* t, raft_uv_accept_cb cb) {
  remember(accepted_by, cb);
  return tcp_listen.load()(t, &on_accept);
}

int connect_with_nodelay(struct raft_uv_transport* t, struct raft_uv_connect* req, raft_id id,
                         const char* address, raft_uv_connect_cb cb) {
  remember(connected_by, cb);
  return tcp_connect.load()(t, req, id, address, &on_connect);
}

}  // namespace

void set_tcp_nodelay(struct raft_uv_transport* t) {
  TALLY_INVARIANT(t->listen != &listen_with_nodelay, "a transport is wrapped once");
  remember(tcp_listen, t->listen);
  remember(tcp_connect, t->connect);
  t->listen = &listen_with_nodelay;
  t->connect = &connect_with_nodelay;
}

}  // namespace tally::replica
