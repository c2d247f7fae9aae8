// One in-process node with its HTTP API on 127.0.0.1 (a one-voter cluster: it elects itself),
// for the [api] tests. The loop runs on the test's thread; each call runs the blocking client
// on a helper thread while the loop serves it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include <uv.h>
}

#include "core/bytes.hpp"
#include "native/http/server.hpp"
#include "native/raft/uv_host.hpp"
#include "native/tally/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {

class ApiNode {
 public:
  // rotation_threshold: the new store's K (0: the default), small to see rotations.
  // check_worker_hook: ServerConfig::check_worker_hook (holds a /_tally/check in flight).
  // token_key: requests need a bearer token it signed, for cluster "tally" (none: auth off).
  // view_wal_bytes_max: ServerConfig::view_wal_bytes_max.
  explicit ApiNode(std::uint64_t rotation_threshold = 0,
                   std::function<void()> check_worker_hook = {},
                   std::optional<Bytes> token_key = std::nullopt,
                   std::uint64_t view_wal_bytes_max = http::ServerConfig{}.view_wal_bytes_max);
  ~ApiNode();

  cli::HttpResponse call(const std::string& method, const std::string& path,
                         const std::string& body = "",
                         std::vector<std::pair<std::string, std::string>> headers = {});
  // Sends raw bytes and returns the raw answer (for requests the client cannot form).
  // With leave, closes the connection right after sending, without waiting for the answer.
  std::string raw(const std::string& bytes, bool leave = false);
  std::string digest();
  replica::Node& node() { return host_->node(); }
  std::string base() const { return base_; }
  // Runs the loop until done() (or fails the test after seconds).
  void run_until(const std::function<bool()>& done, int seconds = 30);
  uv_loop_t* loop() { return &loop_; }

 private:
  template <class F>
  auto on_helper(F work) -> decltype(work());

  uv_loop_t loop_{};
  uv_async_t wake_{};
  TempDir dir_;
  std::unique_ptr<replica::UvHost> host_;
  std::unique_ptr<http::Server> server_;
  std::string base_;
};

}  // namespace tally::testing
