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
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "native/tally/arguments.hpp"
#include "native/tally/bulk.hpp"
#include "native/tally/client.hpp"
#include "native/tally/cluster_security.hpp"
#include "native/tally/node_paths.hpp"
#include "native/tally/token_command.hpp"
#include "native/tally/trace_export.hpp"

namespace {

namespace node_paths = tally::cli::node_paths;
using tally::cli::Client;
using tally::cli::parse_metadata_pairs;
using tally::cli::parse_posting;
using tally::cli::parse_u64;
using tally::cli::path_segment;
using tally::cli::Posting;

// A usage error (exit 2) for what the user typed into `option`.
template <class T>
T or_usage(tally::Result<T> parsed, const std::string& option) {
  if (!parsed.ok()) throw CLI::ValidationError(option, parsed.error().message);
  return std::move(parsed).value();
}

std::vector<Posting> postings_of(const std::vector<std::string>& texts) {
  std::vector<Posting> postings;
  for (const auto& text : texts)
    postings.push_back(or_usage(parse_posting(text), "--posting"));
  return postings;
}

std::string sibling_tallyd() {
  if (const char* env = std::getenv("TALLYD")) return env;
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (auto candidate :
         {self.parent_path() / "tallyd", self.parent_path() / "../tallyd/tallyd"}) {
      if (std::filesystem::exists(candidate)) return candidate.lexically_normal().string();
    }
  }
  return "tallyd";
}

// The nodes of --cluster-dir: the ones a write may retry through, and the default node.
void use_cluster_dir(Client& client, const std::string& dir, bool node_given) {
  auto urls = tally::cli::cluster_urls(dir);
  if (!urls.ok()) throw CLI::ValidationError("--cluster-dir", urls.error().message);
  if (urls.value().empty()) throw CLI::ValidationError("--cluster-dir", dir + " lists no node");
  client.peers = urls.value();
  if (!node_given) client.node = client.peers.front();
}

constexpr const char* kFooter =
    R"(Metadata values (--metadata, metadata set) are typed as in HTTPie:
  KEY=VALUE   a string, always: zip=01234, range=1-2 and dash=- are sent as typed
  KEY:=JSON   a JSON literal: count:=42, vip:=true, gone:=null, name:="a b"
