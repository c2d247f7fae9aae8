// Who a node certificate names (DESIGN.md §9): one node of one cluster.
//
// A node certificate carries its identity as one subjectAltName URI,
// "urn:tally:node:<node id>:<cluster id>": the node id in decimal (> 0), then the cluster id.
// Peers check it after the chain verified under the cluster CA: the cluster must be theirs,
// and the node id the one the peer claims in libraft's handshake (or, connecting out, the one
// it meant to reach). Cluster ids in certificates are [A-Za-z0-9._-]{1,63}, so the URI needs
// no escaping.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <string>

#include "core/result.hpp"

namespace tally::auth {

struct PeerIdentity {
  std::uint64_t node_id = 0;
  std::string cluster_id;

  friend bool operator==(const PeerIdentity&, const PeerIdentity&) = default;
};

// kConfiguration when cluster_id cannot be written in a certificate.
Status validate_cluster_id_for_certificates(const std::string& cluster_id);

std::string identity_uri(const PeerIdentity& identity);

// The identity the certificate names; kValidation when it names none, several, or a
// malformed one.
Result<PeerIdentity> identity_of(X509* certificate);

}  // namespace tally::auth
