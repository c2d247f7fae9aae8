// [security] The API over HTTPS (native/http/server.hpp, native/tls/api_tls_context.hpp,
// native/tally/tls_stream.hpp; docs/security.md): `tally cluster up` serves it by default
// under the cluster CA, a token never crosses the network in the clear, a client verifies the
// node it talks to, and --api-plaintext turns it off out loud.
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <filesystem>
#include <thread>

#include "native/auth/cluster_credentials.hpp"
#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A cluster of `nodes` up over HTTPS, and its first node's URL.
struct HttpsCluster {
  TempDir dir;
  LocalCluster cluster;
  std::string node;

  explicit HttpsCluster(int nodes) : cluster(nodes, dir.file("c")) {
    REQUIRE(cluster.base_port != 0);
    INFO(cluster.up.output);
    REQUIRE(cluster.up.exit_code == 0);
    node = "https://127.0.0.1:" + std::to_string(cluster.base_port + 101);
  }
  int port(int id = 1) const { return cluster.base_port + 100 + id; }
};

// The certificate the server on port presents, fetched by a TLS client that verifies nothing.
auth::CertificateHandle served_certificate(int port) {
  const int fd = connect_to(port);
  REQUIRE(fd >= 0);
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> context(SSL_CTX_new(TLS_client_method()),
                                                       SSL_CTX_free);
  std::unique_ptr<SSL, void (*)(SSL*)> ssl(SSL_new(context.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  const int connected = SSL_connect(ssl.get());
  auth::CertificateHandle certificate(SSL_get1_peer_certificate(ssl.get()));
  SSL_shutdown(ssl.get());
  ::close(fd);
  REQUIRE(connected == 1);
  REQUIRE(certificate);
  return certificate;
}

TEST_CASE("tally cluster up serves the API over HTTPS under the cluster CA",
          "[service][security]") {
  HttpsCluster c(1);
  CHECK(c.cluster.up.output.find("https://127.0.0.1:") != std::string::npos);
  CHECK(api_scheme(c.cluster.dir) == "https://");
  const auth::CertificateFiles api = auth::api_credentials(c.cluster.dir, 1);
  struct stat status {};
  REQUIRE(::stat(api.key.c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0600);
  const std::string log = read_text(c.cluster.dir + "/node-1.log");
  CHECK(log.find("scheme=https") != std::string::npos);
  CHECK(log.find("api_plaintext") == std::string::npos);
  CHECK(send_json("POST", c.node, "/v2/main", "").status == 204);
  CHECK(get_json(c.node, "/v2/main").status == 200);
  // The CLI finds the CA through --cluster-dir.
  auto info = run_command("TALLY_CA_CERT= " + tally_binary() + " --cluster-dir " + c.cluster.dir +
                          " --json info");
  INFO(info.output);
  CHECK(info.exit_code == 0);
  CHECK(info.output.find("\"leaderAddress\":\"https://") != std::string::npos);
}

TEST_CASE("the served certificate names its node and the hosts it is reached by",
          "[service][security]") {
  HttpsCluster c(1);
  const auth::CertificateHandle certificate = served_certificate(c.port());
  char common_name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate.get()), NID_commonName, common_name,
                            sizeof common_name);
  CHECK(std::string(common_name) == auth::api_common_name(1));
  CHECK(X509_check_ip_asc(certificate.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_host(certificate.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(certificate.get(), "ledger.example", 0, 0, nullptr) != 1);
  CHECK(X509_check_ip_asc(certificate.get(), "10.0.0.1", 0) != 1);
  // Signed by the cluster CA, and no peer identity: it cannot stand for the node among peers.
  auto ca = auth::read_certificate(auth::ca_certificate_path(c.cluster.dir));
  REQUIRE(ca.ok());
  CHECK(X509_verify(certificate.get(), X509_get0_pubkey(ca->get())) == 1);
  CHECK_FALSE(auth::identity_of(certificate.get()).ok());
  // A client asking for another name than the certificate's is refused.
  cli::HttpRequest request;
  request.url = "https://localhost:" + std::to_string(c.port()) + "/_tally/info";
  request.ca_file = auth::ca_certificate_path(c.cluster.dir);
  auto by_name = cli::http_call(request);
  REQUIRE(by_name.ok());
  CHECK(by_name.value().status == 401);  // reached and verified; no token sent
}

TEST_CASE("a plaintext request to an HTTPS port gets no answer and the node keeps serving",
          "[service][security]") {
  HttpsCluster c(1);
  for (int i = 0; i < 3; ++i) {
    const int fd = connect_to(c.port());
    REQUIRE(fd >= 0);
    REQUIRE(send_all(fd,
                     "GET /_tally/info HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer " +
                         c.cluster.token + "\r\n\r\n"));
    std::string answer;
    char buffer[4096];
    timeval tick{0, 100 * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    bool closed = false;
    for (const auto deadline = Clock::now() + std::chrono::seconds(5);
         !closed && Clock::now() < deadline;) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n > 0) answer.append(buffer, static_cast<std::size_t>(n));
      closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    }
    ::close(fd);
    CHECK(closed);
    CHECK(answer.find("HTTP/") == std::string::npos);
    CHECK(answer.find("leader") == std::string::npos);
  }
  CHECK(get_json(c.node, "/_tally/info").status == 200);
}

TEST_CASE("a client trusting another CA is refused, and says why", "[service][security]") {
  HttpsCluster c(1);
  TempDir other;
  REQUIRE(auth::ensure_cluster_credentials(other.file("pki"), "other", {}).ok());
  const std::string other_ca = auth::ca_certificate_path(other.file("pki"));
  cli::HttpRequest request;
  request.method = "POST";
  request.url = c.node + "/v2/main";
  request.headers = {{"Authorization", "Bearer " + c.cluster.token}};
  request.ca_file = other_ca;
  auto refused = cli::http_call(request);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Code::kConfiguration);
  CHECK_THAT(refused.error().message, Catch::Contains("does not verify under the CA " + other_ca));
  request.ca_file = "";  // the system's trust store knows no cluster CA either
  CHECK_FALSE(cli::http_call(request).ok());
  // Nothing was sent: the ledger does not exist.
  CHECK(get_json(c.node, "/v2/main").status == 404);

  // The CLI says so at once (no retry through leader changes) and exits 1.
  const auto started = Clock::now();
  auto cli = run_command(tally_binary() + " --ca " + other_ca + " --node " + c.node +
                         " ledger create main 2>&1");
  INFO(cli.output);
  CHECK(cli.exit_code == 1);
  CHECK_THAT(cli.output, Catch::Contains("does not verify") && Catch::Contains("--ca"));
  CHECK(Clock::now() - started < std::chrono::seconds(4));
  CHECK(get_json(c.node, "/v2/main").status == 404);
}

TEST_CASE("a follower redirects to the leader over https", "[service][security]") {
  HttpsCluster c(3);
  const std::vector<ClusterNode> nodes = read_cluster(c.cluster.dir);
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  std::uint64_t leader = 0;
  while ((leader = leader_of(nodes)) == 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(leader != 0);
  const ClusterNode& follower = nodes[leader == 1 ? 1 : 0];
  cli::HttpRequest request;
  request.method = "POST";
  request.url = follower.http + "/v2/main";
  request.headers = {{"Authorization", "Bearer " + c.cluster.token}};
  request.ca_file = auth::ca_certificate_path(c.cluster.dir);
  request.redirects_max = 0;
  auto redirect = cli::http_call(request);
  REQUIRE(redirect.ok());
  REQUIRE(redirect.value().status == 307);
  CHECK(redirect.value().header("location").rfind("https://127.0.0.1:", 0) == 0);
  request.redirects_max = 5;
  auto created = cli::http_call(request);
  REQUIRE(created.ok());
  CHECK(created.value().status == 204);
  CHECK(created.value().url.rfind("https://", 0) == 0);
}

TEST_CASE("a redirect from https to plain http is not followed", "[security]") {
  CHECK(cli::follows_redirect("https://a:1/v2/x", "https://b:2/v2/x"));
  CHECK_FALSE(cli::follows_redirect("https://a:1/v2/x", "http://b:2/v2/x"));
  CHECK(cli::follows_redirect("http://a:1/v2/x", "http://b:2/v2/x"));
  CHECK_FALSE(cli::follows_redirect("http://a:1/v2/x", "/v2/x"));
}

TEST_CASE("tally cluster up --api-plaintext serves plain HTTP and each node warns once",
          "[service][security]") {
  TempDir dir;
  LocalCluster cluster(1, dir.file("c"), "--api-plaintext");
  REQUIRE(cluster.base_port != 0);
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);
  CHECK(api_scheme(cluster.dir) == "http://");
  CHECK_FALSE(std::filesystem::exists(auth::api_credentials(cluster.dir, 1).certificate));
  const std::string node = "http://127.0.0.1:" + std::to_string(cluster.base_port + 101);
  CHECK(send_json("POST", node, "/v2/main", "").status == 204);
  auto info = run_command(tally_binary() + " --cluster-dir " + cluster.dir + " info");
  CHECK(info.exit_code == 0);
  const std::string log = read_text(cluster.dir + "/node-1.log");
  const std::size_t warning = log.find("event=api_plaintext");
  REQUIRE(warning != std::string::npos);
  CHECK(log.find("event=api_plaintext", warning + 1) == std::string::npos);
  const std::size_t line_start = log.rfind('\n', warning) + 1;
  CHECK(log.substr(line_start, warning - line_start).find("level=warn") != std::string::npos);
}

TEST_CASE("tallyd refuses --api-cert without --api-key, with exit code 2", "[service][security]") {
  TempDir dir;
  const int base = free_base_port(1);
  REQUIRE(base != 0);
  auto refused =
      run_command(tallyd_binary() + " --id=1 --raft-address=127.0.0.1:" + std::to_string(base + 1) +
                  " --http-address=127.0.0.1:" + std::to_string(base + 101) +
                  " --data-dir=" + dir.file("data") + " --insecure-peers --auth=off --api-cert=" +
                  dir.file("api.pem") + " 2>" + dir.file("err.txt"));
  CHECK(refused.exit_code == 2);
  CHECK_THAT(read_text(dir.file("err.txt")), Catch::Contains("--api-key"));
}

}  // namespace
}  // namespace tally::testing
