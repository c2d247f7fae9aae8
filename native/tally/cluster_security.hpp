// What `tally cluster up` gives a local cluster so that it runs secure by default: the
// cluster CA, each node's certificate and the token key (native/auth/cluster_credentials.hpp),
// and the flags that hand each tallyd its certificate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tally::cli {

// Creates what is missing under dir for nodes 1..count of cluster_id (the id each node's
// certificate names); prints each file it created. False (with the reason on stderr) when
// something cannot be created.
bool ensure_cluster_security(const std::string& dir, const std::string& cluster_id,
                             std::uint64_t count);

// tallyd's --peer-cert, --peer-key and --peer-ca for node id of the cluster in dir.
std::vector<std::string> peer_tls_flags(const std::string& dir, std::uint64_t id);

}  // namespace tally::cli
