// tallyd: one Tally node (docs/design.md §9): libraft over libuv, the state machine on
// SQLite, and the HTTP/JSON API on the same loop.
//
// Every flag can come from a config file (--config FILE, TOML or INI, keys as the long flag
// names). Peers authenticate each other over mutual TLS (peer_tls.hpp), clients with bearer
// tokens (client_auth.hpp) over HTTPS (api_tls.hpp). Exit codes: 0 clean stop (SIGTERM, SIGINT), 1
// runtime failure, 2 bad flags (no peer TLS and no --insecure-peers, no token key and no
// --auth=off, --api-cert without --api-key included), 3 a data dir of another cluster or audit key
// (or a missing key for an existing store), or peer or API certificates that do not fit, 4 a data
// dir of another schema version, 5 a damaged data dir (a Raft metadata file, log segment or
// snapshot that cannot be read, a store whose version row does not decode, or whose cache disagrees
// with the attribute rows it stands for: left as it was, for the operator; a store SQLite cannot
// open at all is still 1).
#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <map>

#include "native/http/server.hpp"
#include "native/keyfile/audit_key_file.hpp"
#include "native/raft/store_digest.hpp"
#include "native/raft/uv_host.hpp"
#include "native/tallyd/api_tls.hpp"
#include "native/tallyd/client_auth.hpp"
#include "native/tallyd/defaults.hpp"
#include "native/tallyd/log.hpp"
#include "native/tallyd/peer_tls.hpp"

namespace tally::tallyd {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConfiguration = 3;
constexpr int kExitSchema = 4;
constexpr int kExitDamaged = 5;

struct Options {
  std::uint64_t id = 0;
  std::string raft_address;
  std::string http_address;
  std::string data_dir;
  std::string peers;       // "1=127.0.0.1:7001,2=..." (Raft addresses, this node included)
  std::string http_peers;  // "1=127.0.0.1:7101,2=..." (HTTP addresses, for redirects)
  std::string cluster_id = "tally";
  std::uint64_t rotation_threshold = 1000;
  // Defaults and why: native/tallyd/defaults.hpp.
  unsigned snapshot_threshold = defaults::kSnapshotThreshold;
  std::size_t max_in_flight = defaults::kMaxInFlight;
  std::size_t batch_entries_max = defaults::kBatchEntriesMax;
  std::size_t batch_bytes_max = defaults::kBatchBytesMax;
  std::size_t group_entries_max = defaults::kGroupEntriesMax;
  unsigned group_commit_ms = defaults::kGroupCommitMs;
  std::string audit_key_file;  // default: <data-dir>/audit.key
  std::size_t connections_max = 4096;
  std::uint64_t request_timeout_ms = 10000;
  PeerFlags peer;           // mutual TLS between nodes (peer_tls.hpp)
  ClientAuthFlags clients;  // bearer tokens on the API (client_auth.hpp)
  ApiTlsFlags api_tls;      // HTTPS (api_tls.hpp)
  std::size_t trace_records = defaults::kTraceRecords;
};

Result<std::map<std::uint64_t, std::string>> parse_peers(const std::string& text,
                                                         const std::string& flag) {
  std::map<std::uint64_t, std::string> peers;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(at, comma - at);
    std::size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == item.size())
      return make_error(Code::kConfiguration, flag + ": expected ID=HOST:PORT, got " + item);
    std::uint64_t id = std::strtoull(item.c_str(), nullptr, 10);
    if (id == 0) return make_error(Code::kConfiguration, flag + ": ids are > 0, got " + item);
    peers[id] = item.substr(equals + 1);
    at = comma + 1;
  }
  return peers;
}

std::uint64_t wall_clock_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

int exit_code_of(Code code) {
  if (code == Code::kSchemaMismatch) return kExitSchema;
  if (code == Code::kConfiguration) return kExitConfiguration;
  if (code == Code::kCorrupt) return kExitDamaged;
  return kExitFailure;
}

