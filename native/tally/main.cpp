// tally: the command-line client of the HTTP/JSON API, and a local cluster starter
// (issue #10). --node URL (or TALLY_NODE) picks the node; writes sent to a follower follow
// its redirect to the leader. --json prints the API's answers as they are. Reads wait for the
// user's last write, on whichever node they go to (client.hpp: the state file; --no-wait).
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/sim/trace.hpp"
#include "native/tally/client.hpp"

namespace {

using tally::cli::Client;
using tally::cli::path_segment;

// "k=v" pairs to a JSON metadata object: integers, true/false and null keep their type.
void write_pairs(tally::json::JsonWriter& out, const std::vector<std::string>& pairs) {
  out.begin_object();
  for (const auto& pair : pairs) {
    std::size_t equals = pair.find('=');
    std::string key = pair.substr(0, equals);
    std::string value = equals == std::string::npos ? "" : pair.substr(equals + 1);
    out.key(key);
    bool integer = !value.empty() && value.find_first_not_of("-0123456789") == std::string::npos &&
                   value.size() < 19;
    if (value == "true" || value == "false")
      out.boolean(value == "true");
    else if (value == "null")
      out.null();
    else if (integer)
      out.i64(std::stoll(value));
    else
      out.string(value);
  }
  out.end_object();
}

std::string metadata_json(const std::vector<std::string>& pairs) {
  tally::json::JsonWriter out;
  write_pairs(out, pairs);
  return out.take();
}

// "SOURCE DESTINATION AMOUNT ASSET" postings to a transaction body.
std::string transaction_json(const std::vector<std::string>& postings, const std::string& reference,
                             const std::vector<std::string>& metadata, bool force) {
  tally::json::JsonWriter out;
  out.begin_object();
  out.key("postings");
  out.begin_array();
  for (const auto& posting : postings) {
    std::istringstream words(posting);
    std::string source, destination, amount, asset;
    words >> source >> destination >> amount >> asset;
    out.begin_object();
    out.key("source");
    out.string(source);
    out.key("destination");
    out.string(destination);
    out.key("amount");
    out.string(amount);
    out.key("asset");
    out.string(asset);
    out.end_object();
  }
  out.end_array();
  if (!reference.empty()) {
    out.key("reference");
    out.string(reference);
  }
  if (force) {
    out.key("force");
    out.boolean(true);
  }
  if (!metadata.empty()) {
    out.key("metadata");
    write_pairs(out, metadata);
  }
  out.end_object();
  return out.take();
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

// Pages through /_tally/log and writes one "apply" step per audit entry (tally-trace/1, the
// simulator's format), so the visualiser can step through what a live cluster applied.
int export_log(const Client& client, const std::string& out_file) {
  auto info = client.call("GET", "/_tally/info");
  std::uint64_t node_id = 0;
  if (info.ok()) {
    auto json = tally::json::parse_json(info.value().body);
    if (json.ok() && json.value().find("data"))
      node_id = std::stoull(json.value().find("data")->find("nodeId")->text);
  }
  std::vector<tally::sim::TraceStep> steps;
  std::uint64_t after = 0;
  for (;;) {
    auto page = client.call("GET", "/_tally/log?pageSize=1000&after=" + std::to_string(after));
    if (!page.ok() || page.value().status != 200) {
      std::fprintf(stderr, "tally: cannot read the log: %s\n",
                   page.ok() ? page.value().body.c_str() : page.error().message.c_str());
      return 1;
    }
    auto json = tally::json::parse_json(page.value().body);
    if (!json.ok() || json.value().find("data") == nullptr) return 1;
    const auto& entries = json.value().find("data")->items;
    for (const auto& entry : entries) {
      tally::sim::TraceStep step;
      step.step = steps.size() + 1;
      step.action = "apply";
      step.node = static_cast<int>(node_id);
      step.index = std::stoull(entry.find("logIndex")->text);
      step.detail = "audit " + entry.find("sequence")->text + ": " + entry.find("orders")->text +
                    " order(s), " + entry.find("outcome")->text;
      if (const auto* key = entry.find("idempotencyKey")) step.detail += ", key " + key->text;
      steps.push_back(step);
      after = std::stoull(entry.find("sequence")->text);
    }
    if (entries.size() < 1000) break;
  }
  std::ofstream out(out_file, std::ios::trunc);
  out << tally::sim::trace_to_json(0, steps, true, "") << "\n";
  if (!out) {
    std::fprintf(stderr, "tally: cannot write %s\n", out_file.c_str());
    return 1;
  }
  std::printf("%zu applied entries written to %s (tally-trace/1)\n", steps.size(),
              out_file.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tally: the client of a Tally node's HTTP/JSON API, and a local cluster starter"};
  app.require_subcommand(1);
  Client client;
  if (const char* env = std::getenv("TALLY_NODE")) client.node = env;
  app.add_option("--node", client.node, "the node's URL (or TALLY_NODE)")->capture_default_str();
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
  std::string name;
  std::vector<std::string> metadata;
  auto* ledger_create = ledger->add_subcommand("create", "create a ledger");
  ledger_create->add_option("name", name)->required();
  ledger_create->add_option("--metadata", metadata, "k=v, repeatable");
  ledger_create->callback([&] {
    rc = client.run("POST", "/v2/" + path_segment(name),
                    metadata.empty() ? "" : "{\"metadata\":" + metadata_json(metadata) + "}");
  });
  auto* ledger_list = ledger->add_subcommand("list", "list ledgers");
  ledger_list->callback([&] { rc = client.run("GET", "/v2"); });
  auto* ledger_get = ledger->add_subcommand("get", "show a ledger");
  ledger_get->add_option("name", name)->required();
  ledger_get->callback([&] { rc = client.run("GET", "/v2/" + path_segment(name)); });
  auto* ledger_delete = ledger->add_subcommand("delete", "delete a ledger (soft)");
  ledger_delete->add_option("name", name)->required();
  ledger_delete->callback([&] { rc = client.run("DELETE", "/v2/" + path_segment(name)); });

  // tx
  auto* tx = app.add_subcommand("tx", "create, get, list, revert transactions");
  tx->require_subcommand(1);
  std::vector<std::string> postings;
  std::string reference, idempotency_key, data, cursor, id;
  bool force = false;
  std::size_t page_size = 0;
  auto key_header = [&] {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    return headers;
  };
  auto* tx_create = tx->add_subcommand("create", "post a transaction");
  tx_create->add_option("ledger", name)->required();
  tx_create->add_option("--posting,-p", postings,
                        "\"SOURCE DESTINATION AMOUNT ASSET\", repeatable");
  tx_create->add_option("--data", data, "the transaction's JSON body instead of --posting");
  tx_create->add_option("--reference", reference);
  tx_create->add_option("--metadata", metadata, "k=v, repeatable");
  tx_create->add_option("--ik", idempotency_key, "Idempotency-Key");
  tx_create->add_flag("--force", force, "allow overdrafts");
  tx_create->callback([&] {
    std::string body = data.empty() ? transaction_json(postings, reference, metadata, force) : data;
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
  tx_list->add_option("--page-size", page_size);
  tx_list->add_option("--cursor", cursor);
  tx_list->callback([&] {
    rc = client.run("GET", "/v2/" + path_segment(name) + "/transactions" + page_query());
  });
  auto* tx_revert = tx->add_subcommand("revert", "revert a transaction");
  tx_revert->add_option("ledger", name)->required();
  tx_revert->add_option("id", id)->required();
  tx_revert->add_flag("--force", force);
  tx_revert->add_option("--ik", idempotency_key, "Idempotency-Key");
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
  account_list->add_option("--page-size", page_size);
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
  auto* meta_set = meta->add_subcommand("set", "set metadata (k=v ...)");
  meta_set->add_option("ledger", name)->required();
  meta_set->add_option("pairs", metadata, "k=v")->required();
  meta_set->add_option("--account", target_account);
  meta_set->add_option("--tx", target_tx);
  meta_set->callback([&] {
    // A ledger's metadata is replaced key by key with PUT, an account's or a transaction's POST.
    const bool ledger_only = target_account.empty() && target_tx.empty();
    rc = client.run(ledger_only ? "PUT" : "POST", target_path(), metadata_json(metadata));
  });
  auto* meta_delete = meta->add_subcommand("delete", "delete one metadata key");
  meta_delete->add_option("ledger", name)->required();
  meta_delete->add_option("key", key)->required();
  meta_delete->add_option("--account", target_account);
  meta_delete->add_option("--tx", target_tx);
  meta_delete->callback(
      [&] { rc = client.run("DELETE", target_path() + "/" + path_segment(key)); });

  // bulk
  auto* bulk = app.add_subcommand("bulk", "send a bulk file ([{\"action\", \"data\"}, ...])");
  std::string file;
  bool atomic = false;
  bulk->add_option("ledger", name)->required();
  bulk->add_option("file", file)->required()->check(CLI::ExistingFile);
  bulk->add_flag("--atomic", atomic, "all or nothing");
  bulk->add_option("--ik", idempotency_key, "Idempotency-Key (atomic bulks)");
  bulk->callback([&] {
    std::ifstream input(file);
    std::stringstream text;
    text << input.rdbuf();
    rc = client.run("POST", "/v2/" + path_segment(name) + "/_bulk" + (atomic ? "?atomic=true" : ""),
                    text.str(), key_header());
  });

  // node
  bool full_check = false;
  auto* check = app.add_subcommand("check",
                                   "run the checker on the node (incremental from "
                                   "its last clean check, unless --full)");
  check->add_flag("--full", full_check, "replay the whole audit chain from genesis");
  check->callback(
      [&] { rc = client.run("GET", full_check ? "/_tally/check?full=true" : "/_tally/check"); });
  app.add_subcommand("info", "the node's role, indexes, cache and digest")->callback([&] {
    rc = client.run("GET", "/_tally/info");
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
      ->capture_default_str();
  up->add_option("--snapshot-threshold", settings.snapshot_threshold)->capture_default_str();
  up->add_option("--group-entries-max", settings.group_entries_max,
                 "entries applied per store commit (group commit)")
      ->capture_default_str();
  up->add_option("--group-commit-ms", settings.group_commit_ms,
                 "the open group is committed at least this often")
      ->capture_default_str();
  up->add_option("--tallyd", tallyd, "the tallyd binary")->capture_default_str();
  up->callback([&] { rc = tally::cli::cluster_up(count, dir, base_port, settings, tallyd); });
  auto* down = cluster->add_subcommand("down", "stop the nodes (SIGTERM)");
  down->add_option("--dir", dir)->required();
  down->callback([&] { rc = tally::cli::cluster_down(dir); });
  auto* status = cluster->add_subcommand("status", "each node's role, leader and indexes");
  status->add_option("--dir", dir)->required();
  status->callback([&] { rc = tally::cli::cluster_status(dir); });
  auto* start = cluster->add_subcommand("start-node", "restart one stopped node");
  start->add_option("id", node_id)->required();
  start->add_option("--dir", dir)->required();
  start->add_option("--tallyd", tallyd)->capture_default_str();
  start->callback([&] { rc = tally::cli::cluster_start_node(dir, node_id, tallyd); });

  // trace
  auto* trace = app.add_subcommand("trace", "the node's applied log for the visualiser");
  trace->require_subcommand(1);
  std::string out_file;
  auto* export_trace = trace->add_subcommand("export", "write the applied log as tally-trace/1");
  export_trace->add_option("--out", out_file)->required();
  export_trace->callback([&] { rc = export_log(client, out_file); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  return rc;
}