A posting (-p) is exactly "SOURCE DESTINATION AMOUNT ASSET", quoted as one argument.
Writes carry an Idempotency-Key (--ik, else a fresh one) and retry through leader changes for
--write-retry-ms, via --node and the nodes of --cluster-dir; a retry never applies twice.
Exit codes: 0 success; 1 an error answer or no answer; 2 a usage error.)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tally: the client of a Tally node's HTTP/JSON API, and a local cluster starter"};
  app.require_subcommand(1);
  app.footer(kFooter);
  Client client;
  if (const char* env = std::getenv("TALLY_NODE")) client.node = env;
  if (const char* env = std::getenv("TALLY_TOKEN")) client.token = env;
  std::string ca_env;  // the last resort before the system's trust store
  if (const char* env = std::getenv("TALLY_CA_CERT")) ca_env = env;
  auto* node_option = app.add_option("--node", client.node, "the node's URL (or TALLY_NODE)")
                          ->capture_default_str();
  std::string cluster_dir;
  if (const char* env = std::getenv("TALLY_CLUSTER_DIR")) cluster_dir = env;
  app.add_option("--cluster-dir", cluster_dir,
                 "a local cluster's directory (or TALLY_CLUSTER_DIR): writes retry through its "
                 "nodes; its first node is the default --node");
  app.add_option("--ca", client.ca_file,
                 "the CA file an https:// node's certificate must verify under (default: "
                 "--cluster-dir's CA, else TALLY_CA_CERT, else the system's)");
  app.add_option("--write-retry-ms", client.write_retry_ms,
                 "how long a write retries while no leader takes it (0: once)")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  app.add_flag("--json", client.json, "print the API's JSON answers");
  if (const char* env = std::getenv("TALLY_NO_WAIT");
      env != nullptr && *env != '\0' && std::string(env) != "0")
    client.no_wait = true;
  app.add_flag("--no-wait", client.no_wait,
               "reads do not wait for this user's last write (or TALLY_NO_WAIT=1); see "
               "$XDG_STATE_HOME/tally/last-write.json");
  int rc = 0;

  // ledger
  auto* ledger = app.add_subcommand("ledger", "create, list, get, delete ledgers");
  ledger->require_subcommand(1);
  std::string name, idempotency_key;
  std::vector<std::string> metadata;
  auto key_header = [&] {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    return headers;
  };
  const char* const metadata_help = "KEY=VALUE (string) or KEY:=JSON, repeatable";
  const char* const key_help = "Idempotency-Key (else a fresh one)";
  auto metadata_of = [&](const char* option = "--metadata") {
    return or_usage(parse_metadata_pairs(metadata), option);
  };
  auto* ledger_create = ledger->add_subcommand("create", "create a ledger");
  ledger_create->add_option("name", name)->required();
  ledger_create->add_option("--metadata", metadata, metadata_help);
  ledger_create->add_option("--ik", idempotency_key, key_help);
  ledger_create->callback([&] {
    const auto pairs = metadata_of();
    rc = client.run("POST", "/v2/" + path_segment(name),
                    pairs.empty() ? "" : "{\"metadata\":" + tally::cli::metadata_json(pairs) + "}",
                    key_header());
  });
  auto* ledger_list = ledger->add_subcommand("list", "list ledgers");
  ledger_list->callback([&] { rc = client.run("GET", "/v2"); });
  auto* ledger_get = ledger->add_subcommand("get", "show a ledger");
  ledger_get->add_option("name", name)->required();
  ledger_get->callback([&] { rc = client.run("GET", "/v2/" + path_segment(name)); });
  auto* ledger_delete = ledger->add_subcommand("delete", "delete a ledger (soft)");
  ledger_delete->add_option("name", name)->required();
  ledger_delete->add_option("--ik", idempotency_key, key_help);
  ledger_delete->callback(
      [&] { rc = client.run("DELETE", "/v2/" + path_segment(name), "", key_header()); });

  // tx
  auto* tx = app.add_subcommand("tx", "create, get, list, revert transactions");
  tx->require_subcommand(1);
  std::vector<std::string> postings, variables;
  std::string reference, data, cursor, id, script_file, runtime;
  bool force = false;
  std::size_t page_size = 0;
  auto* tx_create = tx->add_subcommand("create", "post a transaction");
  tx_create->add_option("ledger", name)->required();
  auto* posting_option = tx_create->add_option(
      "--posting,-p", postings, "\"SOURCE DESTINATION AMOUNT ASSET\" (one argument), repeatable");
  auto* script_option =
      tx_create->add_option("--script", script_file, "a Numscript file instead of --posting");
  script_option->excludes(posting_option);
  tx_create->add_option("--var", variables, "NAME=VALUE, a variable of the --script, repeatable")
      ->needs(script_option);
  tx_create
      ->add_option("--runtime", runtime,
                   "the --script's runtime: machine (default) or "
                   "experimental-interpreter")
      ->needs(script_option);
  auto* data_option = tx_create->add_option(
      "--data", data, "the transaction's JSON body instead of --posting or --script");
  data_option->excludes(posting_option);
  data_option->excludes(script_option);
  data_option->excludes(tx_create->add_option("--reference", reference));
  data_option->excludes(tx_create->add_option("--metadata", metadata, metadata_help));
  tx_create->add_option("--ik", idempotency_key, key_help);
  data_option->excludes(tx_create->add_flag("--force", force, "allow overdrafts"));
  tx_create->callback([&] {
    if (postings.empty() && data.empty() && script_file.empty()) {
      throw CLI::ValidationError("--posting", "tx create needs at least one --posting " +
                                                  std::string(tally::cli::kPostingForm) +
                                                  ", a --script FILE or --data JSON");
    }
    const tally::cli::TransactionExtras extras{reference, metadata_of(), force};
    std::string body = data;
    if (!script_file.empty()) {
      body = tally::cli::script_transaction_json(
          or_usage(tally::cli::read_script_file(script_file), "--script"),
          or_usage(tally::cli::parse_script_variables(variables), "--var"), runtime, extras);
    } else if (data.empty()) {
      body = tally::cli::transaction_json(postings_of(postings), extras);
    }
    rc = client.run("POST", "/v2/" + path_segment(name) + "/transactions", body, key_header());
  });
  auto* tx_get = tx->add_subcommand("get", "show a transaction");
  tx_get->add_option("ledger", name)->required();
  tx_get->add_option("id", id)->required();
  tx_get->callback([&] {
    rc = client.run("GET", "/v2/" + path_segment(name) + "/transactions/" + path_segment(id));
  });
  auto page_query = [&] {
    std::string query;
    if (page_size) query += "pageSize=" + std::to_string(page_size);
    if (!cursor.empty()) query += std::string(query.empty() ? "" : "&") + "cursor=" + cursor;
    return query.empty() ? "" : "?" + query;
  };
  auto* tx_list = tx->add_subcommand("list", "list transactions, newest first");
  tx_list->add_option("ledger", name)->required();
  tx_list->add_option("--page-size", page_size)->check(CLI::NonNegativeNumber);
  tx_list->add_option("--cursor", cursor);
  tx_list->callback([&] {
    rc = client.run("GET", "/v2/" + path_segment(name) + "/transactions" + page_query());
  });
  auto* tx_revert = tx->add_subcommand("revert", "revert a transaction");
  tx_revert->add_option("ledger", name)->required();
  tx_revert->add_option("id", id)->required();
  tx_revert->add_flag("--force", force);
  tx_revert->add_option("--ik", idempotency_key, key_help);
  tx_revert->callback([&] {
    rc = client.run("POST",
                    "/v2/" + path_segment(name) + "/transactions/" + path_segment(id) + "/revert" +
                        (force ? "?force=true" : ""),
                    "", key_header());
  });

  // account
  auto* account = app.add_subcommand("account", "get, list accounts");
  account->require_subcommand(1);
  std::string address;
  auto* account_get = account->add_subcommand("get", "show an account");
  account_get->add_option("ledger", name)->required();
  account_get->add_option("address", address)->required();
  account_get->callback([&] {
    rc = client.run("GET", "/v2/" + path_segment(name) + "/accounts/" + path_segment(address) +
                               "?expand=volumes");
  });
  auto* account_list = account->add_subcommand("list", "list accounts");
  account_list->add_option("ledger", name)->required();
  account_list->add_option("--page-size", page_size)->check(CLI::NonNegativeNumber);
  account_list->add_option("--cursor", cursor);
  account_list->callback(
      [&] { rc = client.run("GET", "/v2/" + path_segment(name) + "/accounts" + page_query()); });

  // metadata
  auto* meta = app.add_subcommand("metadata", "set, delete metadata of a ledger, account or tx");
  meta->require_subcommand(1);
  std::string target_account, target_tx, key;
  auto target_path = [&] {
    std::string path = "/v2/" + path_segment(name);
    if (!target_account.empty()) path += "/accounts/" + path_segment(target_account);
    if (!target_tx.empty()) path += "/transactions/" + path_segment(target_tx);
    return path + "/metadata";
  };
  auto* meta_set = meta->add_subcommand("set", "set metadata (KEY=VALUE or KEY:=JSON ...)");
  meta_set->add_option("ledger", name)->required();
  meta_set->add_option("pairs", metadata, metadata_help)->required();
  meta_set->add_option("--account", target_account);
  meta_set->add_option("--tx", target_tx);
  meta_set->add_option("--ik", idempotency_key, key_help);
  meta_set->callback([&] {
    const std::string body = tally::cli::metadata_json(metadata_of("pairs"));
    // A ledger's metadata is set key by key with PUT, an account's or a transaction's POST.
    const bool ledger_only = target_account.empty() && target_tx.empty();
    rc = client.run(ledger_only ? "PUT" : "POST", target_path(), body, key_header());
  });
  auto* meta_delete = meta->add_subcommand("delete", "delete one metadata key");
  meta_delete->add_option("ledger", name)->required();
  meta_delete->add_option("key", key)->required();
  meta_delete->add_option("--account", target_account);
  meta_delete->add_option("--tx", target_tx);
  meta_delete->add_option("--ik", idempotency_key, key_help);
  meta_delete->callback([&] {
    rc = client.run("DELETE", target_path() + "/" + path_segment(key), "", key_header());
  });

  // bulk
  auto* bulk = app.add_subcommand(
      "bulk", "send a file of bulk elements ([{\"action\", \"data\", \"ik\"?}, ...])");
  tally::cli::BulkOptions bulk_options;
  bulk->add_option("ledger", bulk_options.ledger)->required();
  bulk->add_option("file", bulk_options.file)->required()->check(CLI::ExistingFile);
  bulk->add_flag("--atomic", bulk_options.atomic, "all or nothing, in one request");
  bulk->add_flag("--continue-on-failure", bulk_options.continue_on_failure,
                 "send every element even after one failed (default: stop at the first)")
      ->excludes("--atomic");
  bulk->add_option("--ik", bulk_options.run_key,
                   "atomic: the request's Idempotency-Key; else a run name mixed into each "
                   "element's key (running the same file again never applies an element twice)");
  bulk->callback([&] { rc = tally::cli::send_bulk(client, bulk_options); });

  // node
  bool full_check = false;
  auto* check = app.add_subcommand("check",
                                   "run the checker on the node (incremental from "
                                   "its last clean check, unless --full)");
  check->add_flag("--full", full_check, "replay the whole audit chain from genesis");
  check->callback([&] {
    rc = client.run("GET", std::string(node_paths::kCheck) + (full_check ? "?full=true" : ""), "",
                    {}, tally::cli::render_check);
  });
  app.add_subcommand("info", "the node's role, indexes, cache and digest")->callback([&] {
    rc = client.run("GET", node_paths::kInfo);
  });

  // cluster
  auto* cluster = app.add_subcommand("cluster", "a local cluster of tallyd processes");
  cluster->require_subcommand(1);
  std::string dir;
  int count = 3, base_port = 7000;
  tally::cli::ClusterSettings settings;
  std::uint64_t node_id = 0;
  std::string tallyd = sibling_tallyd();
  auto* up = cluster->add_subcommand("up", "start N nodes in the background");
  up->add_option("count", count, "N")->required();
  up->add_option("--dir", dir, "where the nodes keep their data")->required();
  up->add_option("--base-port", base_port, "Raft on P+1..P+N, HTTP on P+101..P+100+N")
      ->capture_default_str()
      ->check(CLI::Range(1, 65400));
  up->add_option("--snapshot-threshold", settings.snapshot_threshold)
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  up->add_option("--group-entries-max", settings.group_entries_max,
                 "entries applied per store commit (group commit)")
      ->capture_default_str();
  up->add_option("--group-commit-ms", settings.group_commit_ms,
                 "the open group is committed at least this often")
      ->capture_default_str();
  up->add_option("--trace-records", settings.trace_records,
                 "applied indexes each node keeps for `tally trace export`; 0: none")
      ->capture_default_str();
  for (const char* unsigned_option :
       {"--group-entries-max", "--group-commit-ms", "--trace-records"})
    up->get_option(unsigned_option)->check(CLI::NonNegativeNumber);
  bool api_plaintext = false, insecure_peers = false;
  up->add_flag("--api-plaintext", api_plaintext,
               "serve the API over plain HTTP, not HTTPS (local experiments only)");
  up->add_flag("--insecure-peers", insecure_peers,
               "Raft over plaintext TCP, not mutual TLS (local experiments only)");
  up->add_option("--tallyd", tallyd, "the tallyd binary")->capture_default_str();
  up->callback([&] {
    settings.https = !api_plaintext;
    settings.peer_tls = !insecure_peers;
    rc = tally::cli::cluster_up(count, dir, base_port, settings, tallyd);
  });
  auto* down = cluster->add_subcommand("down", "stop the nodes (SIGTERM)");
  down->add_option("--dir", dir)->required();
  down->callback([&] { rc = tally::cli::cluster_down(dir); });
  auto* status = cluster->add_subcommand("status", "each node's role, leader and indexes");
  status->add_option("--dir", dir)->required();
  status->callback([&] { rc = tally::cli::cluster_status(dir); });
  auto* start = cluster->add_subcommand("start-node", "restart one stopped node");
  start->add_option("id", node_id)->required()->check(CLI::NonNegativeNumber);
  start->add_option("--dir", dir)->required();
  start->add_option("--tallyd", tallyd)->capture_default_str();
  start->callback([&] { rc = tally::cli::cluster_start_node(dir, node_id, tallyd); });

  tally::cli::add_token_command(app, rc);

  // trace
  auto* trace = app.add_subcommand("trace", "what the cluster applied, for the visualiser");
  trace->require_subcommand(1);
  std::string out_file;
  tally::cli::TraceWindow window;
  auto* export_trace = trace->add_subcommand(
      "export",
      "write a log window as tally-trace/3: every node's rows, plans and verdicts "
      "(all nodes of --cluster-dir, else --node)");
  export_trace->add_option("--out", out_file)->required();
  export_trace->add_option("--from", window.from, "the first log index")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  export_trace->add_option("--to", window.to, "the last log index (default: the latest)");
  export_trace->add_option("--bytes-max", window.bytes_max, "stop adding indexes at this size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  export_trace->callback([&] { rc = tally::cli::export_cluster_trace(client, window, out_file); });

  app.parse_complete_callback([&] {
    if (!cluster_dir.empty() && !cluster->parsed()) {
      use_cluster_dir(client, cluster_dir, node_option->count() > 0 || std::getenv("TALLY_NODE"));
      if (client.token.empty()) client.token = tally::cli::admin_token(cluster_dir);
      if (client.ca_file.empty()) client.ca_file = tally::cli::cluster_ca_file(cluster_dir);
    }
    if (client.ca_file.empty()) client.ca_file = ca_env;
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
