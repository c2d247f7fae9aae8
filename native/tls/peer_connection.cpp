#include "native/tls/peer_connection.hpp"

#include <sys/socket.h>

#include <cstring>

#include "native/tls/raft_handshake.hpp"
#include "native/tls/transport_state.hpp"

namespace tally::tls {

namespace {

struct WriteRequest {
  uv_write_t request{};
  Bytes bytes;
};

PeerConnection* owner_of(uv_handle_t* handle) {
  return static_cast<PeerConnection*>(handle->data);
}

std::string remote_address_of(const uv_tcp_t* tcp) {
  struct sockaddr_storage address {};
  int length = sizeof address;
  if (uv_tcp_getpeername(tcp, reinterpret_cast<struct sockaddr*>(&address), &length) != 0)
    return "?";
  char host[64] = "?";
  int port = 0;
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const struct sockaddr_in*>(&address);
    uv_ip4_name(v4, host, sizeof host);
    port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const struct sockaddr_in6*>(&address);
    uv_ip6_name(v6, host, sizeof host);
    port = ntohs(v6->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

int PeerConnection::start_common() {
  uv_tcp_init(transport_->loop(), &tcp_);
  tcp_.data = this;
  ++handles_open_;
  uv_timer_init(transport_->loop(), &deadline_);
  deadline_.data = this;
  deadline_open_ = true;
  ++handles_open_;
  uv_timer_start(&deadline_, &PeerConnection::on_deadline,
                 transport_->config().handshake_timeout_ms, 0);
  auto channel = TlsChannel::open(transport_->config().context->get(),
                                  inbound_ ? TlsChannel::Role::kServer : TlsChannel::Role::kClient);
  if (!channel.ok()) return RAFT_NOMEM;
  channel_.emplace(std::move(channel).value());
  return 0;
}

int PeerConnection::connect(struct raft_uv_connect* request, raft_id id, const std::string& address,
                            raft_uv_connect_cb callback) {
  struct sockaddr_storage target {};
  if (parse_address(address, &target) != 0) return RAFT_NOCONNECTION;
  inbound_ = false;
  peer_id_ = id;
  peer_address_ = address;
  connect_request_ = request;  // from here on answered once: at hand-over or by finish()
  connect_callback_ = callback;
  if (start_common() != 0) {
    close("peer_connect_failed", address + ": no TLS session");
    return 0;
  }
  connecting_.data = this;
  int rv = uv_tcp_connect(&connecting_, &tcp_, reinterpret_cast<struct sockaddr*>(&target),
                          &PeerConnection::on_connected);
  if (rv != 0) close(nullptr, address + ": " + uv_strerror(rv));  // libraft retries
  return 0;
}

int PeerConnection::accept(uv_stream_t* listener) {
  inbound_ = true;
  state_ = State::kHandshaking;
  int rv = start_common();
  if (rv == 0 && uv_accept(listener, reinterpret_cast<uv_stream_t*>(&tcp_)) != 0) rv = RAFT_IOERR;
  if (rv != 0) {
    close("peer_accept_failed", raft_strerror(rv));
    return 0;
  }
  peer_address_ = remote_address_of(&tcp_);
  uv_tcp_nodelay(&tcp_, 1);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), &PeerConnection::on_alloc,
                &PeerConnection::on_tcp_read);
  return 0;
}

void PeerConnection::on_connected(uv_connect_t* request, int status) {
  auto* self = static_cast<PeerConnection*>(request->data);
  if (self->state_ == State::kClosing) return;
  // A peer that is down is no news (libraft retries every second); a refusal is.
  if (status != 0) return self->close(nullptr, self->peer_address_ + ": " + uv_strerror(status));
  self->state_ = State::kHandshaking;
  uv_tcp_nodelay(&self->tcp_, 1);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&self->tcp_), &PeerConnection::on_alloc,
                &PeerConnection::on_tcp_read);
  self->advance();  // the client speaks first
}

void PeerConnection::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buffer) {
  PeerConnection* self = owner_of(handle);
  buffer->base = reinterpret_cast<char*>(self->read_buffer_.data());
  buffer->len = self->read_buffer_.size();
}

void PeerConnection::on_tcp_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
  PeerConnection* self = owner_of(reinterpret_cast<uv_handle_t*>(stream));
  if (self->state_ == State::kClosing || nread == 0) return;
  if (nread < 0) {
    // Before hand-over a peer that hangs up is a failed or refused connection; after, an end.
    const bool early = self->state_ != State::kOpen;
    return self->close(early ? "peer_connection_lost" : nullptr,
                       self->peer_address_ + ": " + uv_strerror(static_cast<int>(nread)));
  }
  self->channel_->feed(ByteView(reinterpret_cast<const std::uint8_t*>(buffer->base),
                                static_cast<std::size_t>(nread)));
  self->advance();
}

