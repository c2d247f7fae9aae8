#include "native/auth/cluster_credentials.hpp"

#include <filesystem>

#include "native/auth/pki.hpp"
#include "native/keyfile/token_key_file.hpp"

namespace tally::auth {

namespace {

namespace fs = std::filesystem;

std::string in_dir(const std::string& dir, const std::string& name) {
  return (fs::path(dir) / name).string();
}

CertificateFiles ca_files(const std::string& dir) {
  return {in_dir(dir, "tls/ca.pem"), in_dir(dir, "tls/ca.key")};
}

}  // namespace

PeerCredentials node_credentials(const std::string& dir, std::uint64_t node_id) {
  const std::string stem = "tls/node-" + std::to_string(node_id);
  return {in_dir(dir, stem + ".pem"), in_dir(dir, stem + ".key"), ca_files(dir).certificate};
}

std::string token_key_path(const std::string& dir) {
  return in_dir(dir, "token.key");
}

std::string revoked_tokens_path(const std::string& dir) {
  return in_dir(dir, "revoked-tokens");
}

std::string ca_certificate_path(const std::string& dir) {
  return ca_files(dir).certificate;
}

CertificateFiles api_credentials(const std::string& dir, std::uint64_t node_id) {
  const std::string stem = "tls/api-" + std::to_string(node_id);
  return {in_dir(dir, stem + ".pem"), in_dir(dir, stem + ".key")};
}

Result<std::vector<std::string>> ensure_api_certificates(const std::string& dir,
                                                         const std::string& cluster_id,
                                                         const std::vector<std::uint64_t>& nodes,
                                                         const std::vector<std::string>& hosts) {
  std::vector<std::string> created;
  for (std::uint64_t id : nodes) {
    const CertificateFiles api = api_credentials(dir, id);
    if (fs::exists(api.certificate)) continue;
    TALLY_TRY(create_api_certificate(ca_files(dir), {id, cluster_id, hosts}, api));
    created.push_back(api.certificate);
  }
  return created;
}

Result<std::vector<std::string>> ensure_cluster_credentials(
    const std::string& dir, const std::string& cluster_id,
    const std::vector<std::uint64_t>& nodes) {
  std::vector<std::string> created;
  std::error_code ec;
  fs::create_directories(in_dir(dir, "tls"), ec);
  if (ec)
    return make_error(Code::kConfiguration, "create " + in_dir(dir, "tls") + ": " + ec.message());
  const CertificateFiles ca = ca_files(dir);
  if (!fs::exists(ca.certificate)) {
    TALLY_TRY(create_cluster_ca(ca, cluster_id));
    created.push_back(ca.certificate);
  }
  for (std::uint64_t id : nodes) {
    const PeerCredentials node = node_credentials(dir, id);
    if (fs::exists(node.certificate)) continue;
    TALLY_TRY(create_node_certificate(ca, {id, cluster_id}, {node.certificate, node.key}));
    created.push_back(node.certificate);
  }
  const std::string token_key = token_key_path(dir);
  if (!fs::exists(token_key)) {
    auto key = keyfile::create_token_key_file(token_key);
    if (!key.ok()) return std::move(key).error();
    created.push_back(token_key);
  }
  return created;
}

}  // namespace tally::auth
