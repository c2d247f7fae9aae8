// tally: the command-line client of the HTTP/JSON API, and a local cluster starter.
// --node URL (or TALLY_NODE) picks the node; a write sent to a follower follows its redirect
// to the leader and retries through leader changes (write_retry.cpp). --json prints the API's
// answers as they are. Reads wait for the user's last write, on whichever node they go to
// (client.hpp: the state file; --no-wait). What the user types is checked before anything is
// sent (arguments.hpp): a mistake is a usage error, exit 2, never an abort. Requests carry
// the bearer token in TALLY_TOKEN, else the admin token of --cluster-dir (or
// TALLY_CLUSTER_DIR), DIR/admin.token, which `tally cluster up` writes. An https:// node's
// certificate must verify under --ca, else the CA of --cluster-dir's cluster, else
// TALLY_CA_CERT's, else the system's trust store.
//
// It reads top-down: the global options, one function per command group (api_commands.hpp,
// cluster_command.hpp, token_command.hpp), then the parse.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "native/tally/api_commands.hpp"
#include "native/tally/client.hpp"
#include "native/tally/cluster_command.hpp"
#include "native/tally/cluster_security.hpp"
#include "native/tally/token_command.hpp"

namespace {

using tally::cli::Client;

constexpr const char* kFooter =
    R"(Metadata values (--metadata, metadata set) are typed as in HTTPie:
  KEY=VALUE   a string, always: zip=01234, range=1-2 and dash=- are sent as typed
  KEY:=JSON   a JSON literal: count:=42, vip:=true, gone:=null, name:="a b"
A posting (-p) is exactly "SOURCE DESTINATION AMOUNT ASSET", quoted as one argument.
Writes carry an Idempotency-Key (--ik, else a fresh one) and retry through leader changes for
--write-retry-ms, via --node and the nodes of --cluster-dir; a retry never applies twice.
Exit codes: 0 success; 1 an error answer or no answer; 2 a usage error.)";

bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' && std::string(value) != "0";
}

// Where the client sends its requests: --node, --cluster-dir, --write-retry-ms, --json,
// --no-wait, and their environment variables.
struct GlobalOptions {
  CLI::Option* node = nullptr;
  std::string cluster_dir;
  std::string ca_env;  // TALLY_CA_CERT: the last resort before the system's trust store
};

GlobalOptions add_global_options(CLI::App& app, Client& client) {
  GlobalOptions global;
  if (const char* env = std::getenv("TALLY_NODE")) client.node = env;
  if (const char* env = std::getenv("TALLY_TOKEN")) client.token = env;
  if (const char* env = std::getenv("TALLY_CLUSTER_DIR")) global.cluster_dir = env;
  if (const char* env = std::getenv("TALLY_CA_CERT")) global.ca_env = env;
  client.no_wait = env_flag("TALLY_NO_WAIT");
  global.node = app.add_option("--node", client.node, "the node's URL (or TALLY_NODE)")
                    ->capture_default_str();
  app.add_option("--ca", client.ca_file,
                 "the CA file an https:// node's certificate must verify under (default: "
                 "--cluster-dir's CA, else TALLY_CA_CERT, else the system's)");
  app.add_option("--write-retry-ms", client.write_retry_ms,
                 "how long a write retries while no leader takes it (0: once)")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  app.add_flag("--json", client.json, "print the API's JSON answers");
  app.add_flag("--no-wait", client.no_wait,
               "reads do not wait for this user's last write (or TALLY_NO_WAIT=1); see "
               "$XDG_STATE_HOME/tally/last-write.json");
  return global;
}

// The nodes of --cluster-dir: the ones a write may retry through, the default node, and the
// admin token and the cluster's CA when no other is given.
void use_cluster_dir(Client& client, const std::string& dir, bool node_given) {
  auto urls = tally::cli::cluster_urls(dir);
  if (!urls.ok()) throw CLI::ValidationError("--cluster-dir", urls.error().message);
  if (urls.value().empty()) throw CLI::ValidationError("--cluster-dir", dir + " lists no node");
  client.peers = urls.value();
  if (!node_given) client.node = client.peers.front();
  if (client.token.empty()) client.token = tally::cli::admin_token(dir);
  if (client.ca_file.empty()) client.ca_file = tally::cli::cluster_ca_file(dir);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tally: the client of a Tally node's HTTP/JSON API, and a local cluster starter"};
  app.require_subcommand(1);
  app.footer(kFooter);
  Client client;
  int rc = 0;
  GlobalOptions global = add_global_options(app, client);
  app.add_option("--cluster-dir", global.cluster_dir,
                 "a local cluster's directory (or TALLY_CLUSTER_DIR): writes retry through its "
                 "nodes; its first node is the default --node");

  tally::cli::add_ledger_commands(app, client, rc);
  tally::cli::add_tx_commands(app, client, rc);
  tally::cli::add_account_commands(app, client, rc);
  tally::cli::add_metadata_commands(app, client, rc);
  tally::cli::add_bulk_command(app, client, rc);
  tally::cli::add_node_commands(app, client, rc);
  CLI::App* cluster = tally::cli::add_cluster_command(app, rc);
  tally::cli::add_token_command(app, rc);
  tally::cli::add_trace_commands(app, client, rc);

  app.parse_complete_callback([&] {
    if (!global.cluster_dir.empty() && !cluster->parsed())
      use_cluster_dir(client, global.cluster_dir,
                      global.node->count() > 0 || std::getenv("TALLY_NODE"));
    if (client.ca_file.empty()) client.ca_file = global.ca_env;
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& error) {
    // Nothing the user types should get here (every parser returns its errors): the last
    // guard against an abort, for failures of the system (a full disk, a filesystem error).
    std::fprintf(stderr, "tally: %s\n", error.what());
    return 1;
  }
  return rc;
}
