// [security] The cluster PKI and one TLS session between two peers, in memory: who is
// refused at the handshake (no CA, another CA), who after it (another cluster, another node),
// and what a node refuses to start with.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include "native/auth/cluster_credentials.hpp"
#include "native/auth/pki.hpp"
#include "native/tls/peer_tls_context.hpp"
#include "native/tls/raft_handshake.hpp"
#include "native/tls/tls_channel.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

using auth::PeerCredentials;
using tls::PeerTlsContext;
using tls::TlsChannel;

// A cluster "tally" with nodes 1 and 2, and the credentials rogues present.
struct Pki {
  TempDir dir;
  PeerCredentials node1 = auth::node_credentials(dir.path().string(), 1);
  PeerCredentials node2 = auth::node_credentials(dir.path().string(), 2);

  Pki() { REQUIRE(auth::ensure_cluster_credentials(dir.path().string(), "tally", {1, 2}).ok()); }

  // A certificate for identity: under this cluster's CA, or signed by its own key.
  PeerCredentials issue(const std::string& name, const auth::PeerIdentity& identity,
                        bool under_ca = true) {
    PeerCredentials files{dir.file(name + ".pem"), dir.file(name + ".key"), node1.ca};
    auth::CertificateFiles target{files.certificate, files.key};
    Status made = under_ca ? auth::create_node_certificate({node1.ca, dir.file("tls/ca.key")},
                                                           identity, target)
                           : auth::create_self_signed_node_certificate(identity, target);
    INFO((made.ok() ? std::string() : made.error().message));
    REQUIRE(made.ok());
    return files;
  }
  // A certificate for identity under a CA of another cluster.
  PeerCredentials foreign(const auth::PeerIdentity& identity) {
    REQUIRE(auth::ensure_cluster_credentials(dir.file("other"), "other", {}).ok());
    PeerCredentials files{dir.file("foreign.pem"), dir.file("foreign.key"), node1.ca};
    REQUIRE(
        auth::create_node_certificate({dir.file("other/tls/ca.pem"), dir.file("other/tls/ca.key")},
                                      identity, {files.certificate, files.key})
            .ok());
    return files;
  }
};

std::shared_ptr<PeerTlsContext> context(const PeerCredentials& files,
                                        const auth::PeerIdentity& self) {
  auto loaded = PeerTlsContext::load(files, self);
  INFO((loaded.ok() ? std::string() : loaded.error().message));
  REQUIRE(loaded.ok());
  return *loaded;
}

// A client's SSL_CTX that does not check itself: what a rogue holding any certificate (or
// a certificate of another cluster) brings. It trusts the cluster CA, so only the listener's
// checks stand between it and libraft.
auth::SslContextHandle rogue_context(const PeerCredentials& files) {
  auth::SslContextHandle ctx(SSL_CTX_new(TLS_method()));
  REQUIRE(ctx);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  REQUIRE(SSL_CTX_use_certificate_file(ctx.get(), files.certificate.c_str(), SSL_FILETYPE_PEM) ==
          1);
  REQUIRE(SSL_CTX_use_PrivateKey(ctx.get(), auth::read_private_key(files.key)->get()) == 1);
  return ctx;
}

struct Outcome {
  Result<bool> client = false, server = false;
};

// Runs both handshakes, passing bytes across, until neither moves.
Outcome handshake(TlsChannel& client, TlsChannel& server) {
  Outcome outcome;
  for (int round = 0; round < 10; ++round) {
    outcome.client = client.handshake();
    server.feed(client.take_output());
    outcome.server = server.handshake();
    client.feed(server.take_output());
    if (!outcome.client.ok() || !outcome.server.ok()) break;
    if (*outcome.client && *outcome.server) break;
  }
  return outcome;
}

TlsChannel open(SSL_CTX* ctx, TlsChannel::Role role) {
  auto channel = TlsChannel::open(ctx, role);
  REQUIRE(channel.ok());
  return std::move(channel).value();
}