// The audit key: read it; for a new cluster (no store yet) create it when absent.
Result<audit::AuditKey> load_audit_key(const Options& options) {
  const std::filesystem::path store = std::filesystem::path(options.data_dir) / "store.db";
  if (std::filesystem::exists(options.audit_key_file))
    return keyfile::read_audit_key_file(options.audit_key_file);
  if (std::filesystem::exists(store)) {
    return make_error(Code::kConfiguration,
                      "audit key file " + options.audit_key_file +
                          " is missing, and the data dir holds a store: give the cluster's key");
  }
  std::filesystem::create_directories(
      std::filesystem::path(options.audit_key_file).parent_path().empty()
          ? std::filesystem::path(".")
          : std::filesystem::path(options.audit_key_file).parent_path());
  auto created = keyfile::create_audit_key_file(options.audit_key_file);
  if (created.ok())
    log_event("info", "audit_key_created",
              {{"path", options.audit_key_file},
               {"mode", "0600"},
               {"note", "new cluster: give this same file to every node"}});
  return created;
}

struct Daemon {
  uv_loop_t loop{};
  uv_signal_t sigterm{};
  uv_signal_t sigint{};
  uv_timer_t watchdog{};
  std::unique_ptr<replica::UvHost> host;
  std::unique_ptr<http::Server> server;
  bool stopping = false;
  bool closed = false;
  int exit_code = 0;

  void stop(int code, const std::string& why) {
    if (stopping) return;
    stopping = true;
    exit_code = code;
    log_event(code == 0 ? "info" : "error", "stopping", {{"reason", why}});
    server->close_connections();
    uv_signal_stop(&sigterm);
    uv_signal_stop(&sigint);
    uv_timer_stop(&watchdog);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&watchdog), nullptr);
    // The host answers every pending write (kUnknown -> 503) and closes libraft and the store.
    host->close([this] {
      closed = true;
      uv_stop(&loop);
    });
  }
};

// Room for connections_max client connections beside the store, the Raft log and the peers:
// the soft descriptor limit raised as far as the hard one allows (a warning when short).
void raise_descriptor_limit(std::size_t connections_max) {
  constexpr rlim_t kReserve = 256;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(connections_max) + kReserve;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted)
    log_event("warn", "descriptor_limit",
              {{"limit", std::to_string(limit.rlim_cur)},
               {"note", "below --connections-max plus a reserve: raise the hard limit"}});
}

