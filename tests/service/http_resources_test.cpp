// [security] A node bounds what clients can hold: idle connections do not stop it serving
// others, a slow client (a slow request, a TLS handshake never finished) is cut off,
// connections past the bound are closed at once (native/http/server.hpp: connections_max,
// request_timeout_ms).
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <thread>

#include "native/auth/cluster_credentials.hpp"
#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

using Clock = std::chrono::steady_clock;

enum class Scheme { kHttps, kHttp };

// One tallyd of a single-voter cluster in the background, auth off, over HTTPS (an API
// certificate under a CA of its own) or plain HTTP, with extra flags; killed (SIGTERM) when it
// goes out of scope.
struct BackgroundNode {
  TempDir dir;
  int base = free_base_port(1);
  std::string http;
  long pid = 0;

  explicit BackgroundNode(const std::string& flags, Scheme scheme = Scheme::kHttps) {
    REQUIRE(base != 0);
    const std::string pid_file = dir.file("pid.txt"), pki = dir.file("pki");
    std::string tls_flags;
    http = "http://127.0.0.1:" + std::to_string(base + 101);
    if (scheme == Scheme::kHttps) {
      REQUIRE(auth::ensure_cluster_credentials(pki, "tally", {}).ok());
      REQUIRE(auth::ensure_api_certificates(pki, "tally", {1}, {"127.0.0.1"}).ok());
      tls_flags = api_tls_flags(pki, 1);
      http = "https://127.0.0.1:" + std::to_string(base + 101);
      trust_ca(http, auth::ca_certificate_path(pki));
    }
    run_command(tallyd_binary() + " --id=1 --raft-address=127.0.0.1:" + std::to_string(base + 1) +
                " --http-address=127.0.0.1:" + std::to_string(base + 101) +
                " --data-dir=" + dir.file("data") + " --insecure-peers --auth=off " + flags +
                tls_flags + " >/dev/null 2>" + dir.file("log.txt") + " & echo $! >" + pid_file);
    pid = std::stol(read_text(pid_file));
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (get_json(http, "/_tally/info").status != 200) {
      INFO(read_text(dir.file("log.txt")));
      REQUIRE(Clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~BackgroundNode() {
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    exited_by(pid, Clock::now() + std::chrono::seconds(20));
  }
  int port() const { return base + 101; }
};

struct Sockets {
  std::vector<int> fds;
  ~Sockets() {
    for (int fd : fds)
      ::close(fd);
  }
};

TEST_CASE("2,000 idle connections do not stop a node from serving another client",
          "[service][security]") {
  BackgroundNode node("");
  Sockets idle;
  for (int i = 0; i < 2000; ++i) {
    const int fd = connect_to(node.port());
    REQUIRE(fd >= 0);
    idle.fds.push_back(fd);
  }
  REQUIRE(send_json("POST", node.http, "/v2/main", "").status == 204);
  auto paid = send_json("POST", node.http, "/v2/main/transactions",
                        R"({"postings":[{"source":"world","destination":"a","amount":1,)"
                        R"("asset":"USD"}]})");
  INFO(paid.body);
  CHECK(paid.status == 200);
  CHECK(get_json(node.http, "/_tally/info").status == 200);
}

TEST_CASE("a client that sends its request too slowly is cut off", "[service][security]") {
  BackgroundNode node("--request-timeout-ms=1000", Scheme::kHttp);
  const int fd = connect_to(node.port());
  REQUIRE(fd >= 0);
  Sockets held{{fd}};
  // A byte of the request every 200 ms: never a whole request, never silent for long.
  const std::string request = "GET /_tally/info HTTP/1.1\r\nHost: tally\r\nX-Slow: ";
  const auto started = Clock::now();
  bool closed = false;
  for (std::size_t i = 0; !closed && Clock::now() < started + std::chrono::seconds(8); ++i) {
    closed = !send_all(fd, std::string(1, i < request.size() ? request[i] : 'a')) ||
             reads_to_close(fd, Clock::now() + std::chrono::milliseconds(200));
  }
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  INFO("closed after " << after.count() << " ms");
  CHECK(closed);
  CHECK(get_json(node.http, "/_tally/info").status == 200);
}

TEST_CASE("a client that never finishes its TLS handshake is cut off", "[service][security]") {
  BackgroundNode node("--request-timeout-ms=1000");
  const int fd = connect_to(node.port());
  REQUIRE(fd >= 0);
  Sockets held{{fd}};
  // The first bytes of a TLS record header (a handshake, version 1.2), then nothing more.
  REQUIRE(send_all(fd, std::string("\x16\x03\x01", 3)));
  const auto started = Clock::now();
  CHECK(reads_to_close(fd, started + std::chrono::seconds(8)));
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  INFO("closed after " << after.count() << " ms");
  CHECK(after.count() >= 500);  // by the handshake's deadline, not as malformed at once
  CHECK(get_json(node.http, "/_tally/info").status == 200);
}

TEST_CASE("connections past the bound are closed at once, and the node serves once they go",
          "[service][security]") {
  BackgroundNode node("--connections-max=8");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the start's probes closed
  Sockets held;
  for (int i = 0; i < 8; ++i) {
    const int fd = connect_to(node.port());
    REQUIRE(fd >= 0);
    held.fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all 8 accepted
  const int over = connect_to(node.port());
  REQUIRE(over >= 0);
  Sockets refused{{over}};
  CHECK(reads_to_close(over, Clock::now() + std::chrono::seconds(5)));
  for (int fd : held.fds)
    ::close(fd);
  held.fds.clear();
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (get_json(node.http, "/_tally/info").status != 200 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(get_json(node.http, "/_tally/info").status == 200);
}

}  // namespace
}  // namespace tally::testing
