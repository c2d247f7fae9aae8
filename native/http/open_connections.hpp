// The HTTP connections a server has accepted and h2o has not closed yet, so that a stopping
// node can close them: h2o's context may only be disposed once no connection is left (its
// timeouts still list them otherwise), and an idle keep-alive connection never closes by
// itself.
//
// Stopping, in two steps on the loop's thread:
//   1. drain(): the read side of every connection is shut, so a connection waiting for its
//      next request (idle, or half-read) reads end-of-file and h2o closes it; a request being
//      handled still gets its answer written, then h2o closes the connection when it tries to
//      read the next one.
//   2. wait_closed(): runs the loop until every connection is closed, or the deadline passes.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <set>

namespace tally::http {

class OpenConnections {
 public:
  OpenConnections() = default;
  OpenConnections(const OpenConnections&) = delete;
  OpenConnections& operator=(const OpenConnections&) = delete;
  ~OpenConnections();

  // A TCP handle for the next connection, tracked until h2o closes it: hand it to
  // h2o_uv_socket_create with on_closed as the close callback.
  uv_tcp_t* open(uv_loop_t* loop);
  static void on_closed(uv_handle_t* handle);

  // Step 1 above (the listener is closed first, so nothing new arrives).
  void drain();
  // Step 2 above: true when every connection closed within deadline_ms.
  bool wait_closed(uv_loop_t* loop, std::uint64_t deadline_ms);

  std::size_t size() const { return open_.size(); }

 private:
  struct Connection;
  std::set<Connection*> open_;
};

}  // namespace tally::http
