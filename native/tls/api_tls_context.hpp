// The API's HTTPS settings (docs/security.md): the node's API server certificate and its key,
// for h2o's accept context (native/http/server.hpp).
//
// TLS 1.2 or 1.3, HTTP/1.1 only (no ALPN: h2o then serves HTTP/1.1), no client certificate
// asked (clients authenticate with bearer tokens), no renegotiation. load() refuses
// (kConfiguration, naming the file) a certificate or key that cannot be read, a key that is
// not the certificate's, and a key file that group or others may read (pki.hpp).
#pragma once

#include <memory>
#include <string>

#include "native/auth/pki.hpp"

namespace tally::tls {

Result<std::shared_ptr<SSL_CTX>> load_api_tls_context(const auth::CertificateFiles& files);

}  // namespace tally::tls
