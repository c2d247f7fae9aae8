#include "native/tallyd/options.hpp"

#include <filesystem>

namespace tally::tallyd {

namespace {

void add_node_flags(CLI::App& app, Options& options) {
  app.add_option("--id", options.id, "this node's Raft id (> 0)")->required();
  app.add_option("--raft-address", options.raft_address, "HOST:PORT for Raft")->required();
  app.add_option("--http-address", options.http_address, "HOST:PORT for the API")->required();
  app.add_option("--data-dir", options.data_dir, "store, Raft log and snapshots")->required();
  app.add_option("--peers", options.peers, "the voters: ID=HOST:PORT,... (Raft addresses)");
  app.add_option("--http-peers", options.http_peers, "ID=HOST:PORT,... (HTTP, for redirects)");
  app.add_option("--cluster-id", options.cluster_id, "the cluster's name")->capture_default_str();
  app.add_option("--rotation-threshold", options.rotation_threshold, "cache rotation threshold K")
      ->capture_default_str();
}

void add_throughput_flags(CLI::App& app, Options& options) {
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
  app.add_option("--batches-in-flight", options.batches_in_flight_max,
                 "leader batches proposed and not yet applied: the next leaves while these "
                 "replicate")
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
}

void add_security_flags(CLI::App& app, Options& options) {
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
  app.add_option("--revoked-tokens-file", options.clients.revoked_tokens_file,
                 "revoked token ids, one per line (tally cluster up creates "
                 "DIR/revoked-tokens; tally token revoke adds one): read at start and on "
                 "SIGHUP");
  app.add_option("--auth", options.clients.auth,
                 "on: every API request needs a bearer token; off: none (local experiments "
                 "only)")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app.add_option("--api-cert", options.api_tls.certificate,
                 "the API's server certificate (PEM): with --api-key, the API is HTTPS only; "
                 "without, plain HTTP");
  app.add_option("--api-key", options.api_tls.key, "its private key (PEM, mode 0600)");
}

void add_resource_flags(CLI::App& app, Options& options) {
  app.add_option("--connections-max", options.connections_max,
                 "open API connections; more are closed as soon as they are accepted")
      ->capture_default_str();
  app.add_option("--request-timeout-ms", options.request_timeout_ms,
                 "a connection's next request (headers and body) must arrive within this (ms) "
                 "of its opening or previous answer, else it is closed")
      ->capture_default_str();
  app.add_option("--view-wal-max-mb", options.view_wal_max_mb,
                 "a check or digest holding a read view of the store is stopped (503 "
                 "VIEW_EXPIRED) once the write-ahead log its view keeps from being "
                 "checkpointed passes this (MiB); 0: no bound")
      ->capture_default_str();
  app.add_option("--raft-log-memory-mb", options.raft_log_memory_mb,
                 "the Raft log held in memory (MiB): a snapshot is taken once the entries since "
                 "the last hold half of it, and it keeps only the entries behind it that fit "
                 "in the other half; 0: bounded by --snapshot-threshold entries alone")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 20))
      ->capture_default_str();
}

}  // namespace

void add_flags(CLI::App& app, Options& options) {
  app.footer(
      "Exit codes: 0 clean stop (SIGTERM, SIGINT); 1 runtime failure (the node failed); 2 bad "
      "flags (no peer TLS and no --insecure-peers, no --token-key-file and no --auth=off, "
      "--api-cert without --api-key included);\n3 a data dir of another cluster "
      "or audit key, or peer certificates that do not fit (another node or cluster, not under "
      "the CA), or an API certificate or key that cannot be used;\n4 a store of another schema "
      "version;\n5 a damaged data dir (unreadable Raft "
      "metadata, log segment or snapshot, or a cache that disagrees with the rows it stands "
      "for), left untouched.");
  app.set_config("--config", "", "read flags from a TOML or INI file (keys: the long flag names)");
  add_node_flags(app, options);
  add_throughput_flags(app, options);
  add_security_flags(app, options);
  add_resource_flags(app, options);
}

std::optional<std::string> complete(Options& options) {
  if (options.id == 0 || options.max_in_flight == 0 || options.snapshot_threshold == 0 ||
      options.batch_entries_max == 0 || options.batch_bytes_max == 0 ||
      options.batches_in_flight_max == 0 || options.group_entries_max == 0 ||
      options.group_commit_ms == 0 || options.connections_max == 0 ||
      options.request_timeout_ms == 0) {
    return "--id, --max-in-flight, --snapshot-threshold, --batch-entries-max, "
           "--batch-bytes-max, --batches-in-flight, --group-entries-max, --group-commit-ms, "
           "--connections-max "
           "and --request-timeout-ms must be > 0";
  }
  if (options.view_wal_max_mb > (std::uint64_t{1} << 30)) return "--view-wal-max-mb: at most 2^30";
  if (options.audit_key_file.empty())
    options.audit_key_file = (std::filesystem::path(options.data_dir) / "audit.key").string();
  return std::nullopt;
}

}  // namespace tally::tallyd
