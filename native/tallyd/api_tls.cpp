#include "native/tallyd/api_tls.hpp"

#include "native/tallyd/log.hpp"
#include "native/tls/api_tls_context.hpp"

namespace tally::tallyd {

Result<std::shared_ptr<SSL_CTX>> api_tls_context(const ApiTlsFlags& flags) {
  if (flags.certificate.empty() != flags.key.empty())
    return make_error(Code::kValidation, "HTTPS needs both --api-cert and --api-key");
  if (flags.certificate.empty()) {
    log_event("warn", "api_plaintext",
              {{"note",
                "the HTTP API is served over plain HTTP: anyone on the network path reads "
                "and replays bearer tokens; use --api-cert and --api-key"}});
    return std::shared_ptr<SSL_CTX>();
  }
  return tls::load_api_tls_context({flags.certificate, flags.key});
}

}  // namespace tally::tallyd
