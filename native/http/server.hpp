// The HTTP/JSON API of one node (docs/design.md §9; docs/api.md): h2o on the node's own libuv
// loop, the loop that runs libraft, admission and apply, so a handler calls the node directly.
//
// It speaks the Go ledger's v2 API, as its official SDKs decode it, at /v2/... and at the
// SDKs' gateway prefix /api/ledger/v2/... (and /api/ledger/_/info), and serves the node's
// own routes under /_tally/ (info, check, metrics, log). Every route is one entry of the
// route table (route_table.hpp); every error one entry of the error map (errors.hpp).
//
// HTTPS when the config carries a TLS context (TLS 1.2 or 1.3, HTTP/1.1; native/tls/
// api_tls_context.hpp), plain HTTP otherwise; a byte stream that is not a TLS handshake gets
// no answer, its connection closes. Every node of a cluster serves the same scheme.
//
// Writes go to the leader: a follower answers 307 with Location on the leader's HTTP address,
// in this node's scheme (503 NO_LEADER with Retry-After while there is none). Every write's answer
// carries Tally-Applied-Index; a read that sends it back waits (bounded) until this node applied
// it, unless it also sends a Tally-Cluster-Id other than this node's (every answer carries it).
// Input that is simply wrong is refused by admission before anything is proposed
// (core/plan/admission_rules.hpp), so it changes nothing. Before any route runs, the request
// is checked in this order: a canonical path (canonical_request.hpp; 400), a route for its
// path and method (404, 405 with Allow), its bearer token (route_access.hpp; 401, 403), no
// Origin on a write (403), the body's size (413) and type (415).
//
// Lifetime: everything on the loop thread. Writes are answered from the node's callback; a
// client that went away meanwhile is detected through the request pool's dispose hook, and
// its request is never touched again. /_tally/check runs on libuv's thread pool
// (node_routes.cpp); the destructor waits for a running one. Close order (tallyd):
// close_connections, close the node's host (which answers every pending write), then destroy
// the server, which waits (bounded by close_deadline_ms) for h2o to close every connection
// before it disposes the h2o context and config (open_connections.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <openssl/ssl.h>

extern "C" {
#include <uv.h>
}

#include "core/audit/audit_key.hpp"
#include "native/auth/access.hpp"
#include "native/http/metrics.hpp"
#include "native/limits.hpp"
#include "native/raft/node.hpp"

namespace tally::http {

struct ServerConfig {
  std::string http_address;                                    // "127.0.0.1:7101" to listen on
  std::map<std::uint64_t, std::string> peer_http;              // node id -> "host:port" (redirects)
  std::size_t body_bytes_max = limits::kHttpBodyBytesDefault;  // larger: 413 (a route may say)
  std::string version = "develop";                             // what /_/info and /v2/_info report
  std::uint64_t read_wait_ms = 2000;                           // Tally-Applied-Index wait, then 503
  std::uint32_t retry_after_seconds = 1;                       // on every 503
  std::uint64_t close_deadline_ms = 5000;  // stopping: open connections closed by then
  // Resources a client may hold: connections past connections_max are closed as soon as they
  // are accepted; h2o closes a connection whose next request (headers and body) has not all
  // arrived request_timeout_ms after the connection opened or answered its previous request,
  // however slowly its bytes trickle in (a slow client, an idle keep-alive connection).
  std::size_t connections_max = 4096;
  std::uint64_t request_timeout_ms = 10000;
  // A check or a digest reads a pinned view of the store, which keeps the store's write-ahead
  // log from being checkpointed past it: the log grows with every write while the view is
  // held. Once it passes this many bytes the job is stopped and answered 503 VIEW_EXPIRED,
  // and the next checkpoint brings the log back down. 0: no bound.
  std::uint64_t view_wal_bytes_max = std::uint64_t{1} << 30;
  std::string cluster_id = "tally";  // for the checker
  audit::AuditKey audit_key;  // required: the checker's HMACs, and cursors' key derived from it
  std::function<void(const std::string&)> log;  // one-line events (may be empty)
  // Client tokens (route_access.hpp): every request needs a bearer token this gate accepts.
  // Without one, start refuses unless auth_off says so (tallyd --auth=off, local experiments).
  std::optional<auth::TokenGate> tokens;
  bool auth_off = false;
  // HTTPS: the server's certificate and key (null: plain HTTP). The TLS handshake must
  // complete within request_timeout_ms of the connection opening.
  std::shared_ptr<SSL_CTX> tls;
  // Tests only: runs on the worker thread before each /_tally/check (to hold a check in
  // flight while the test sees the loop answer other requests).
  std::function<void()> check_worker_hook;
};

class Server {
 public:
  // Listens on config.http_address. The node must outlive the server.
  static Result<std::unique_ptr<Server>> start(uv_loop_t* loop, ServerConfig config,
                                               replica::Node& node);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Stops accepting connections (open ones are served until the node stops).
  void stop_listening();
  // Stops accepting connections and shuts the read side of the open ones: idle and half-read
  // connections close, a request being handled is still answered.
  void close_connections();
  Metrics& metrics() { return metrics_; }
  int port() const { return port_; }
  // Replaces the token gate's revocation list (auth/revoked_tokens.hpp); false without a
  // gate (auth off). REQUIRES: on the loop thread.
  bool set_revoked_tokens(auth::RevokedTokens revoked);

  struct Impl;  // h2o's state (server.cpp, server_impl.hpp)

 private:
  Server() = default;
  std::unique_ptr<Impl> impl_;
  Metrics metrics_;
  int port_ = 0;
};

}  // namespace tally::http
