#include "native/tallyd/client_auth.hpp"

#include "native/keyfile/token_key_file.hpp"
#include "native/tallyd/log.hpp"

namespace tally::tallyd {

Result<std::optional<auth::TokenGate>> client_token_gate(const ClientAuthFlags& flags,
                                                         const std::string& cluster_id) {
  using Gate = std::optional<auth::TokenGate>;
  if (flags.auth == "off") {
    if (!flags.token_key_file.empty())
      return make_error(Code::kValidation, "--auth=off contradicts --token-key-file");
    log_event("warn", "auth_off",
              {{"note",
                "the HTTP API takes requests without tokens: anyone who reaches the HTTP "
                "port can read and move money; use --token-key-file"}});
    return Gate();
  }
  if (flags.token_key_file.empty()) {
    return make_error(Code::kValidation,
                      "clients authenticate with bearer tokens: give --token-key-file (tally "
                      "cluster up creates DIR/token.key), or --auth=off for a local experiment");
  }
  auto key = keyfile::read_token_key_file(flags.token_key_file);
  if (!key.ok()) return std::move(key).error();
  return Gate(auth::TokenGate(std::move(key).value(), cluster_id));
}

}  // namespace tally::tallyd
