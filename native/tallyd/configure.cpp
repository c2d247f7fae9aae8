#include "native/tallyd/configure.hpp"

#include <chrono>
#include <filesystem>
#include <map>

#include "native/keyfile/audit_key_file.hpp"
#include "native/raft/log_memory_bound.hpp"
#include "native/tallyd/log.hpp"

namespace tally::tallyd {
namespace {

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

// A refusal of files the flags name: kValidation is a usage error (exit 2), anything else a
// configuration that does not fit (exit 3).
Refusal refused(std::string event, const Error& error) {
  return {error.code == Code::kValidation ? kExitUsage : kExitConfiguration, std::move(event),
          error.message};
}

replica::NodeConfig node_config(const Options& options, const audit::AuditKey& key) {
  replica::NodeConfig node;
  node.id = options.id;
  node.fsm.cluster_id = options.cluster_id;
  node.fsm.audit_key = key;
  node.fsm.rotation_threshold = options.rotation_threshold;
  node.fsm.group_entries_max = options.group_entries_max;
  node.in_flight_max = options.max_in_flight;
  node.batch_entries_max = options.batch_entries_max;
  node.batch_bytes_max = options.batch_bytes_max;
  node.batches_in_flight_max = options.batches_in_flight_max;
  node.trace_records = options.trace_records;
  node.clock_us = wall_clock_us;
  node.events = [](const replica::NodeEvent& event) {
    log_event(event.level, event.name, event.fields);
  };
  return node;
}

}  // namespace

int exit_code_of(Code code) {
  if (code == Code::kSchemaMismatch) return kExitSchema;
  if (code == Code::kConfiguration) return kExitConfiguration;
  if (code == Code::kCorrupt) return kExitDamaged;
  return kExitFailure;
}

std::variant<NodeSetup, Refusal> configure(const Options& options) {
  auto voters = parse_peers(options.peers, "--peers");
  if (!voters.ok()) return Refusal{kExitUsage, "bad_flags", voters.error().message};
  auto http_peers = parse_peers(options.http_peers, "--http-peers");
  if (!http_peers.ok()) return Refusal{kExitUsage, "bad_flags", http_peers.error().message};
  if (voters->empty()) (*voters)[options.id] = options.raft_address;
  if (voters->count(options.id) == 0 || (*voters)[options.id] != options.raft_address)
    return Refusal{kExitUsage, "bad_flags",
                   "--peers must list this node's --id with its "
                   "--raft-address"};
  (*http_peers)[options.id] = options.http_address;
  auto peer_tls = peer_tls_config(options.peer, options.id, options.cluster_id);
  if (!peer_tls.ok()) return refused("peer_tls_refused", peer_tls.error());
  auto tokens = client_token_gate(options.clients, options.cluster_id);
  if (!tokens.ok()) return refused("client_auth_refused", tokens.error());
  auto api_tls = api_tls_context(options.api_tls);
  if (!api_tls.ok()) return refused("api_tls_refused", api_tls.error());
  auto key = load_audit_key(options);
  if (!key.ok()) return Refusal{kExitConfiguration, "audit_key_refused", key.error().message};

  NodeSetup setup;
  setup.raft.address = options.raft_address;
  setup.raft.data_dir = options.data_dir;
  for (const auto& [id, address] : *voters)
    setup.raft.voters.push_back({id, address});
  setup.raft.snapshot_threshold = options.snapshot_threshold;
  setup.raft.snapshot_trailing =
      std::max(replica::LogMemoryBound::kTrailingMin, options.snapshot_threshold / 4);
  setup.raft.log_memory_bytes_max = options.raft_log_memory_mb << 20;
  setup.raft.group_commit_interval_ms = options.group_commit_ms;
  setup.raft.peer_tls = std::move(peer_tls).value();
  setup.node = node_config(options, *key);
  http::ServerConfig& server = setup.server;
  server.http_address = options.http_address;
  server.peer_http = std::move(http_peers).value();
  server.cluster_id = options.cluster_id;
  server.audit_key = *key;
  server.tokens = std::move(tokens).value();
  server.auth_off = !server.tokens;
  server.tls = std::move(api_tls).value();
  server.connections_max = options.connections_max;
  server.request_timeout_ms = options.request_timeout_ms;
  server.view_wal_bytes_max = options.view_wal_max_mb << 20;
  server.log = [](const std::string& line) { log_line("info", line); };
  setup.revoked_tokens_file = options.clients.revoked_tokens_file;
  return setup;
}

}  // namespace tally::tallyd
