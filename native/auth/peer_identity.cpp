#include "native/auth/peer_identity.hpp"
#include "native/limits.hpp"

#include <openssl/x509v3.h>

#include <memory>
#include <optional>

namespace tally::auth {

namespace {

constexpr std::string_view kPrefix = "urn:tally:node:";

bool certificate_safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

Result<PeerIdentity> parse_uri(std::string_view uri) {
  auto bad = [&] {
    return make_error(Code::kValidation, "malformed node identity " + std::string(uri));
  };
  if (uri.substr(0, kPrefix.size()) != kPrefix) return bad();
  std::string_view rest = uri.substr(kPrefix.size());
  std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 19) return bad();
  PeerIdentity identity;
  for (char c : rest.substr(0, colon)) {
    if (c < '0' || c > '9') return bad();
    identity.node_id = identity.node_id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  identity.cluster_id = std::string(rest.substr(colon + 1));
  if (identity.node_id == 0 || !validate_cluster_id_for_certificates(identity.cluster_id).ok())
    return bad();
  return identity;
}

}  // namespace

Status validate_cluster_id_for_certificates(const std::string& cluster_id) {
  bool safe = !cluster_id.empty() && cluster_id.size() <= limits::kClusterIdBytesMax;
  for (char c : cluster_id)
    safe = safe && certificate_safe(c);
  if (safe) return ok_status();
  return make_error(Code::kConfiguration,
                    "cluster id \"" + cluster_id +
                        "\" cannot name a cluster in certificates: use 1 to 63 of "
                        "[A-Za-z0-9._-]");
}

std::string identity_uri(const PeerIdentity& identity) {
  return std::string(kPrefix) + std::to_string(identity.node_id) + ":" + identity.cluster_id;
}

Result<PeerIdentity> identity_of(X509* certificate) {
  using Names = std::unique_ptr<GENERAL_NAMES, void (*)(GENERAL_NAMES*)>;
  Names names(static_cast<GENERAL_NAMES*>(
                  X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)),
              GENERAL_NAMES_free);
  if (!names) return make_error(Code::kValidation, "the certificate has no subjectAltName");
  std::optional<Result<PeerIdentity>> found;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* text = name->d.uniformResourceIdentifier;
    std::string_view uri(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                         static_cast<std::size_t>(ASN1_STRING_length(text)));
    if (uri.substr(0, kPrefix.size()) != kPrefix) continue;
    if (found) return make_error(Code::kValidation, "the certificate names several nodes");
    found = parse_uri(uri);
  }
  if (!found) return make_error(Code::kValidation, "the certificate names no Tally node");
  return std::move(*found);
}

}  // namespace tally::auth