TEST_CASE("two nodes of a cluster authenticate each other and exchange bytes", "[security]") {
  Pki pki;
  auto one = context(pki.node1, {1, "tally"});
  auto two = context(pki.node2, {2, "tally"});
  TlsChannel client = open(one->get(), TlsChannel::Role::kClient);
  TlsChannel server = open(two->get(), TlsChannel::Role::kServer);
  Outcome outcome = handshake(client, server);
  REQUIRE(outcome.client.ok());
  REQUIRE(outcome.server.ok());
  REQUIRE((*outcome.client && *outcome.server));
  auto seen_by_client = one->verified_peer(client.ssl(), 2);
  auto seen_by_server = two->verified_peer(server.ssl(), std::nullopt);
  REQUIRE(seen_by_client.ok());
  REQUIRE(seen_by_server.ok());
  CHECK(*seen_by_server == 1);

  Bytes hello = tls::encode_raft_hello({1, "127.0.0.1:9001"});
  REQUIRE(client.write(hello).ok());
  server.feed(client.take_output());
  Bytes received(hello.size() + 16);
  auto got = server.read(received.data(), received.size());
  REQUIRE(got.ok());
  received.resize(*got);
  CHECK(received == hello);
  auto decoded = tls::decode_raft_hello(received);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->has_value());
  CHECK((*decoded)->hello.id == 1);
  CHECK((*decoded)->hello.address == "127.0.0.1:9001");
}

TEST_CASE("a listener refuses a peer without a certificate of its cluster CA at the handshake",
          "[security]") {
  Pki pki;
  auto two = context(pki.node2, {2, "tally"});
  const PeerCredentials self_signed = pki.issue("self", {1, "tally"}, /*under_ca=*/false);
  const PeerCredentials foreign = pki.foreign({1, "other"});
  struct Case {
    const char* name;
    std::function<auth::SslContextHandle()> make;
  };
  const std::vector<Case> rogues = {
      {"no certificate",
       [] {
         auth::SslContextHandle ctx(SSL_CTX_new(TLS_method()));
         SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
         return ctx;
       }},
      {"a self-signed certificate", [&] { return rogue_context(self_signed); }},
      {"another cluster's CA", [&] { return rogue_context(foreign); }},
  };
  for (const Case& rogue : rogues) {
    INFO(rogue.name);
    auto ctx = rogue.make();
    TlsChannel client = open(ctx.get(), TlsChannel::Role::kClient);
    TlsChannel server = open(two->get(), TlsChannel::Role::kServer);
    Outcome outcome = handshake(client, server);
    REQUIRE_FALSE(outcome.server.ok());  // the listener's handshake fails: nothing is read
    INFO(outcome.server.error().message);
  }
}

TEST_CASE("plaintext bytes at a TLS listener fail its handshake", "[security]") {
  Pki pki;
  auto two = context(pki.node2, {2, "tally"});
  TlsChannel server = open(two->get(), TlsChannel::Role::kServer);
  server.feed(tls::encode_raft_hello({1, "127.0.0.1:9001"}));  // libraft's plaintext handshake
  auto done = server.handshake();
  REQUIRE_FALSE(done.ok());
  CHECK_THAT(done.error().message, Catch::Contains("TLS handshake"));
}

TEST_CASE("a CA-signed peer naming another cluster or another node is refused after the handshake",
          "[security]") {
  Pki pki;
  auto one = context(pki.node1, {1, "tally"});
  const PeerCredentials other_cluster = pki.issue("other-cluster", {2, "other"});
  const PeerCredentials node3 = pki.issue("node3", {3, "tally"});
  struct Case {
    const char* name;
    PeerCredentials server;
    std::optional<std::uint64_t> expected;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"another cluster id", other_cluster, 2, "cluster \"other\""},
      {"another node than asked for", node3, 2, "names node 3, not node 2"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto server_ctx = rogue_context(c.server);
    TlsChannel client = open(one->get(), TlsChannel::Role::kClient);
    TlsChannel server = open(server_ctx.get(), TlsChannel::Role::kServer);
    Outcome outcome = handshake(client, server);
    REQUIRE(outcome.client.ok());
    REQUIRE(*outcome.client);
    auto peer = one->verified_peer(client.ssl(), c.expected);
    REQUIRE_FALSE(peer.ok());
    CHECK_THAT(peer.error().message, Catch::Contains(c.reason));
  }
}

