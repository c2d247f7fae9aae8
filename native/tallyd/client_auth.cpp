#include "native/tallyd/client_auth.hpp"

#include "core/invariant.hpp"
#include "native/keyfile/token_key_file.hpp"
#include "native/tallyd/log.hpp"

namespace tally::tallyd {

Result<std::optional<auth::TokenGate>> client_token_gate(const ClientAuthFlags& flags,
                                                         const std::string& cluster_id) {
  using Gate = std::optional<auth::TokenGate>;
  if (flags.auth == "off") {
    if (!flags.token_key_file.empty())
      return make_error(Code::kValidation, "--auth=off contradicts --token-key-file");
    if (!flags.revoked_tokens_file.empty())
      return make_error(Code::kValidation, "--auth=off contradicts --revoked-tokens-file");
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
  auth::TokenGate gate(std::move(key).value(), cluster_id);
  if (!flags.revoked_tokens_file.empty()) {
    auto revoked = auth::read_revoked_tokens_file(flags.revoked_tokens_file);
    // At start a bad list is the operator's to fix, whatever the line says: exit 3.
    if (!revoked.ok()) return make_error(Code::kConfiguration, revoked.error().message);
    log_event("info", "revoked_tokens_loaded",
              {{"file", flags.revoked_tokens_file}, {"count", std::to_string(revoked->size())}});
    gate.set_revoked(std::move(revoked).value());
  }
  return Gate(std::move(gate));
}

void reload_revoked_tokens(const std::string& path, http::Server& server) {
  auto revoked = auth::read_revoked_tokens_file(path);
  if (!revoked.ok()) {
    log_event("error", "revoked_tokens_refused",
              {{"file", path}, {"reason", revoked.error().message}, {"kept", "the list in force"}});
    return;
  }
  const std::size_t count = revoked->size();
  // configure refuses --revoked-tokens-file with --auth=off: a list always has its gate.
  const bool set = server.set_revoked_tokens(std::move(revoked).value());
  TALLY_INVARIANT(set, "a revoked tokens file without a token gate");
  log_event("info", "revoked_tokens_loaded", {{"file", path}, {"count", std::to_string(count)}});
}

}  // namespace tally::tallyd
