// tallyd's HTTPS (docs/security.md): the API is served over TLS when the operator gives the
// node's API certificate, and over plain HTTP, out loud, when not.
//
// --api-cert and --api-key (or api-cert and api-key in the config file) name the node's API
// server certificate and its private key (mode 0600); `tally cluster up` creates them
// (DIR/tls/api-N.pem, signed by the cluster CA). With both, the API listener speaks HTTPS
// only. With neither, it speaks plain HTTP (anyone on the path reads and replays bearer
// tokens) and tallyd logs a warning saying so at start. One without the other is exit 2; files
// that cannot be used are exit 3.
#pragma once

#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "core/result.hpp"

namespace tally::tallyd {

struct ApiTlsFlags {
  std::string certificate, key;
};

// The TLS context the flags ask for, or null (plain HTTP, warned about). kValidation for
// flags that do not fit together; kConfiguration for files that cannot be used.
Result<std::shared_ptr<SSL_CTX>> api_tls_context(const ApiTlsFlags& flags);

}  // namespace tally::tallyd
