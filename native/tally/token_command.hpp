// `tally token create`: mints a client token (native/auth/token.hpp) with the cluster's token
// key and prints it on stdout, for `Authorization: Bearer <token>`.
//
//   tally token create --dir DIR --ledger L [--ledger M] --scope write --ttl 24h
//   tally token create --key-file F --all-ledgers --scope read,admin --ttl 30m
//
// The key is DIR/token.key (what `tally cluster up --dir DIR` created) or --key-file. Ledgers
// are named one by one, or --all-ledgers; the scope is read, write, admin or a comma- or
// space-separated mix (default read); the lifetime is N followed by s, m, h or d (default
// 24h). The token names the cluster (--cluster-id, default "tally") and carries a random id.
//
// `tally token revoke`: adds a token's id to DIR/revoked-tokens (native/auth/revoked_tokens.hpp)
// and sends SIGHUP to DIR's running nodes, which read the list again and refuse the token.
//
//   tally token revoke --dir DIR --token TOKEN   (a token DIR's key signed, expired or not;
//                                               --token - reads it from stdin)
//   tally token revoke --dir DIR --jti ID
#pragma once

#include <CLI/CLI.hpp>

namespace tally::cli {

// Adds the `token` command to app; its result goes to rc.
void add_token_command(CLI::App& app, int& rc);

}  // namespace tally::cli