int run(const Options& options) {
  set_log_node(options.id);
  raise_descriptor_limit(options.connections_max);
  auto voters = parse_peers(options.peers, "--peers");
  if (!voters.ok()) {
    log_event("error", "bad_flags", {{"reason", voters.error().message}});
    return kExitUsage;
  }
  auto http_peers = parse_peers(options.http_peers, "--http-peers");
  if (!http_peers.ok()) {
    log_event("error", "bad_flags", {{"reason", http_peers.error().message}});
    return kExitUsage;
  }
  if (voters.value().empty()) voters.value()[options.id] = options.raft_address;
  if (voters.value().count(options.id) == 0 || voters.value()[options.id] != options.raft_address) {
    log_event("error", "bad_flags",
              {{"reason",
                "--peers must list this node's --id with its "
                "--raft-address"}});
    return kExitUsage;
  }
  http_peers.value()[options.id] = options.http_address;

  auto peer_tls = peer_tls_config(options.peer, options.id, options.cluster_id);
  if (!peer_tls.ok()) {
    log_event("error", "peer_tls_refused", {{"reason", peer_tls.error().message}});
    return peer_tls.error().code == Code::kValidation ? kExitUsage : kExitConfiguration;
  }
  auto tokens = client_token_gate(options.clients, options.cluster_id);
  if (!tokens.ok()) {
    log_event("error", "client_auth_refused", {{"reason", tokens.error().message}});
    return tokens.error().code == Code::kValidation ? kExitUsage : kExitConfiguration;
  }
  auto api_tls = api_tls_context(options.api_tls);
  if (!api_tls.ok()) {
    log_event("error", "api_tls_refused", {{"reason", api_tls.error().message}});
    return api_tls.error().code == Code::kValidation ? kExitUsage : kExitConfiguration;
  }
  auto key = load_audit_key(options);
  if (!key.ok()) {
    log_event("error", "audit_key_refused", {{"reason", key.error().message}});
    return kExitConfiguration;
  }

  Daemon daemon;
  uv_loop_init(&daemon.loop);
  replica::UvConfig uv;
  uv.address = options.raft_address;
  uv.data_dir = options.data_dir;
  for (const auto& [id, address] : voters.value())
    uv.voters.push_back({id, address});
  uv.snapshot_threshold = options.snapshot_threshold;
  uv.snapshot_trailing = std::max(16u, options.snapshot_threshold / 4);
  uv.group_commit_interval_ms = options.group_commit_ms;
  uv.peer_tls = std::move(peer_tls).value();
  replica::NodeConfig node;
  node.id = options.id;
  node.fsm.cluster_id = options.cluster_id;
  node.fsm.audit_key = key.value();
  node.fsm.rotation_threshold = options.rotation_threshold;
  node.fsm.group_entries_max = options.group_entries_max;
  node.in_flight_max = options.max_in_flight;
  node.batch_entries_max = options.batch_entries_max;
  node.batch_bytes_max = options.batch_bytes_max;
  node.trace_records = options.trace_records;
  node.clock_us = wall_clock_us;
  auto host = replica::UvHost::start(&daemon.loop, uv, std::move(node));
  if (!host.ok()) {
    Fields fields{{"data_dir", options.data_dir},
                  {"code", std::string(code_name(host.error().code))},
                  {"reason", host.error().message}};
    if (host.error().code == Code::kCorrupt)
      fields.push_back({"note",
                        "damaged data dir left as it was: restore it from a backup, or "
                        "wipe this node and add it back to the cluster"});
    log_event("error", "data_dir_refused", fields);
    uv_run(&daemon.loop, UV_RUN_NOWAIT);
    uv_loop_close(&daemon.loop);
    return exit_code_of(host.error().code);
  }
  daemon.host = std::move(host).value();

  http::ServerConfig server;
  server.http_address = options.http_address;
  server.peer_http = http_peers.value();
  server.cluster_id = options.cluster_id;
  server.audit_key = key.value();
  server.tokens = std::move(tokens).value();
  server.connections_max = options.connections_max;
  server.request_timeout_ms = options.request_timeout_ms;
  server.auth_off = !server.tokens;
  server.tls = std::move(api_tls).value();
  server.log = [](const std::string& line) { log_line("info", line); };
  auto started = http::Server::start(&daemon.loop, server, daemon.host->node());
  if (!started.ok()) {
    log_event("error", "http_refused", {{"reason", started.error().message}});
    daemon.host->close([&daemon] { uv_stop(&daemon.loop); });
    uv_run(&daemon.loop, UV_RUN_DEFAULT);
    uv_run(&daemon.loop, UV_RUN_NOWAIT);
    daemon.host.reset();
    uv_loop_close(&daemon.loop);
    return kExitConfiguration;
  }
  daemon.server = std::move(started).value();
  log_event("info", "started",
            {{"raft", options.raft_address},
             {"http", options.http_address},
             {"scheme", server.tls ? "https" : "http"},
             {"data_dir", options.data_dir},
             {"cluster", options.cluster_id},
             {"voters", std::to_string(voters.value().size())},
             {"applied_index", std::to_string(daemon.host->node().applied_index())}});

  auto on_signal = [](uv_signal_t* handle, int signal) {
    static_cast<Daemon*>(handle->data)->stop(0, signal == SIGTERM ? "SIGTERM" : "SIGINT");
  };
  // A failed node has its host close libraft at once (UvHost); the daemon then stops too,
  // with the failure's exit code (the watchdog below would notice within 100 ms anyway).
  daemon.host->on_failure_closed([&daemon] {
    const auto& failure = daemon.host->node().failure();
    daemon.stop(kExitFailure, "node failed: " + (failure ? failure->message : std::string()));
  });
  uv_signal_init(&daemon.loop, &daemon.sigterm);
  uv_signal_init(&daemon.loop, &daemon.sigint);
  daemon.sigterm.data = daemon.sigint.data = &daemon;
  uv_signal_start(&daemon.sigterm, on_signal, SIGTERM);
  uv_signal_start(&daemon.sigint, on_signal, SIGINT);
  // Leadership changes and a failed node are logged from here.
  uv_timer_init(&daemon.loop, &daemon.watchdog);
  daemon.watchdog.data = &daemon;
  uv_timer_start(
      &daemon.watchdog,
      [](uv_timer_t* timer) {
        auto* d = static_cast<Daemon*>(timer->data);
        static std::uint64_t last_leader = ~std::uint64_t{0};
        replica::Node& n = d->host->node();
        if (n.failed()) return d->stop(kExitFailure, "node failed: " + n.failure()->message);
        if (n.leader_id() != last_leader) {
          last_leader = n.leader_id();
          log_event("info", "leader",
                    {{"leader", std::to_string(last_leader)},
                     {"term", std::to_string(n.term())},
                     {"applied_index", std::to_string(n.applied_index())}});
        }
      },
      100, 100);

  uv_run(&daemon.loop, UV_RUN_DEFAULT);
  // Let the answers to the last requests go out, then take h2o down.
  for (int i = 0; i < 10; ++i)
    uv_run(&daemon.loop, UV_RUN_NOWAIT);
  const std::uint64_t applied = daemon.host->node().applied_index();
  daemon.server.reset();  // waits for a /_tally/check still running on the thread pool
  uv_run(&daemon.loop, UV_RUN_NOWAIT);
  daemon.host.reset();
  uv_loop_close(&daemon.loop);
  log_event("info", "stopped",
            {{"applied_index", std::to_string(applied)},
             {"exit_code", std::to_string(daemon.exit_code)}});
  return daemon.exit_code;
}

}  // namespace
}  // namespace tally::tallyd

