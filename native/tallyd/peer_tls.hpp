// tallyd's peer security (DESIGN.md §9): mutual TLS between nodes unless the operator says
// otherwise, out loud.
//
// --peer-cert, --peer-key and --peer-ca (or the same keys in the config file) name this node's
// certificate, its private key (mode 0600) and the cluster CA; `tally cluster up` creates them
// (native/auth/cluster_credentials.hpp). The certificate must verify under the CA and name
// this node's --id and --cluster-id. Without them tallyd refuses to start (exit 2), unless
// --insecure-peers is given: then Raft runs over plaintext TCP, anyone who reaches the Raft
// port can append to the log, and tallyd logs a warning saying so at start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "native/tls/tls_transport.hpp"

namespace tally::tallyd {

struct PeerFlags {
  std::string certificate, key, ca;
  bool insecure = false;
};

// What the flags ask for: none (plaintext, --insecure-peers), or the transport's TLS settings.
// kValidation for flags that do not fit together (exit 2); kConfiguration for files that
// cannot be used (exit 3).
Result<std::optional<tls::PeerTlsConfig>> peer_tls_config(const PeerFlags& flags,
                                                          std::uint64_t node_id,
                                                          const std::string& cluster_id);

}  // namespace tally::tallyd
