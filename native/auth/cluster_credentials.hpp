// The credentials of a local cluster, under one directory (what `tally cluster up` creates and
// each node it starts is given):
//
//   DIR/tls/ca.pem, DIR/tls/ca.key           the cluster CA (its key signs node certificates)
//   DIR/tls/node-N.pem, DIR/tls/node-N.key   node N's certificate and private key
//   DIR/tls/api-N.pem, DIR/tls/api-N.key     node N's API server certificate (HTTPS)
//   DIR/token.key                            the token secret (native/keyfile/token_key_file)
//
// Keys are 0600, certificates 0644 (pki.hpp). Nothing is ever overwritten: what exists is
// kept, so restarting or growing a cluster keeps its CA and its nodes' certificates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "native/auth/pki.hpp"

namespace tally::auth {

// What one node needs for peer TLS (tallyd's --peer-cert, --peer-key, --peer-ca).
struct PeerCredentials {
  std::string certificate;  // this node's certificate (PEM)
  std::string key;          // its private key (PEM, mode 0600)
  std::string ca;           // the cluster CA's certificate (PEM)
};

PeerCredentials node_credentials(const std::string& dir, std::uint64_t node_id);
std::string token_key_path(const std::string& dir);
// The revoked token ids (revoked_tokens.hpp; tallyd's --revoked-tokens-file).
std::string revoked_tokens_path(const std::string& dir);
// The cluster CA's certificate: what a client of the API trusts.
std::string ca_certificate_path(const std::string& dir);
// Node node_id's API server certificate and key (tallyd's --api-cert, --api-key).
CertificateFiles api_credentials(const std::string& dir, std::uint64_t node_id);

// Creates whatever is missing of the CA, a certificate for each node id and the token key;
// returns the paths it created, in that order.
Result<std::vector<std::string>> ensure_cluster_credentials(
    const std::string& dir, const std::string& cluster_id, const std::vector<std::uint64_t>& nodes);

// Creates the API server certificate of each node id that has none, under the CA that
// ensure_cluster_credentials created, naming hosts (pki.hpp ApiServerName); returns the paths
// it created.
Result<std::vector<std::string>> ensure_api_certificates(const std::string& dir,
                                                         const std::string& cluster_id,
                                                         const std::vector<std::uint64_t>& nodes,
                                                         const std::vector<std::string>& hosts);

}  // namespace tally::auth
