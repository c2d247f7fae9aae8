// A node stops cleanly however its clients hold their connections: SIGTERM closes idle
// keep-alive and half-read connections, logs event=stopped with exit code 0, and the store
// opens again with every acknowledged write. The connections speak TLS to the node's HTTPS
// port, as its clients do.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

// A TLS session over a connection to port, its handshake done (the certificate is not
// checked here: api_https_test.cpp does).
struct TlsConnection {
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> context{SSL_CTX_new(TLS_client_method()),
                                                       SSL_CTX_free};
  std::unique_ptr<SSL, void (*)(SSL*)> ssl{SSL_new(context.get()), SSL_free};
  int fd = -1;

  explicit TlsConnection(int port) : fd(connect_to(port)) {
    REQUIRE(fd >= 0);
    SSL_set_fd(ssl.get(), fd);
    REQUIRE(SSL_connect(ssl.get()) == 1);
  }
  ~TlsConnection() { ::close(fd); }
  bool send(const std::string& bytes) {
    return SSL_write(ssl.get(), bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());
  }
};

TEST_CASE("SIGTERM stops a node holding idle keep-alive and half-read connections, exit 0",
          "[service]") {
  TempDir dir;
  LocalCluster cluster(1, dir.file("c"));
  REQUIRE(cluster.base_port != 0);
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);
  const auto nodes = read_cluster(cluster.dir);
  REQUIRE(nodes.size() == 1);
  const std::string base = nodes[0].http;
  REQUIRE(send_json("POST", base, "/v2/main", "").status == 204);
  auto paid = send_json("POST", base, "/v2/main/transactions",
                        R"({"postings":[{"source":"world","destination":"users:a",)"
                        R"("amount":100,"asset":"USD"}]})");
  REQUIRE(paid.status / 100 == 2);

  const int port = cluster.base_port + 101;
  REQUIRE(base.rfind("https://", 0) == 0);
  // Idle keep-alive: one request answered, then the connection waits for the next.
  TlsConnection idle_tls(port);
  const int idle = idle_tls.fd;
  REQUIRE(idle_tls.send("GET /_tally/metrics HTTP/1.1\r\nHost: tally\r\n\r\n"));
  char answer[256];
  REQUIRE(SSL_read(idle_tls.ssl.get(), answer, sizeof answer) > 0);
  // Half-read: a request line without its end.
  TlsConnection half_tls(port);
  const int half = half_tls.fd;
  REQUIRE(half_tls.send("GET /_tally/info HTTP/1.1\r\nHost: tal"));
  // Connected, nothing sent (no TLS handshake either).
  const int silent = connect_to(port);
  REQUIRE(silent >= 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  const auto started = std::chrono::steady_clock::now();
  REQUIRE(::kill(static_cast<pid_t>(nodes[0].pid), SIGTERM) == 0);
  const auto deadline = started + std::chrono::seconds(30);
  CHECK(reads_to_close(idle, deadline));
  CHECK(reads_to_close(half, deadline));
  CHECK(reads_to_close(silent, deadline));
  const bool exited = exited_by(nodes[0].pid, deadline);
  const auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  ::close(silent);
  REQUIRE(exited);
  const std::string log = read_text(cluster.dir + "/node-1.log");
  INFO(log);
  CHECK_THAT(log, Catch::Contains("event=stopped") && Catch::Contains("exit_code=0"));
  CHECK(log.find("Assertion") == std::string::npos);
  CHECK(log.find("connections_left") == std::string::npos);
  INFO("stopped in " << stop_ms << " ms");
  CHECK(stop_ms < 10000);  // the close deadline is 5 s; a clean stop takes far less

  // The store opens again and holds the acknowledged write.
  auto restarted = run_command(tally_binary() + " cluster start-node 1 --dir " + cluster.dir +
                               " --tallyd " + tallyd_binary());
  INFO(restarted.output);
  REQUIRE(restarted.exit_code == 0);
  JsonAnswer account;
  const auto read_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  do {
    account = get_json(base, "/v2/main/accounts/users:a?expand=volumes");
    if (account.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < read_deadline);
  INFO(account.body);
  CHECK(account.status == 200);
  CHECK_THAT(account.body, Catch::Contains("100"));
}

}  // namespace
}  // namespace tally::testing
