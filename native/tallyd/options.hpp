// tallyd's settings: every flag, from the command line or a config file (--config FILE, TOML
// or INI, keys as the long flag names). Defaults and why: defaults.hpp.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "native/tallyd/api_tls.hpp"
#include "native/tallyd/client_auth.hpp"
#include "native/tallyd/defaults.hpp"
#include "native/tallyd/peer_tls.hpp"

namespace tally::tallyd {

struct Options {
  std::uint64_t id = 0;
  std::string raft_address;
  std::string http_address;
  std::string data_dir;
  std::string peers;       // "1=127.0.0.1:7001,2=..." (Raft addresses, this node included)
  std::string http_peers;  // "1=127.0.0.1:7101,2=..." (HTTP addresses, for redirects)
  std::string cluster_id = "tally";
  std::uint64_t rotation_threshold = 1000;
  unsigned snapshot_threshold = defaults::kSnapshotThreshold;
  std::size_t max_in_flight = defaults::kMaxInFlight;
  std::size_t batch_entries_max = defaults::kBatchEntriesMax;
  std::size_t batch_bytes_max = defaults::kBatchBytesMax;
  std::size_t batches_in_flight_max = defaults::kBatchesInFlightMax;
  std::size_t group_entries_max = defaults::kGroupEntriesMax;
  unsigned group_commit_ms = defaults::kGroupCommitMs;
  std::string audit_key_file;  // default: <data-dir>/audit.key
  std::size_t connections_max = 4096;
  std::uint64_t request_timeout_ms = 10000;
  std::uint64_t view_wal_max_mb = 1024;                           // 0: no bound
  std::uint64_t raft_log_memory_mb = defaults::kRaftLogMemoryMb;  // 0: no bound in bytes
  PeerFlags peer;           // mutual TLS between nodes (peer_tls.hpp)
  ClientAuthFlags clients;  // bearer tokens on the API (client_auth.hpp)
  ApiTlsFlags api_tls;      // HTTPS (api_tls.hpp)
  std::size_t trace_records = defaults::kTraceRecords;
};

// Registers every flag of options on app, with its help text and the exit codes' footer.
void add_flags(CLI::App& app, Options& options);

// Fills in what defaults to another flag (the audit key file in the data dir); the reason
// when a flag that must be positive is not (exit 2).
std::optional<std::string> complete(Options& options);

}  // namespace tally::tallyd
