// [security] Raft between processes over mutual TLS, end to end: three uv nodes whose
// transport is native/tls, on 127.0.0.1. They elect, replicate and agree; a rogue that reaches
// a Raft port (plaintext, a self-signed certificate, another cluster's CA, another cluster's
// name, or a certificate of this cluster claiming another node's id) is dropped before libraft
// reads a byte: no node takes its term, nothing is appended. The same rogue message sent to
// a plaintext cluster is accepted, which shows the message itself would work.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "native/auth/cluster_credentials.hpp"
#include "native/auth/pki.hpp"
#include "native/raft/store_digest.hpp"
#include "native/tls/raft_handshake.hpp"
#include "tests/cluster/replica_checks.hpp"
#include "tests/cluster/uv_cluster.hpp"

namespace tally::testing {
namespace {

// The cluster's credentials, the transport's log lines, and the hook that gives node i its
// certificate.
struct SecuredCluster {
  TempDir pki;
  std::shared_ptr<std::vector<std::string>> refusals = std::make_shared<std::vector<std::string>>();

  SecuredCluster() {
    REQUIRE(auth::ensure_cluster_credentials(pki.path().string(), "tally", {1, 2, 3, 7}).ok());
  }
  UvCluster::Configure configure() {
    return [this](unsigned i, replica::UvConfig& config) {
      auto context = tls::PeerTlsContext::load(auth::node_credentials(pki.path().string(), i + 1),
                                               {i + 1, "tally"});
      REQUIRE(context.ok());
      tls::PeerTlsConfig tls;
      tls.context = *context;
      tls.handshake_timeout_ms = 3000;
      // Tiny marks: a snapshot's chunks fill the socket buffers, and reading pauses and
      // resumes on both sides of each connection.
      tls.queue_high_bytes = 4096;
      tls.queue_low_bytes = 1024;
      auto refusals_seen = refusals;
      tls.log = [refusals_seen](const std::string& event, const std::string& detail) {
        if (event == "peer_refused") refusals_seen->push_back(detail);
      };
      config.peer_tls = std::move(tls);
    };
  }
};

// libraft 0.15's AppendEntries on the wire (its uv_encoding.c): preamble (type 1, header
// size), header (term, previous index and term, commit, entry count, an entry header per
// entry, one unused word), then each entry's bytes.
Bytes append_entries(std::uint64_t term, std::uint64_t prev_index, std::uint64_t prev_term) {
  Bytes out;
  auto put = [&](std::uint64_t value) {
    for (int i = 0; i < 8; ++i)
      out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  };
  const Bytes payload(8, 0);
  put(1);           // RAFT_IO_APPEND_ENTRIES
  put(6 * 8 + 16);  // header size: six words and one entry header
  put(term);        // the rogue leader's term
  put(prev_index);
  put(prev_term);
  put(0);            // leader commit
  put(1);            // one entry
  put(term);         // its term
  out.push_back(1);  // RAFT_COMMAND
  out.insert(out.end(), 3, 0);
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<std::uint8_t>(payload.size() >> (8 * i)));
  put(0);  // the unused word libraft counts in the header size
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// What a rogue at a Raft port sends: libraft's hello claiming to be node claimed (the
// leader), then AppendEntries of a higher term.
Bytes rogue_bytes(std::uint64_t claimed, std::uint64_t term, std::uint64_t prev_index,
                  std::uint64_t prev_term) {
  Bytes bytes = tls::encode_raft_hello({claimed, "127.0.0.1:1"});
  Bytes entries = append_entries(term, prev_index, prev_term);
  bytes.insert(bytes.end(), entries.begin(), entries.end());
  return bytes;
}

int connect_to(const std::string& address) {
  const std::size_t colon = address.rfind(':');
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &target.sin_addr);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends bytes to address (through TLS with ctx when given) and waits for the node to hang up.
// True when it did; false when the connection stayed open (read timed out).
bool send_and_wait_for_close(const std::string& address, const Bytes& bytes, SSL_CTX* ctx) {
  const int fd = connect_to(address);
  if (fd < 0) return false;
  bool closed = false;
  errno = 0;
  if (ctx == nullptr) {
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    std::uint8_t buffer[256];
    ssize_t got = 0;
    while ((got = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
    }
    closed = got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
  } else {
    auth::SslHandle ssl(SSL_new(ctx));
    SSL_set_fd(ssl.get(), fd);
    if (SSL_connect(ssl.get()) == 1) {
      SSL_write(ssl.get(), bytes.data(), static_cast<int>(bytes.size()));
      errno = 0;
      std::uint8_t buffer[256];
      while (SSL_read(ssl.get(), buffer, sizeof buffer) > 0) {
      }
    }
    closed = !(errno == EAGAIN || errno == EWOULDBLOCK);
  }
  ::close(fd);
  return closed;
}

// Runs the rogue on a thread while the loop turns; true when the node hung up on it.
bool run_rogue(UvCluster& cluster, const std::function<bool()>& rogue) {
  std::atomic<bool> done{false};
  bool closed = false;
  std::thread thread([&] {
    closed = rogue();
    done = true;
  });
  cluster.run_until([&] { return done.load(); }, 60);
  thread.join();
  return closed;
}

auth::SslContextHandle client_context(const auth::PeerCredentials& files) {
  auth::SslContextHandle ctx(SSL_CTX_new(TLS_method()));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  if (!files.certificate.empty()) {
    SSL_CTX_use_certificate_file(ctx.get(), files.certificate.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey(ctx.get(), auth::read_private_key(files.key)->get());
  }
  return ctx;
}

// Waits for a leader, then has it apply writes requests.
void lead_and_write(UvCluster& cluster, std::size_t writes) {
  cluster.run_until([&] { return cluster.leader() != nullptr; });
  cluster.write(writes);
}

struct Terms {
  std::vector<std::uint64_t> term, last_index;
};
Terms terms_of(UvCluster& cluster) {
  Terms out;
  for (unsigned i = 0; i < cluster.size(); ++i) {
    out.term.push_back(cluster.node(i)->term());
    out.last_index.push_back(cluster.node(i)->last_log_index());
  }
  return out;
}

unsigned a_follower(UvCluster& cluster) {
  for (unsigned i = 0; i < cluster.size(); ++i)
    if (!cluster.node(i)->is_leader()) return i;
  FAIL("no follower");
  return 0;
}

TEST_CASE("three nodes over mutual TLS replicate, restart a follower past a snapshot and agree",
          "[security][raft-uv]") {
  SecuredCluster secured;
  UvCluster cluster(16, secured.configure());
  lead_and_write(cluster, 300);
  const unsigned follower = a_follower(cluster);
  cluster.stop(follower);
  cluster.write(700);  // the leader snapshots and compacts its log past the follower
  // The snapshot is taken off the loop: wait until it is done, so the follower's next index is
  // gone from the leader's log and only the snapshot can bring it up.
  cluster.run_until(
      [&] { return cluster.leader() != nullptr && cluster.leader()->stats().snapshots_taken > 0; });
  cluster.start(follower);  // reconnects through the TLS transport, installs the snapshot
  cluster.write(100);
  cluster.converge();
  CHECK(cluster.node(follower)->stats().snapshots_installed > 0);
  const std::string reference = digest_hex_of(*cluster.node(0));
  for (unsigned i = 0; i < cluster.size(); ++i)
    require_replica_sound(*cluster.node(i), reference);
  CHECK(cluster.acknowledged() == 1100);
  CHECK(secured.refusals->empty());
}

TEST_CASE("rogue peers are dropped before libraft reads a byte, and nothing is appended",
          "[security][raft-uv]") {
  SecuredCluster secured;
  UvCluster cluster(16, secured.configure());
  lead_and_write(cluster, 20);
  cluster.converge();
  const Terms before = terms_of(cluster);
  const unsigned target = a_follower(cluster);
  const std::string address = cluster.peer(target).address;
  const std::uint64_t rogue_term = before.term[target] + 1000;
  const Bytes message = rogue_bytes(cluster.leader()->id(), rogue_term, before.last_index[target],
                                    before.term[target]);

  // Rogue credentials: self-signed; another cluster's CA; this CA but another cluster's name;
  // a certificate of this cluster for node 7, claiming in libraft's hello to be the leader.
  TempDir rogue_dir;
  const std::string dir = rogue_dir.path().string();
  auto issue = [&](const std::string& name, const auth::PeerIdentity& identity,
                   const std::string& ca_dir) {
    auth::PeerCredentials files{dir + "/" + name + ".pem", dir + "/" + name + ".key", ""};
    Status made =
        ca_dir.empty()
            ? auth::create_self_signed_node_certificate(identity, {files.certificate, files.key})
            : auth::create_node_certificate({ca_dir + "/tls/ca.pem", ca_dir + "/tls/ca.key"},
                                            identity, {files.certificate, files.key});
    REQUIRE(made.ok());
    return files;
  };
  REQUIRE(auth::ensure_cluster_credentials(dir + "/other", "other", {}).ok());
  const auto self_signed = client_context(issue("self", {2, "tally"}, ""));
  const auto foreign_ca = client_context(issue("foreign", {2, "tally"}, dir + "/other"));
  const auto foreign_name =
      client_context(issue("name", {2, "other"}, secured.pki.path().string()));
  const auto impostor = client_context(auth::node_credentials(secured.pki.path().string(), 7));
  const auto anonymous = client_context({});
  struct Rogue {
    const char* name;
    SSL_CTX* ctx;        // null: plaintext
    const char* reason;  // what the node logs
  };
  const std::vector<Rogue> rogues = {
      {"plaintext, libraft's own handshake", nullptr, "TLS handshake"},
      {"TLS without a certificate", anonymous.get(), "did not return a certificate"},
      {"a self-signed certificate", self_signed.get(), "certificate verify failed"},
      {"another cluster's CA", foreign_ca.get(), "certificate verify failed"},
      {"this CA, another cluster's name", foreign_name.get(), "names cluster \"other\""},
      {"node 7's certificate claiming to be the leader", impostor.get(),
       "its certificate names node 7"},
  };
  for (const Rogue& rogue : rogues) {
    INFO(rogue.name);
    const std::size_t refused_before = secured.refusals->size();
    CHECK(run_rogue(cluster, [&] { return send_and_wait_for_close(address, message, rogue.ctx); }));
    cluster.run_until([&] { return secured.refusals->size() > refused_before; }, 30);
    CHECK_THAT(secured.refusals->back(), Catch::Contains(rogue.reason));
  }
  cluster.write(5);    // the cluster still works, through its own TLS links
  cluster.converge();  // a majority acknowledged the five; the third node may still be behind
  const Terms after = terms_of(cluster);
  for (unsigned i = 0; i < cluster.size(); ++i) {
    INFO("node " << i + 1);
    CHECK(after.term[i] < rogue_term);  // no node took the rogue's term
    if (after.term[i] == before.term[i]) CHECK(after.last_index[i] == before.last_index[i] + 5);
  }
}

TEST_CASE("the same rogue message is taken by a plaintext cluster (what TLS stops)",
          "[security][raft-uv]") {
  UvCluster cluster(16);  // libraft's plaintext TCP transport
  lead_and_write(cluster, 20);
  cluster.converge();
  const Terms before = terms_of(cluster);
  const unsigned target = a_follower(cluster);
  const std::uint64_t rogue_term = before.term[target] + 1000;
  const Bytes message = rogue_bytes(cluster.leader()->id(), rogue_term, before.last_index[target],
                                    before.term[target]);
  std::atomic<bool> sent{false};
  std::thread rogue([&] {
    const int fd = connect_to(cluster.peer(target).address);
    if (fd >= 0) {
      (void)::send(fd, message.data(), message.size(), MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      ::close(fd);
    }
    sent = true;
  });
  cluster.run_until([&] { return sent.load(); }, 60);
  rogue.join();
  cluster.run_until([&] { return cluster.node(target)->term() >= rogue_term; }, 30);
  CHECK(cluster.node(target)->term() >= rogue_term);  // the follower obeyed a stranger
}

}  // namespace
}  // namespace tally::testing
