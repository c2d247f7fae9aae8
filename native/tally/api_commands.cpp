#include "native/tally/api_commands.hpp"

#include <memory>
#include <string>
#include <vector>

#include "native/tally/arguments.hpp"
#include "native/tally/bulk.hpp"
#include "native/tally/node_paths.hpp"
#include "native/tally/trace_export.hpp"

namespace tally::cli {
namespace {

constexpr const char* kMetadataHelp = "KEY=VALUE (string) or KEY:=JSON, repeatable";
constexpr const char* kKeyHelp = "Idempotency-Key (else a fresh one)";

// A usage error (exit 2) for what the user typed into `option`.
template <class T>
T or_usage(Result<T> parsed, const std::string& option) {
  if (!parsed.ok()) throw CLI::ValidationError(option, parsed.error().message);
  return std::move(parsed).value();
}

// What every write command takes: its ledger, metadata pairs and an Idempotency-Key.
struct WriteOptions {
  std::string ledger;
  std::vector<std::string> metadata;
  std::string idempotency_key;

  Headers key_header() const {
    Headers headers;
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    return headers;
  }
  std::vector<MetadataPair> metadata_pairs(const char* option = "--metadata") const {
    return or_usage(parse_metadata_pairs(metadata), option);
  }
  std::string ledger_path() const { return "/v2/" + path_segment(ledger); }
};

// A list's page: --page-size and --cursor, as a query string.
struct PageOptions {
  std::size_t page_size = 0;
  std::string cursor;

