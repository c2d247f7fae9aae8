// tallyd's client authentication (docs/security.md): every API request carries a bearer
// token signed by the cluster's token key (native/auth/token.hpp), unless the operator turns
// it off, out loud.
//
// --token-key-file (or token-key-file in the config file) names the key; `tally cluster up`
// creates it (DIR/token.key) and `tally token create` mints tokens with it. Without it tallyd
// refuses to start (exit 2), unless --auth=off is given: then any process that reaches the
// HTTP port can read and move money, and tallyd logs a warning saying so at start.
//
// --revoked-tokens-file names the list of revoked token ids (native/auth/revoked_tokens.hpp;
// `tally cluster up` creates DIR/revoked-tokens): read at start (a list that cannot be read
// refuses the start, exit 3), and again on SIGHUP (daemon.hpp).
#pragma once

#include <optional>
#include <string>

#include "native/auth/access.hpp"
#include "native/http/server.hpp"

namespace tally::tallyd {

struct ClientAuthFlags {
  std::string token_key_file;
  std::string revoked_tokens_file;  // empty: no token is revoked
  std::string auth = "on";          // "on" or "off"
};

// The token gate the flags ask for, or none (--auth=off). kValidation for flags that do not
// fit together (exit 2); kConfiguration for a key file that cannot be used (exit 3).
Result<std::optional<auth::TokenGate>> client_token_gate(const ClientAuthFlags& flags,
                                                         const std::string& cluster_id);

// Reads flags.revoked_tokens_file again and hands the list to the server's gate, logging
// what it did; a list that cannot be read is logged and the one in force is kept.
void reload_revoked_tokens(const std::string& path, http::Server& server);

}  // namespace tally::tallyd
