// What `tally cluster up` gives a local cluster so that it runs secure by default: the
// cluster CA, each node's certificate, each node's API server certificate (HTTPS, naming
// 127.0.0.1 and localhost, where the cluster listens) and the token key
// (native/auth/cluster_credentials.hpp), the flags that hand each tallyd its certificates and
// the token key, and an admin token
// (DIR/admin.token, mode 0600: every ledger, read write admin, 30 days) that the CLI sends
// for the cluster's own commands and for any command given --cluster-dir.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tally::cli {

// Creates what is missing under dir for nodes 1..count of cluster_id (the id each node's
// certificate names), API certificates when https; prints each file it created. False (with
// the reason on stderr) when something cannot be created.
bool ensure_cluster_security(const std::string& dir, const std::string& cluster_id,
                             std::uint64_t count, bool https);

// tallyd's --peer-cert, --peer-key and --peer-ca for node id of the cluster in dir (when not
// peer_tls: --insecure-peers), its --token-key-file, and when https its --api-cert and
// --api-key.
std::vector<std::string> node_security_flags(const std::string& dir, std::uint64_t id,
                                             bool peer_tls, bool https);

// Mints a new admin token with dir's token key and writes it to DIR/admin.token (replacing
// the one there). False (with the reason on stderr) when it cannot.
bool write_admin_token(const std::string& dir, const std::string& cluster_id);

// DIR/admin.token's token ("" when there is none).
std::string admin_token(const std::string& dir);

}  // namespace tally::cli