void PeerConnection::advance() {
  if (state_ == State::kHandshaking) {
    auto done = channel_->handshake();
    flush();
    if (!done.ok()) return close("peer_refused", peer_address_ + ": " + done.error().message);
    if (!*done) return;
    handshake_complete();
    if (state_ == State::kClosing) return;
  }
  pump_plaintext();
  if (state_ != State::kClosing) flush();
}

void PeerConnection::handshake_complete() {
  std::optional<std::uint64_t> expected;
  if (!inbound_) expected = peer_id_;
  auto peer = transport_->config().context->verified_peer(channel_->ssl(), expected);
  if (!peer.ok()) return close("peer_refused", peer_address_ + ": " + peer.error().message);
  if (inbound_) {
    peer_id_ = *peer;
    state_ = State::kHello;
    return;
  }
  Status hello = channel_->write(encode_raft_hello({transport_->id(), transport_->address()}));
  if (!hello.ok())
    return close("peer_connection_lost", peer_address_ + ": " + hello.error().message);
  flush();
  if (state_ != State::kClosing) hand_over(std::nullopt);
}

void PeerConnection::pump_plaintext() {
  while (state_ == State::kHello || state_ == State::kOpen) {
    auto got = channel_->read(plaintext_.data(), plaintext_.size());
    if (!got.ok()) {
      const bool early = state_ != State::kOpen;
      return close(early ? "peer_refused" : nullptr, peer_address_ + ": " + got.error().message);
    }
    if (*got == 0) return;
    deliver(ByteView(plaintext_.data(), *got));
  }
}

void PeerConnection::deliver(ByteView plaintext) {
  if (state_ == State::kOpen) return write_inner(plaintext);
  take_hello(plaintext);
}

void PeerConnection::take_hello(ByteView plaintext) {
  hello_.insert(hello_.end(), plaintext.begin(), plaintext.end());
  auto decoded = decode_raft_hello(hello_);
  if (!decoded.ok()) return close("peer_refused", peer_address_ + ": " + decoded.error().message);
  if (!decoded->has_value()) return;  // bounded: decode refuses what cannot be a handshake
  const DecodedHello& hello = **decoded;
  if (hello.hello.id != peer_id_) {
    return close("peer_refused", peer_address_ + ": claims to be node " +
                                     std::to_string(hello.hello.id) +
                                     ", its certificate names node " + std::to_string(peer_id_));
  }
  Bytes rest(hello_.begin() + static_cast<std::ptrdiff_t>(hello.consumed), hello_.end());
  hand_over(hello.hello.address);
  hello_.clear();
  if (state_ == State::kOpen && !rest.empty()) write_inner(rest);
}

void PeerConnection::hand_over(const std::optional<std::string>& peer_address) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return close("peer_connection_lost", peer_address_ + ": socketpair: " + std::strerror(errno));
  }
  auto* outer = static_cast<uv_pipe_t*>(raft_malloc(sizeof(uv_pipe_t)));
  if (outer == nullptr) {
    ::close(fds[0]);
    ::close(fds[1]);
    return close("peer_connection_lost", peer_address_ + ": out of memory");
  }
  uv_pipe_init(transport_->loop(), &inner_, 0);
  inner_.data = this;
  inner_open_ = true;
  ++handles_open_;
  uv_pipe_open(&inner_, fds[0]);
  uv_pipe_init(transport_->loop(), outer, 0);
  uv_pipe_open(outer, fds[1]);
  uv_timer_stop(&deadline_);
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline_), &PeerConnection::on_closed);
  deadline_open_ = false;
  state_ = State::kOpen;
  uv_read_start(reinterpret_cast<uv_stream_t*>(&inner_), &PeerConnection::on_alloc,
                &PeerConnection::on_inner_read);
  auto* stream = reinterpret_cast<uv_stream_t*>(outer);
  if (inbound_) return transport_->accepted(peer_id_, *peer_address, stream);
  struct raft_uv_connect* request = connect_request_;
  raft_uv_connect_cb callback = connect_callback_;
  connect_request_ = nullptr;
  callback(request, stream, 0);
}

void PeerConnection::flush() {
  Bytes out = channel_->take_output();
  if (out.empty()) return;
  auto* tcp = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (!send(tcp, std::move(out), &PeerConnection::on_tcp_written)) return;
  if (inner_open_ && !inner_paused_ &&
      uv_stream_get_write_queue_size(tcp) > transport_->config().queue_high_bytes) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&inner_));
    inner_paused_ = true;
  }
}

