// The cluster's small PKI (docs/design.md §9): a cluster CA and one certificate per node, for the
// mutual TLS between peers (native/tls/), and one API server certificate per node (HTTPS).
//
// Keys are ECDSA P-256, certificates SHA-256-signed X.509 v3, valid ten years (from an hour
// before creation, for clock skew between machines). The CA is CA:TRUE with pathlen 0 (it
// signs node certificates, nothing that signs further) and names its cluster in its subject.
// A node certificate is CA:FALSE, for TLS server and client authentication, and names its node
// and cluster in its subjectAltName (peer_identity.hpp). An API certificate is CA:FALSE, for
// TLS server authentication only, names its node in its subject (api_common_name) and the
// hosts clients reach it by in its subjectAltName, and carries no peer identity: it cannot
// stand for a node among peers. Private keys are PEM files of mode
// 0600 (native/keyfile/secret_file.hpp rules: created with O_EXCL, never overwritten, refused
// when group or others may read them); certificates are PEM files of mode 0644. Errors are
// kConfiguration naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "native/auth/openssl_handles.hpp"
#include "native/auth/peer_identity.hpp"

namespace tally::auth {

struct CertificateFiles {
  std::string certificate;  // PEM certificate, 0644
  std::string key;          // PEM private key, 0600
};

// A new cluster CA for cluster_id.
Status create_cluster_ca(const CertificateFiles& ca, const std::string& cluster_id);

// A new node certificate for identity, signed by the CA at ca.
Status create_node_certificate(const CertificateFiles& ca, const PeerIdentity& identity,
                               const CertificateFiles& node);

// Who an API server certificate is for: its node, its cluster, and the hosts (IP addresses
// or DNS names) clients connect to.
struct ApiServerName {
  std::uint64_t node_id = 0;
  std::string cluster_id;
  std::vector<std::string> hosts;
};

// A new API server certificate for name, signed by the CA at ca. kConfiguration for a host
// that is neither an IP address nor a DNS name.
Status create_api_certificate(const CertificateFiles& ca, const ApiServerName& name,
                              const CertificateFiles& api);

// The common name of node_id's API certificate.
std::string api_common_name(std::uint64_t node_id);

// A node certificate for identity signed by its own key, under no CA: what a rogue peer
// presents (tests), never what a cluster uses.
Status create_self_signed_node_certificate(const PeerIdentity& identity,
                                           const CertificateFiles& node);

// Reading back: a PEM certificate file, and a PEM private key file under the secret rules.
Result<CertificateHandle> read_certificate(const std::string& path);
Result<KeyHandle> read_private_key(const std::string& path);

}  // namespace tally::auth
