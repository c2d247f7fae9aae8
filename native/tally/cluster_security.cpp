#include "native/tally/cluster_security.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "native/auth/cluster_credentials.hpp"
#include "native/auth/revoked_tokens.hpp"
#include "native/auth/token.hpp"
#include "native/keyfile/secret_file.hpp"
#include "native/keyfile/token_key_file.hpp"
#include "native/limits.hpp"

namespace tally::cli {

namespace {

constexpr std::uint64_t kAdminTokenSeconds = 30 * 24 * 3600;
// What a local cluster's API certificates name: the nodes listen on 127.0.0.1.
const std::vector<std::string> kApiHosts = {"127.0.0.1", "localhost"};

std::string admin_token_path(const std::string& dir) {
  return (std::filesystem::path(dir) / "admin.token").string();
}

}  // namespace

bool ensure_cluster_security(const std::string& dir, const std::string& cluster_id,
                             std::uint64_t count, bool https) {
  std::vector<std::uint64_t> nodes;
  for (std::uint64_t id = 1; id <= count; ++id)
    nodes.push_back(id);
  auto created = auth::ensure_cluster_credentials(dir, cluster_id, nodes);
  if (created.ok() && https) {
    auto api = auth::ensure_api_certificates(dir, cluster_id, nodes, kApiHosts);
    if (!api.ok()) created = std::move(api).error();
    if (api.ok()) created->insert(created->end(), api->begin(), api->end());
  }
  const std::string revoked = auth::revoked_tokens_path(dir);
  if (created.ok() && !std::filesystem::exists(revoked)) {
    Status made = auth::ensure_revoked_tokens_file(revoked);
    if (!made.ok()) created = std::move(made).error();
    if (made.ok()) created->push_back(revoked);
  }
  if (!created.ok()) {
    std::fprintf(stderr, "tally: %s\n", created.error().message.c_str());
    return false;
  }
  for (const std::string& path : *created)
    std::printf("created %s\n", path.c_str());
  return true;
}

std::vector<std::string> node_security_flags(const std::string& dir, std::uint64_t id,
                                             bool peer_tls, bool https) {
  const auth::PeerCredentials files = auth::node_credentials(dir, id);
  std::vector<std::string> flags = {"--token-key-file=" + auth::token_key_path(dir),
                                    "--revoked-tokens-file=" + auth::revoked_tokens_path(dir)};
  if (!peer_tls) flags.push_back("--insecure-peers");
  if (peer_tls) {
    flags.push_back("--peer-cert=" + files.certificate);
    flags.push_back("--peer-key=" + files.key);
    flags.push_back("--peer-ca=" + files.ca);
  }
  if (https) {
    const auth::CertificateFiles api = auth::api_credentials(dir, id);
    flags.push_back("--api-cert=" + api.certificate);
    flags.push_back("--api-key=" + api.key);
  }
  return flags;
}

bool write_admin_token(const std::string& dir, const std::string& cluster_id) {
  auto key = keyfile::read_token_key_file(auth::token_key_path(dir));
  auto token_id = keyfile::random_bytes(16, "token id");
  if (!key.ok() || !token_id.ok()) {
    std::fprintf(stderr, "tally: %s\n",
                 (key.ok() ? token_id.error() : key.error()).message.c_str());
    return false;
  }
  auth::TokenClaims claims;
  claims.cluster_id = cluster_id;
  claims.subject = "tally cluster up";
  claims.token_id = to_hex(*token_id);
  claims.issued_at_s =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  claims.expires_at_s = claims.issued_at_s + kAdminTokenSeconds;
  claims.rights = auth::kRightRead | auth::kRightWrite | auth::kRightAdmin;
  const std::string token = auth::sign_token(claims, *key);
  const std::string path = admin_token_path(dir);
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  Status written = keyfile::create_file(path, "admin token", ByteView(std::string_view(token)));
  if (!written.ok()) {
    std::fprintf(stderr, "tally: %s\n", written.error().message.c_str());
    return false;
  }
  return true;
}

std::string admin_token(const std::string& dir) {
  auto token =
      keyfile::read_secret_file(admin_token_path(dir), "admin token", limits::kTokenBytesMax);
  if (!token.ok()) return "";
  return std::string(token->begin(), token->end());
}

}  // namespace tally::cli
