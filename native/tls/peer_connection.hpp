// One peer connection of the TLS transport (tls_transport.hpp): a TCP socket, a TLS session
// over it (tls_channel.hpp), and, once both handshakes are done, one end of a socket pair
// whose other end libraft owns as its uv_stream_t.
//
//   connecting out:  TCP connect -> TLS handshake -> peer's certificate names the node libraft
//                    asked for -> our raft hello inside TLS -> libraft's connect callback
//   accepting:       TLS handshake -> peer's certificate names our cluster -> the peer's raft
//                    hello inside TLS, whose id must be the certificate's -> libraft's accept
//                    callback
//   open:            TCP -> TLS -> socket pair -> libraft, and back
//
// Backpressure: when the bytes queued towards one side pass the transport's high mark,
// reading from the other side stops until they drain below its low mark, so a slow peer or a
// slow libraft bounds what the connection buffers. Either side closing, a TLS error, a refused
// identity or the handshake deadline closes every handle; once they are all closed, a connect
// libraft is still waiting for is answered (RAFT_NOCONNECTION, or RAFT_CANCELED when the transport
// closes) and the transport frees the connection. libraft's end, once handed over, is
// libraft's to close. Everything on the loop's thread.
#pragma once

extern "C" {
#include <raft.h>
#include <raft/uv.h>
#include <uv.h>
}

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "native/tls/tls_channel.hpp"

namespace tally::tls {

class TlsTransport;

class PeerConnection {
 public:
  explicit PeerConnection(TlsTransport& transport) : transport_(&transport) {}
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;

  // Starts connecting to address for libraft's request. A non-zero RAFT_* code when nothing
  // could start (the connection then owns no handle and is dropped by the caller).
  int connect(struct raft_uv_connect* request, raft_id id, const std::string& address,
              raft_uv_connect_cb callback);
  // Accepts the next connection waiting on listener.
  int accept(uv_stream_t* listener);

  // Closes everything. A pending connect is answered with status once the handles are closed.
  void abort(int status);
  bool open() const { return state_ == State::kOpen; }
  bool accepting() const { return inbound_ && state_ != State::kOpen; }

 private:
  enum class State { kConnecting, kHandshaking, kHello, kOpen, kClosing };

  int start_common();
  void advance();
  void handshake_complete();
  void pump_plaintext();
  void deliver(ByteView plaintext);
  void take_hello(ByteView plaintext);
  void hand_over(const std::optional<std::string>& peer_address);
  void flush();
  void write_inner(ByteView plaintext);
  bool send(uv_stream_t* stream, Bytes bytes, uv_write_cb done);
  // Closes with a reason; logged as event unless event is null (an ordinary close).
  void close(const char* event, const std::string& reason);
  void finish();

  static void on_connected(uv_connect_t* request, int status);
  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buffer);
  static void on_tcp_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer);
  static void on_inner_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer);
  static void on_tcp_written(uv_write_t* request, int status);
  static void on_inner_written(uv_write_t* request, int status);
  static void on_deadline(uv_timer_t* timer);
  static void on_closed(uv_handle_t* handle);

  TlsTransport* transport_;
  State state_ = State::kConnecting;
  bool inbound_ = false;
  std::optional<TlsChannel> channel_;
  uv_tcp_t tcp_{};
  uv_timer_t deadline_{};
  uv_pipe_t inner_{};  // our end of the socket pair, once handed over
  uv_connect_t connecting_{};
  bool deadline_open_ = false, inner_open_ = false;
  bool tcp_paused_ = false, inner_paused_ = false;
  int handles_open_ = 0;
  // A connect libraft waits for: answered once, at hand-over or by finish().
  struct raft_uv_connect* connect_request_ = nullptr;
  raft_uv_connect_cb connect_callback_ = nullptr;
  int connect_status_ = RAFT_NOCONNECTION;
  raft_id peer_id_ = 0;  // connecting out: whom libraft asked for; accepting: the certificate's
  std::string peer_address_;  // for logs
  Bytes hello_;               // accepting: plaintext until the raft hello is complete
  std::array<std::uint8_t, 64 * 1024> read_buffer_{};  // one read at a time, from either side
  std::array<std::uint8_t, 16 * 1024> plaintext_{};    // one TLS record
};

}  // namespace tally::tls
