// The running node: its loop, the Raft host with the state machine, the API server on the
// same loop, the signal handlers and the watchdog that logs leadership changes. One per
// process; everything runs on the loop's thread.
//
// SIGHUP reads the revoked tokens file again (client_auth.hpp); without one it is logged and
// changes nothing.
//
// A stop (SIGTERM, SIGINT, or the node failing) closes the listeners and the open
// connections (in-flight requests are still answered), asks a running check or digest to
// end, answers every pending write, commits the open group and closes libraft and the store.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "native/http/server.hpp"
#include "native/raft/uv_host.hpp"
#include "native/tallyd/configure.hpp"

namespace tally::tallyd {

class Daemon {
 public:
  Daemon();
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the store and libraft, then the API; the exit code when either refuses (logged).
  std::optional<int> start(NodeSetup setup);
  // Runs the loop until a signal or a node failure stops it.
  void serve();
  // Lets the last answers go out, takes the API and the node down; the exit code.
  int shut_down();

 private:
  void stop(int code, const std::string& why);
  void watch();   // every 100 ms: a failed node stops the daemon; a new leader is logged
  void reload();  // SIGHUP
  void close_loop();

  uv_loop_t loop_{};
  uv_signal_t sigterm_{};
  uv_signal_t sigint_{};
  uv_signal_t sighup_{};
  uv_timer_t watchdog_{};
  std::unique_ptr<replica::UvHost> host_;
  std::unique_ptr<http::Server> server_;
  std::string revoked_tokens_file_;
  bool stopping_ = false;
  int exit_code_ = 0;
  std::uint64_t last_leader_ = ~std::uint64_t{0};
};

}  // namespace tally::tallyd
