#include "native/tls/tls_transport.hpp"

#include <cstdio>
#include <cstring>

#include "native/tls/transport_state.hpp"

namespace tally::tls {

int parse_address(const std::string& address, struct sockaddr_storage* out) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return RAFT_INVALID;
  std::string host = address.substr(0, colon);
  const int port = std::atoi(address.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return RAFT_INVALID;
  std::memset(out, 0, sizeof *out);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    return uv_ip6_addr(host.c_str(), port, reinterpret_cast<struct sockaddr_in6*>(out)) == 0
               ? 0
               : RAFT_INVALID;
  }
  return uv_ip4_addr(host.c_str(), port, reinterpret_cast<struct sockaddr_in*>(out)) == 0
             ? 0
             : RAFT_INVALID;
}

int TlsTransport::init(raft_id id, const char* address) {
  id_ = id;
  address_ = address;
  int rv = uv_tcp_init(loop_, &listener_);
  if (rv != 0) return RAFT_IOERR;
  listener_.data = this;
  listener_open_ = true;
  return 0;
}

int TlsTransport::listen(raft_uv_accept_cb callback) {
  accept_callback_ = callback;
  struct sockaddr_storage address {};
  if (parse_address(address_, &address) != 0) {
    std::snprintf(transport_->errmsg, sizeof transport_->errmsg, "bad address %s",
                  address_.c_str());
    return RAFT_INVALID;
  }
  int rv = uv_tcp_bind(&listener_, reinterpret_cast<struct sockaddr*>(&address), 0);
  if (rv == 0) rv = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 64, &on_connection);
  if (rv != 0) {
    std::snprintf(transport_->errmsg, sizeof transport_->errmsg, "listen on %s: %s",
                  address_.c_str(), uv_strerror(rv));
    return RAFT_IOERR;
  }
  return 0;
}

std::size_t TlsTransport::accepting() const {
  std::size_t count = 0;
  for (const auto& connection : connections_)
    count += connection->accepting() ? 1 : 0;
  return count;
}

void TlsTransport::on_connection(uv_stream_t* listener, int status) {
  auto* self = static_cast<TlsTransport*>(listener->data);
  if (self->closing_ || status != 0) return;
  const bool full = self->accepting() >= self->config_.handshakes_max;
  self->connections_.push_back(std::make_unique<PeerConnection>(*self));
  PeerConnection& connection = *self->connections_.back();
  connection.accept(listener);
  if (full) {
    self->log("peer_refused", "more than " + std::to_string(self->config_.handshakes_max) +
                                  " connections mid-handshake");
    connection.abort(RAFT_CANCELED);
  }
}

int TlsTransport::connect(struct raft_uv_connect* request, raft_id id, const char* address,
                          raft_uv_connect_cb callback) {
  if (closing_) return RAFT_CANCELED;
  request->cb = callback;
  connections_.push_back(std::make_unique<PeerConnection>(*this));
  int rv = connections_.back()->connect(request, id, address, callback);
  if (rv != 0) connections_.pop_back();  // nothing started: libraft retries later
  return rv;
}

void TlsTransport::accepted(raft_id id, const std::string& address, uv_stream_t* stream) {
  accept_callback_(transport_, id, address.c_str(), stream);
}

void TlsTransport::log(const char* event, const std::string& detail) const {
  if (config_.log) config_.log(event, detail);
}

void TlsTransport::finished(PeerConnection* connection) {
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() == connection) {
      connections_.erase(it);
      break;
    }
  }
  maybe_closed();
}

void TlsTransport::close(raft_uv_transport_close_cb callback) {
  closing_ = true;
  close_callback_ = callback;
  if (listener_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), &on_listener_closed);
  }
  for (auto& connection : connections_)
    connection->abort(RAFT_CANCELED);
  maybe_closed();
}

void TlsTransport::on_listener_closed(uv_handle_t* handle) {
  auto* self = static_cast<TlsTransport*>(handle->data);
  self->listener_open_ = false;
  self->maybe_closed();
}

void TlsTransport::maybe_closed() {
  if (!closing_ || listener_open_ || !connections_.empty() || close_callback_ == nullptr) return;
  raft_uv_transport_close_cb callback = close_callback_;
  close_callback_ = nullptr;
  callback(transport_);
}

namespace {

TlsTransport* state_of(struct raft_uv_transport* t) {
  return static_cast<TlsTransport*>(t->impl);
}

}  // namespace

int init_tls_transport(struct raft_uv_transport* t, uv_loop_t* loop, PeerTlsConfig config) {
  TALLY_INVARIANT(config.context != nullptr, "a TLS transport needs its context");
  void* data = t->data;
  std::memset(t, 0, sizeof *t);
  t->data = data;
  t->impl = new TlsTransport(t, loop, std::move(config));
  t->init = [](struct raft_uv_transport* self, raft_id id, const char* address) {
    return state_of(self)->init(id, address);
  };
  t->listen = [](struct raft_uv_transport* self, raft_uv_accept_cb callback) {
    return state_of(self)->listen(callback);
  };
  t->connect = [](struct raft_uv_transport* self, struct raft_uv_connect* request, raft_id id,
                  const char* address, raft_uv_connect_cb callback) {
    return state_of(self)->connect(request, id, address, callback);
  };
  t->close = [](struct raft_uv_transport* self, raft_uv_transport_close_cb callback) {
    state_of(self)->close(callback);
  };
  return 0;
}

void release_tls_transport(struct raft_uv_transport* t) {
  delete state_of(t);
  t->impl = nullptr;
}

}  // namespace tally::tls