TEST_CASE("a node refuses to start with a certificate that is not its own", "[security]") {
  Pki pki;
  const PeerCredentials self_signed = pki.issue("self", {1, "tally"}, /*under_ca=*/false);
  struct Case {
    const char* name;
    PeerCredentials files;
    auth::PeerIdentity self;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"another node's certificate", pki.node2, {1, "tally"}, "names urn:tally:node:2:tally"},
      {"another cluster id", pki.node1, {1, "other"}, "this node is urn:tally:node:1:other"},
      {"a key that is not the certificate's",
       {pki.node1.certificate, pki.node2.key, pki.node1.ca},
       {1, "tally"},
       "peer TLS"},
      {"a certificate under no CA",
       self_signed,
       {1, "tally"},
       "does not verify under the cluster CA"},
      {"a cluster id certificates cannot carry", pki.node1, {1, "a b"}, "cannot name a cluster"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto loaded = PeerTlsContext::load(c.files, c.self);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code == Code::kConfiguration);
    CHECK_THAT(loaded.error().message, Catch::Contains(c.reason));
  }
  REQUIRE(::chmod(pki.node1.key.c_str(), 0644) == 0);
  auto readable = PeerTlsContext::load(pki.node1, {1, "tally"});
  REQUIRE_FALSE(readable.ok());
  CHECK_THAT(readable.error().message, Catch::Contains("chmod 600"));
}

TEST_CASE("cluster credentials are created once: keys 0600, certificates 0644, never overwritten",
          "[security]") {
  TempDir dir;
  auto created = auth::ensure_cluster_credentials(dir.path().string(), "tally", {1, 2, 3});
  REQUIRE(created.ok());
  CHECK(created->size() == 5);  // the CA, three nodes, the token key
  auto mode = [](const std::string& path) {
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_mode & 0777;
  };
  const PeerCredentials node = auth::node_credentials(dir.path().string(), 3);
  CHECK(mode(node.key) == 0600);
  CHECK(mode(dir.file("tls/ca.key")) == 0600);
  CHECK(mode(auth::token_key_path(dir.path().string())) == 0600);
  CHECK(mode(node.certificate) == 0644);
  auto identity = auth::identity_of(auth::read_certificate(node.certificate)->get());
  REQUIRE(identity.ok());
  CHECK(*identity == auth::PeerIdentity{3, "tally"});
  auto again = auth::ensure_cluster_credentials(dir.path().string(), "tally", {1, 2, 3, 4});
  REQUIRE(again.ok());
  CHECK(*again ==
        std::vector<std::string>{auth::node_credentials(dir.path().string(), 4).certificate});
}

TEST_CASE("a raft hello with a bad protocol, id or address length is refused", "[security]") {
  Bytes hello = tls::encode_raft_hello({7, "10.0.0.1:9001"});
  CHECK(hello.size() % 8 == 0);
  auto partial = tls::decode_raft_hello(ByteView(hello.data(), 30));
  REQUIRE(partial.ok());
  CHECK_FALSE(partial->has_value());
  auto mutate = [&](std::size_t at, std::uint8_t value) {
    Bytes bad = hello;
    bad[at] = value;
    return tls::decode_raft_hello(bad);
  };
  CHECK_FALSE(mutate(0, 2).ok());      // protocol 2
  CHECK_FALSE(mutate(8, 0).ok());      // id 0
  CHECK_FALSE(mutate(17, 0xff).ok());  // an address of 65 KiB
  CHECK_FALSE(mutate(16, 17).ok());    // not a whole number of words
  Bytes unterminated = hello;
  for (std::size_t i = tls::kRaftPreambleBytes; i < unterminated.size(); ++i)
    unterminated[i] = 'x';
  CHECK_FALSE(tls::decode_raft_hello(unterminated).ok());
}

TEST_CASE("random bytes as a raft hello are refused or wait for more, never crash", "[security]") {
  std::uint64_t state = 7;
  for (int round = 0; round < 5000; ++round) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    Bytes bytes(static_cast<std::size_t>((state >> 33) % 1100));
    for (auto& byte : bytes) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      byte = static_cast<std::uint8_t>(state >> 56);
    }
    if (bytes.size() >= 24 && round % 2 == 0) {  // a plausible preamble, random after it
      bytes[0] = 1;
      std::fill(bytes.begin() + 1, bytes.begin() + 8, 0);
      bytes[16] = static_cast<std::uint8_t>((state >> 8) % 128 * 8);
      std::fill(bytes.begin() + 17, bytes.begin() + 24, 0);
    }
    auto decoded = tls::decode_raft_hello(bytes);
    if (decoded.ok() && decoded->has_value()) CHECK((*decoded)->consumed <= bytes.size());
  }
}

}  // namespace
}  // namespace tally::testing