int main(int argc, char** argv) {
  using tally::tallyd::Options;
  Options options;
  CLI::App app{"tallyd: one node of a Tally cluster (Raft + HTTP/JSON API)"};
  app.footer(
      "Exit codes: 0 clean stop (SIGTERM, SIGINT); 1 runtime failure (the node failed); 2 bad "
      "flags (no peer TLS and no --insecure-peers, no --token-key-file and no --auth=off "
      "included);\n3 a data dir of another cluster "
      "or audit key, or peer certificates that do not fit (another node or cluster, not under "
      "the CA);\n4 a store of another schema version;\n5 a damaged data dir (unreadable Raft "
      "metadata, log segment or snapshot, or a cache that disagrees with the rows it stands "
      "for), left untouched.");
  app.set_config("--config", "", "read flags from a TOML or INI file (keys: the long flag names)");
  app.add_option("--id", options.id, "this node's Raft id (> 0)")->required();
  app.add_option("--raft-address", options.raft_address, "HOST:PORT for Raft")->required();
  app.add_option("--http-address", options.http_address, "HOST:PORT for the API")->required();
  app.add_option("--data-dir", options.data_dir, "store, Raft log and snapshots")->required();
  app.add_option("--peers", options.peers, "the voters: ID=HOST:PORT,... (Raft addresses)");
  app.add_option("--http-peers", options.http_peers, "ID=HOST:PORT,... (HTTP, for redirects)");
  app.add_option("--cluster-id", options.cluster_id, "the cluster's name")->capture_default_str();
  app.add_option("--rotation-threshold", options.rotation_threshold, "cache rotation threshold K")
      ->capture_default_str();
  app.add_option("--snapshot-threshold", options.snapshot_threshold,
                 "entries between snapshots (each copies and hashes the whole store)")
      ->capture_default_str();
  app.add_option("--max-in-flight", options.max_in_flight,
                 "requests queued at the leader or proposed and not yet applied; past it, "
                 "503 BUSY")
      ->capture_default_str();
  app.add_option("--batch-entries-max", options.batch_entries_max,
                 "entries per leader batch: requests that arrive while a batch is in flight "
                 "leave together in one raft_apply (one append, one fsync, one AppendEntries)")
      ->capture_default_str();
  app.add_option("--batch-bytes-max", options.batch_bytes_max,
                 "encoded bytes per leader batch (a batch holds at least one entry)")
      ->capture_default_str();
  app.add_option("--group-entries-max", options.group_entries_max,
                 "applied entries per store commit (group commit); an acknowledged entry is "
                 "durable in the Raft log before its group commits")
      ->capture_default_str();
  app.add_option("--group-commit-ms", options.group_commit_ms,
                 "the open group is committed at least this often (ms)")
      ->capture_default_str();
  app.add_option("--trace-records", options.trace_records,
                 "applied indexes kept for `tally trace export` (GET /_tally/trace); 0: none. "
                 "Recording costs every entry's apply a read of each plan key's rows")
      ->capture_default_str();
  app.add_option("--audit-key-file", options.audit_key_file,
                 "the cluster's 32-byte audit key (default DATA_DIR/audit.key; created for a "
                 "new cluster when absent)");
  app.add_option("--peer-cert", options.peer.certificate,
                 "this node's certificate (PEM), signed by the cluster CA, naming its id");
  app.add_option("--peer-key", options.peer.key, "its private key (PEM, mode 0600)");
  app.add_option("--peer-ca", options.peer.ca, "the cluster CA's certificate (PEM)");
  app.add_flag("--insecure-peers", options.peer.insecure,
               "Raft over plaintext TCP, peers unauthenticated (local experiments only)");
  app.add_option("--token-key-file", options.clients.token_key_file,
                 "the cluster's token key (32 bytes, mode 0600): API requests need a bearer "
                 "token it signed");
  app.add_option("--auth", options.clients.auth,
                 "on: every API request needs a bearer token; off: none (local experiments "
                 "only)")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app.add_option("--api-cert", options.api_tls.certificate,
                 "the API's server certificate (PEM): with --api-key, the API is HTTPS only; "
                 "without, plain HTTP");
  app.add_option("--api-key", options.api_tls.key, "its private key (PEM, mode 0600)");
  app.add_option("--connections-max", options.connections_max,
                 "open API connections; more are closed as soon as they are accepted")
      ->capture_default_str();
  app.add_option("--request-timeout-ms", options.request_timeout_ms,
                 "a connection's next request (headers and body) must arrive within this (ms) "
                 "of its opening or previous answer, else it is closed")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  if (options.id == 0 || options.max_in_flight == 0 || options.snapshot_threshold == 0 ||
      options.batch_entries_max == 0 || options.batch_bytes_max == 0 ||
      options.group_entries_max == 0 || options.group_commit_ms == 0 ||
      options.connections_max == 0 || options.request_timeout_ms == 0) {
    std::fprintf(stderr,
                 "tallyd: --id, --max-in-flight, --snapshot-threshold, --batch-entries-max, "
                 "--batch-bytes-max, --group-entries-max, --group-commit-ms, --connections-max "
                 "and --request-timeout-ms must be > 0\n");
    return 2;
  }
  if (options.audit_key_file.empty())
    options.audit_key_file = (std::filesystem::path(options.data_dir) / "audit.key").string();
  return tally::tallyd::run(options);
}
