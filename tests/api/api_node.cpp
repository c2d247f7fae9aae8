#include "tests/api/api_node.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>

#include "core/audit/audit_key.hpp"
#include "native/raft/store_digest.hpp"
#include "tests/support/free_port.hpp"

namespace tally::testing {

ApiNode::ApiNode(std::uint64_t rotation_threshold, std::function<void()> check_worker_hook,
                 std::optional<Bytes> token_key, std::uint64_t view_wal_bytes_max) {
  REQUIRE(uv_loop_init(&loop_) == 0);
  REQUIRE(uv_async_init(&loop_, &wake_, nullptr) == 0);
  replica::UvConfig config;
  config.address = "127.0.0.1:" + std::to_string(free_port());
  config.data_dir = dir_.file("node-1");
  config.voters = {{1, config.address}};
  config.heartbeat_ms = 50;
  config.election_timeout_ms = 200;
  replica::NodeConfig node;
  node.id = 1;
  node.fsm.audit_key = audit::public_demo_audit_key();
  if (rotation_threshold != 0) node.fsm.rotation_threshold = rotation_threshold;
  node.clock_us = [] {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  };
  auto host = replica::UvHost::start(&loop_, config, std::move(node));
  INFO((host.ok() ? std::string() : host.error().message));
  REQUIRE(host.ok());
  host_ = std::move(host).value();
  run_until([&] { return host_->node().is_leader(); });
  http::ServerConfig server;
  server.http_address = "127.0.0.1:0";
  server.body_bytes_max = 64 * 1024;
  server.read_wait_ms = 300;
  server.audit_key = audit::public_demo_audit_key();
  if (token_key) server.tokens.emplace(std::move(*token_key), "tally");
  server.auth_off = !server.tokens;
  server.check_worker_hook = std::move(check_worker_hook);
  server.view_wal_bytes_max = view_wal_bytes_max;
  auto started = http::Server::start(&loop_, server, host_->node());
  INFO((started.ok() ? std::string() : started.error().message));
  REQUIRE(started.ok());
  server_ = std::move(started).value();
  base_ = "http://127.0.0.1:" + std::to_string(server_->port());
}

ApiNode::~ApiNode() {
  server_->stop_listening();
  host_->close(nullptr);
  run_until([&] { return host_->closed(); });
  server_.reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  host_.reset();
  uv_loop_close(&loop_);
}

void ApiNode::run_until(const std::function<bool()>& done, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    uv_run(&loop_, UV_RUN_ONCE);
  }
}

template <class F>
auto ApiNode::on_helper(F work) -> decltype(work()) {
  uv_async_t* wake = &wake_;
  auto future = std::async(std::launch::async, [work, wake] {
    auto result = work();
    uv_async_send(wake);
    return result;
  });
  run_until([&] { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
  return future.get();
}

cli::HttpResponse ApiNode::call(const std::string& method, const std::string& path,
                                const std::string& body,
                                std::vector<std::pair<std::string, std::string>> headers) {
  cli::HttpRequest request;
  request.method = method;
  request.url = base_ + path;
  request.body = body;
  request.headers = std::move(headers);
  auto response = on_helper([request] { return cli::http_call(request); });
  INFO(method << " " << path << ": " << (response.ok() ? "" : response.error().message));
  REQUIRE(response.ok());
  return std::move(response).value();
}

std::string ApiNode::raw(const std::string& bytes, bool leave) {
  const int port = server_->port();
  return on_helper([bytes, port, leave] {
    std::string answer;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (leave) {
        ::close(fd);
        return answer;
      }
      ::shutdown(fd, SHUT_WR);
      char buffer[4096];
      for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
        answer.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return answer;
  });
}

std::string ApiNode::digest() {
  auto digest = host_->node().digest();
  REQUIRE(digest.ok());
  return replica::digest_hex(digest.value());
}

}  // namespace tally::testing
