#include "native/tally/cluster_security.hpp"

#include <cstdio>

#include "native/auth/cluster_credentials.hpp"

namespace tally::cli {

bool ensure_cluster_security(const std::string& dir, const std::string& cluster_id,
                             std::uint64_t count) {
  std::vector<std::uint64_t> nodes;
  for (std::uint64_t id = 1; id <= count; ++id)
    nodes.push_back(id);
  auto created = auth::ensure_cluster_credentials(dir, cluster_id, nodes);
  if (!created.ok()) {
    std::fprintf(stderr, "tally: %s\n", created.error().message.c_str());
    return false;
  }
  for (const std::string& path : *created)
    std::printf("created %s\n", path.c_str());
  return true;
}

std::vector<std::string> peer_tls_flags(const std::string& dir, std::uint64_t id) {
  const auth::PeerCredentials files = auth::node_credentials(dir, id);
  return {"--peer-cert=" + files.certificate, "--peer-key=" + files.key, "--peer-ca=" + files.ca};
}

}  // namespace tally::cli