void PeerConnection::write_inner(ByteView plaintext) {
  auto* inner = reinterpret_cast<uv_stream_t*>(&inner_);
  if (!send(inner, plaintext.to_bytes(), &PeerConnection::on_inner_written)) return;
  if (!tcp_paused_ &&
      uv_stream_get_write_queue_size(inner) > transport_->config().queue_high_bytes) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    tcp_paused_ = true;
  }
}

bool PeerConnection::send(uv_stream_t* stream, Bytes bytes, uv_write_cb done) {
  auto* write = new WriteRequest{{}, std::move(bytes)};
  write->request.data = write;
  uv_buf_t buffer = uv_buf_init(reinterpret_cast<char*>(write->bytes.data()),
                                static_cast<unsigned>(write->bytes.size()));
  int rv = uv_write(&write->request, stream, &buffer, 1, done);
  if (rv == 0) return true;
  delete write;
  close(nullptr, peer_address_ + ": write: " + uv_strerror(rv));
  return false;
}

void PeerConnection::on_tcp_written(uv_write_t* request, int status) {
  PeerConnection* self = owner_of(reinterpret_cast<uv_handle_t*>(request->handle));
  delete static_cast<WriteRequest*>(request->data);
  if (self->state_ == State::kClosing) return;
  if (status != 0) return self->close(nullptr, self->peer_address_ + ": " + uv_strerror(status));
  auto* tcp = reinterpret_cast<uv_stream_t*>(&self->tcp_);
  if (self->inner_paused_ &&
      uv_stream_get_write_queue_size(tcp) < self->transport_->config().queue_low_bytes) {
    self->inner_paused_ = false;
    uv_read_start(reinterpret_cast<uv_stream_t*>(&self->inner_), &PeerConnection::on_alloc,
                  &PeerConnection::on_inner_read);
  }
}

void PeerConnection::on_inner_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
  PeerConnection* self = owner_of(reinterpret_cast<uv_handle_t*>(stream));
  if (self->state_ == State::kClosing || nread == 0) return;
  if (nread < 0) return self->close(nullptr, "libraft closed its end");
  Status sent = self->channel_->write(ByteView(reinterpret_cast<const std::uint8_t*>(buffer->base),
                                               static_cast<std::size_t>(nread)));
  if (!sent.ok()) return self->close("peer_connection_lost", sent.error().message);
  self->flush();
}

void PeerConnection::on_inner_written(uv_write_t* request, int status) {
  PeerConnection* self = owner_of(reinterpret_cast<uv_handle_t*>(request->handle));
  delete static_cast<WriteRequest*>(request->data);
  if (self->state_ == State::kClosing) return;
  if (status != 0)
    return self->close(nullptr, "libraft's end: " + std::string(uv_strerror(status)));
  auto* inner = reinterpret_cast<uv_stream_t*>(&self->inner_);
  if (self->tcp_paused_ &&
      uv_stream_get_write_queue_size(inner) < self->transport_->config().queue_low_bytes) {
    self->tcp_paused_ = false;
    uv_read_start(reinterpret_cast<uv_stream_t*>(&self->tcp_), &PeerConnection::on_alloc,
                  &PeerConnection::on_tcp_read);
  }
}

void PeerConnection::on_deadline(uv_timer_t* timer) {
  PeerConnection* self = owner_of(reinterpret_cast<uv_handle_t*>(timer));
  if (self->state_ == State::kClosing) return;
  self->close(self->inbound_ ? "peer_refused" : "peer_connect_failed",
              self->peer_address_ + ": handshakes not done within " +
                  std::to_string(self->transport_->config().handshake_timeout_ms) + " ms");
}

void PeerConnection::abort(int status) {
  connect_status_ = status;
  close(nullptr, "");
}

void PeerConnection::close(const char* event, const std::string& reason) {
  if (state_ == State::kClosing) return;
  state_ = State::kClosing;
  if (event != nullptr) transport_->log(event, reason);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &PeerConnection::on_closed);
  if (deadline_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline_), &PeerConnection::on_closed);
    deadline_open_ = false;
  }
  if (inner_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&inner_), &PeerConnection::on_closed);
    inner_open_ = false;
  }
}

void PeerConnection::on_closed(uv_handle_t* handle) {
  PeerConnection* self = owner_of(handle);
  if (--self->handles_open_ == 0) self->finish();
}

void PeerConnection::finish() {
  if (connect_request_ != nullptr) {
    struct raft_uv_connect* request = connect_request_;
    connect_request_ = nullptr;
    connect_callback_(request, nullptr, connect_status_);
  }
  transport_->finished(this);  // frees this
}

}  // namespace tally::tls
