// The state behind one TLS raft_uv_transport (tls_transport.hpp): the listener, the live
// connections, and what libraft handed over (its accept callback, its close callback). The
// connections (peer_connection.hpp) call back into it; nothing else does.
#pragma once

#include <list>
#include <memory>

#include "native/tls/peer_connection.hpp"
#include "native/tls/tls_transport.hpp"

namespace tally::tls {

class TlsTransport {
 public:
  TlsTransport(struct raft_uv_transport* transport, uv_loop_t* loop, PeerTlsConfig config)
      : transport_(transport), loop_(loop), config_(std::move(config)) {}

  // The raft_uv_transport operations.
  int init(raft_id id, const char* address);
  int listen(raft_uv_accept_cb callback);
  int connect(struct raft_uv_connect* request, raft_id id, const char* address,
              raft_uv_connect_cb callback);
  void close(raft_uv_transport_close_cb callback);

  // For the connections.
  uv_loop_t* loop() const { return loop_; }
  const PeerTlsConfig& config() const { return config_; }
  raft_id id() const { return id_; }
  const std::string& address() const { return address_; }
  bool closing() const { return closing_; }
  void accepted(raft_id id, const std::string& address, uv_stream_t* stream);
  void log(const char* event, const std::string& detail) const;
  // The connection closed every handle: it is freed here.
  void finished(PeerConnection* connection);

 private:
  static void on_connection(uv_stream_t* listener, int status);
  static void on_listener_closed(uv_handle_t* handle);
  void maybe_closed();
  std::size_t accepting() const;

  struct raft_uv_transport* transport_;
  uv_loop_t* loop_;
  PeerTlsConfig config_;
  raft_id id_ = 0;
  std::string address_;
  uv_tcp_t listener_{};
  bool listener_open_ = false;
  raft_uv_accept_cb accept_callback_ = nullptr;
  raft_uv_transport_close_cb close_callback_ = nullptr;
  bool closing_ = false;
  std::list<std::unique_ptr<PeerConnection>> connections_;
};

// "host:port" (IPv4, or [IPv6]) as a socket address: libraft's address form.
int parse_address(const std::string& address, struct sockaddr_storage* out);

}  // namespace tally::tls