  void add_to(CLI::App* command) {
    command->add_option("--page-size", page_size)->check(CLI::NonNegativeNumber);
    command->add_option("--cursor", cursor);
  }
  std::string query() const {
    std::string query;
    if (page_size) query += "pageSize=" + std::to_string(page_size);
    if (!cursor.empty()) query += std::string(query.empty() ? "" : "&") + "cursor=" + cursor;
    return query.empty() ? "" : "?" + query;
  }
};

struct TransactionOptions {
  WriteOptions write;
  std::vector<std::string> postings, variables;
  std::string reference, data, id, script_file, runtime;
  bool force = false;
  PageOptions page;
};

std::vector<Posting> postings_of(const std::vector<std::string>& texts) {
  std::vector<Posting> postings;
  for (const auto& text : texts)
    postings.push_back(or_usage(parse_posting(text), "--posting"));
  return postings;
}

std::string transaction_body(const TransactionOptions& o) {
  if (o.postings.empty() && o.data.empty() && o.script_file.empty()) {
    throw CLI::ValidationError("--posting", "tx create needs at least one --posting " +
                                                std::string(kPostingForm) +
                                                ", a --script FILE or --data JSON");
  }
  const TransactionExtras extras{o.reference, o.write.metadata_pairs(), o.force};
  if (!o.script_file.empty()) {
    return script_transaction_json(or_usage(read_script_file(o.script_file), "--script"),
                                   or_usage(parse_script_variables(o.variables), "--var"),
                                   o.runtime, extras);
  }
  if (!o.data.empty()) return o.data;
  return transaction_json(postings_of(o.postings), extras);
}

void add_tx_create(CLI::App* tx, const std::shared_ptr<TransactionOptions>& o, Client& client,
                   int& rc) {
  auto* create = tx->add_subcommand("create", "post a transaction");
  create->add_option("ledger", o->write.ledger)->required();
  auto* posting =
      create->add_option("--posting,-p", o->postings,
                         "\"SOURCE DESTINATION AMOUNT ASSET\" (one argument), repeatable");
  auto* script =
      create->add_option("--script", o->script_file, "a Numscript file instead of --posting");
  script->excludes(posting);
  create->add_option("--var", o->variables, "NAME=VALUE, a variable of the --script, repeatable")
      ->needs(script);
  create
      ->add_option("--runtime", o->runtime,
                   "the --script's runtime: machine (default) or experimental-interpreter")
      ->needs(script);
  auto* data = create->add_option("--data", o->data,
                                  "the transaction's JSON body instead of --posting or --script");
  data->excludes(posting);
  data->excludes(script);
  data->excludes(create->add_option("--reference", o->reference));
  data->excludes(create->add_option("--metadata", o->write.metadata, kMetadataHelp));
  create->add_option("--ik", o->write.idempotency_key, kKeyHelp);
  data->excludes(create->add_flag("--force", o->force, "allow overdrafts"));
  create->callback([o, &client, &rc] {
    rc = client.run("POST", o->write.ledger_path() + "/transactions", transaction_body(*o),
                    o->write.key_header());
  });
}

}  // namespace

void add_ledger_commands(CLI::App& app, Client& client, int& rc) {
  auto* ledger = app.add_subcommand("ledger", "create, list, get, delete ledgers");
  ledger->require_subcommand(1);
  auto o = std::make_shared<WriteOptions>();
  auto* create = ledger->add_subcommand("create", "create a ledger");
  create->add_option("name", o->ledger)->required();
  create->add_option("--metadata", o->metadata, kMetadataHelp);
  create->add_option("--ik", o->idempotency_key, kKeyHelp);
  create->callback([o, &client, &rc] {
    const auto pairs = o->metadata_pairs();
    rc = client.run("POST", o->ledger_path(),
                    pairs.empty() ? "" : "{\"metadata\":" + metadata_json(pairs) + "}",
                    o->key_header());
  });
  ledger->add_subcommand("list", "list ledgers")->callback([&client, &rc] {
    rc = client.run("GET", "/v2");
  });
  auto* get = ledger->add_subcommand("get", "show a ledger");
  get->add_option("name", o->ledger)->required();
  get->callback([o, &client, &rc] { rc = client.run("GET", o->ledger_path()); });
  auto* remove = ledger->add_subcommand("delete", "delete a ledger (soft)");
  remove->add_option("name", o->ledger)->required();
  remove->add_option("--ik", o->idempotency_key, kKeyHelp);
  remove->callback(
      [o, &client, &rc] { rc = client.run("DELETE", o->ledger_path(), "", o->key_header()); });
}

void add_tx_commands(CLI::App& app, Client& client, int& rc) {
  auto* tx = app.add_subcommand("tx", "create, get, list, revert transactions");
  tx->require_subcommand(1);
  auto o = std::make_shared<TransactionOptions>();
  add_tx_create(tx, o, client, rc);
  auto* get = tx->add_subcommand("get", "show a transaction");
  get->add_option("ledger", o->write.ledger)->required();
  get->add_option("id", o->id)->required();
  get->callback([o, &client, &rc] {
    rc = client.run("GET", o->write.ledger_path() + "/transactions/" + path_segment(o->id));
  });
  auto* list = tx->add_subcommand("list", "list transactions, newest first");
  list->add_option("ledger", o->write.ledger)->required();
  o->page.add_to(list);
  list->callback([o, &client, &rc] {
    rc = client.run("GET", o->write.ledger_path() + "/transactions" + o->page.query());
  });
  auto* revert = tx->add_subcommand("revert", "revert a transaction");
  revert->add_option("ledger", o->write.ledger)->required();
  revert->add_option("id", o->id)->required();
  revert->add_flag("--force", o->force);
  revert->add_option("--ik", o->write.idempotency_key, kKeyHelp);
  revert->callback([o, &client, &rc] {
    rc = client.run("POST",
                    o->write.ledger_path() + "/transactions/" + path_segment(o->id) + "/revert" +
                        (o->force ? "?force=true" : ""),
                    "", o->write.key_header());
  });
}

void add_account_commands(CLI::App& app, Client& client, int& rc) {
  auto* account = app.add_subcommand("account", "get, list accounts");
  account->require_subcommand(1);
  struct Options {
    std::string ledger, address;
    PageOptions page;
  };
  auto o = std::make_shared<Options>();
  auto* get = account->add_subcommand("get", "show an account");
  get->add_option("ledger", o->ledger)->required();
  get->add_option("address", o->address)->required();
  get->callback([o, &client, &rc] {
    rc = client.run("GET", "/v2/" + path_segment(o->ledger) + "/accounts/" +
                               path_segment(o->address) + "?expand=volumes");
  });
  auto* list = account->add_subcommand("list", "list accounts");
  list->add_option("ledger", o->ledger)->required();
  o->page.add_to(list);
  list->callback([o, &client, &rc] {
    rc = client.run("GET", "/v2/" + path_segment(o->ledger) + "/accounts" + o->page.query());
  });
}

void add_metadata_commands(CLI::App& app, Client& client, int& rc) {
  auto* meta = app.add_subcommand("metadata", "set, delete metadata of a ledger, account or tx");
  meta->require_subcommand(1);
  struct Options {
    WriteOptions write;
    std::string account, tx, key;
    std::string path() const {
      std::string path = write.ledger_path();
      if (!account.empty()) path += "/accounts/" + path_segment(account);
      if (!tx.empty()) path += "/transactions/" + path_segment(tx);
      return path + "/metadata";
    }
  };
  auto o = std::make_shared<Options>();
  auto target = [o](CLI::App* command) {
    command->add_option("ledger", o->write.ledger)->required();
    command->add_option("--account", o->account);
    command->add_option("--tx", o->tx);
    command->add_option("--ik", o->write.idempotency_key, kKeyHelp);
  };
  auto* set = meta->add_subcommand("set", "set metadata (KEY=VALUE or KEY:=JSON ...)");
  target(set);
  set->add_option("pairs", o->write.metadata, kMetadataHelp)->required();
  set->callback([o, &client, &rc] {
    const std::string body = metadata_json(o->write.metadata_pairs("pairs"));
    // A ledger's metadata is set key by key with PUT, an account's or a transaction's POST.
    const bool ledger_only = o->account.empty() && o->tx.empty();
    rc = client.run(ledger_only ? "PUT" : "POST", o->path(), body, o->write.key_header());
  });
  auto* remove = meta->add_subcommand("delete", "delete one metadata key");
  target(remove);
  remove->add_option("key", o->key)->required();
  remove->callback([o, &client, &rc] {
    rc = client.run("DELETE", o->path() + "/" + path_segment(o->key), "", o->write.key_header());
  });
}

void add_bulk_command(CLI::App& app, Client& client, int& rc) {
  auto* bulk = app.add_subcommand(
      "bulk", "send a file of bulk elements ([{\"action\", \"data\", \"ik\"?}, ...])");
  auto o = std::make_shared<BulkOptions>();
  bulk->add_option("ledger", o->ledger)->required();
  bulk->add_option("file", o->file)->required()->check(CLI::ExistingFile);
  bulk->add_flag("--atomic", o->atomic, "all or nothing, in one request");
  bulk->add_flag("--continue-on-failure", o->continue_on_failure,
                 "send every element even after one failed (default: stop at the first)")
      ->excludes("--atomic");
  bulk->add_option("--ik", o->run_key,
                   "atomic: the request's Idempotency-Key; else a run name mixed into each "
                   "element's key (running the same file again never applies an element twice)");
  bulk->callback([o, &client, &rc] { rc = send_bulk(client, *o); });
}

void add_node_commands(CLI::App& app, Client& client, int& rc) {
  auto full = std::make_shared<bool>(false);
  auto* check = app.add_subcommand("check",
                                   "run the checker on the node (incremental from "
                                   "its last clean check, unless --full)");
  check->add_flag("--full", *full, "replay the whole audit chain from genesis");
  check->callback([full, &client, &rc] {
    rc = client.run("GET", std::string(node_paths::kCheck) + (*full ? "?full=true" : ""), "", {},
                    render_check);
  });
  app.add_subcommand("info", "the node's role, indexes, cache and digest")
      ->callback([&client, &rc] { rc = client.run("GET", node_paths::kInfo); });
}

void add_trace_commands(CLI::App& app, Client& client, int& rc) {
  auto* trace = app.add_subcommand("trace", "what the cluster applied, for the visualiser");
  trace->require_subcommand(1);
  struct Options {
    std::string out_file;
    TraceWindow window;
  };
  auto o = std::make_shared<Options>();
  auto* export_trace = trace->add_subcommand(
      "export",
      "write a log window as tally-trace/4: every node's rows, plans and verdicts "
      "(all nodes of --cluster-dir, else --node)");
  export_trace->add_option("--out", o->out_file)->required();
  export_trace->add_option("--from", o->window.from, "the first log index")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  export_trace->add_option("--to", o->window.to, "the last log index (default: the latest)");
  export_trace->add_option("--bytes-max", o->window.bytes_max, "stop adding indexes at this size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  export_trace->callback(
      [o, &client, &rc] { rc = export_cluster_trace(client, o->window, o->out_file); });
}

}  // namespace tally::cli
