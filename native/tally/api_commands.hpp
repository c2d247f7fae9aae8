// The commands of `tally` that call a node's API, one group per function: each registers its
// subcommands on app and their own options, and leaves its exit code in rc. The client is
// the one main() configured from the global options (--node, --cluster-dir, the token).
#pragma once

#include <CLI/CLI.hpp>

#include "native/tally/client.hpp"

namespace tally::cli {

void add_ledger_commands(CLI::App& app, Client& client, int& rc);    // ledger create|list|...
void add_tx_commands(CLI::App& app, Client& client, int& rc);        // tx create|get|list|revert
void add_account_commands(CLI::App& app, Client& client, int& rc);   // account get|list
void add_metadata_commands(CLI::App& app, Client& client, int& rc);  // metadata set|delete
void add_bulk_command(CLI::App& app, Client& client, int& rc);       // bulk LEDGER FILE
void add_node_commands(CLI::App& app, Client& client, int& rc);      // check, info
void add_trace_commands(CLI::App& app, Client& client, int& rc);     // trace export

}  // namespace tally::cli
