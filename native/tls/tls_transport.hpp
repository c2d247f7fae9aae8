// libraft's peer transport over mutual TLS (DESIGN.md §9): a struct raft_uv_transport, the
// interface libraft 0.15's uv backend takes (raft/uv.h: init, listen, connect, close), in
// place of its plaintext uv_tcp transport.
//
// libraft reads and writes a uv_stream_t it owns. Each peer connection therefore hands
// libraft one end of a socket pair and keeps the other (peer_connection.hpp): TCP bytes go
// through a TLS session to that end and back, on the same loop. libraft's own handshake
// (raft_handshake.hpp) travels inside TLS, after it:
// - connecting out, the peer's certificate must name the node libraft asked for;
// - accepting, the certificate must name the node the handshake claims.
// A peer without a certificate, with one that does not verify under the cluster CA (self-
// signed, another cluster's CA), naming another cluster or another node, or that does not
// finish its handshakes within handshake_timeout_ms, is dropped before libraft sees the
// connection: libraft never reads a byte it sent. At most handshakes_max accepted connections
// may be mid-handshake at once; more are closed at once.
//
// Lifecycle, as raft_uv_tcp's: init_tls_transport, raft_uv_init with it, ... the transport's
// close (libraft calls it inside raft_close) closes the listener, cancels pending connects
// (their callbacks get RAFT_CANCELED) and closes every connection, and fires its callback once
// every handle is closed; then release_tls_transport frees it. Everything runs on the loop's
// thread.
#pragma once

extern "C" {
#include <raft.h>
#include <raft/uv.h>
#include <uv.h>
}

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "native/tls/peer_tls_context.hpp"

namespace tally::tls {

struct PeerTlsConfig {
  std::shared_ptr<PeerTlsContext> context;
  unsigned handshake_timeout_ms = 5000;  // TCP connect, TLS and libraft's handshake together
  std::size_t handshakes_max = 64;       // accepted connections not yet handed to libraft
  // Backpressure (peer_connection.hpp): reading one side stops while more than the high
  // mark is queued towards the other, and resumes below the low mark.
  std::size_t queue_high_bytes = 1 << 20;
  std::size_t queue_low_bytes = 256 << 10;
  // Refused peers and failed connections, one line each (event, then details). Optional.
  std::function<void(const std::string& event, const std::string& detail)> log;
};

// Sets up t (as raft_uv_tcp_init does). REQUIRES: config.context is set.
int init_tls_transport(struct raft_uv_transport* t, uv_loop_t* loop, PeerTlsConfig config);

// Frees what init allocated. REQUIRES: t's close callback has fired (or listen never ran).
void release_tls_transport(struct raft_uv_transport* t);

}  // namespace tally::tls
