// The TLS settings every peer connection of a node shares (DESIGN.md §9): this node's
// certificate and key, the cluster CA it trusts, and the identity rules.
//
// TLS 1.3 only. Both ends present a certificate (the listener requires one: no certificate,
// no connection) and verify the other's chain under the cluster CA alone (the system's trust
// store plays no part). A chain that verifies must then name this node's cluster and, for
// the listener, the node id the peer claims in libraft's handshake; connecting out, the node
// id this node meant to reach. No session tickets: a connection lives as long as the peers do.
//
// load() refuses (kConfiguration, naming the file) a certificate that does not verify under
// the CA, that names another node or cluster than this one, or whose key is not the key given.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "native/auth/cluster_credentials.hpp"
#include "native/auth/openssl_handles.hpp"
#include "native/auth/peer_identity.hpp"

namespace tally::tls {

class PeerTlsContext {
 public:
  static Result<std::shared_ptr<PeerTlsContext>> load(const auth::PeerCredentials& files,
                                                      const auth::PeerIdentity& self);

  SSL_CTX* get() const { return context_.get(); }
  const auth::PeerIdentity& self() const { return self_; }

  // After a completed handshake: the node id the peer's verified certificate names, when it
  // names this cluster and, if expected is set, that node. kValidation saying why otherwise.
  Result<std::uint64_t> verified_peer(SSL* ssl, std::optional<std::uint64_t> expected) const;

 private:
  PeerTlsContext(auth::SslContextHandle context, auth::PeerIdentity self)
      : context_(std::move(context)), self_(std::move(self)) {}
  auth::SslContextHandle context_;
  auth::PeerIdentity self_;
};

}  // namespace tally::tls
