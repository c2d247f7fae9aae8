// The `tally` CLI's view of a node: calls the API (writes follow redirects to the leader and
// retry through leader changes: write_retry.cpp), prints --json bodies as they come or
// readable tables, and maps answers to exit codes (0 success, 1 an error answer or no answer;
// 2, usage errors, is main.cpp's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "native/json/json.hpp"
#include "native/tally/http_client.hpp"
#include "native/tallyd/defaults.hpp"

namespace tally::cli {

// Read-your-writes across nodes (docs/design.md §9): every write's answer carries the node's
// cluster id (Tally-Cluster-Id) and the index it was applied at (Tally-Applied-Index). The CLI
// remembers the last one in a small state file, $XDG_STATE_HOME/tally/last-write.json (else
// ~/.local/state/tally/), and sends both back on every read, so a read through any node of
// that cluster waits (bounded) until the node has applied the write; a node of another cluster
// id ignores them. Keyed by cluster id, not by --node URL: a write goes to the leader and the
// next read may go to a follower, and a URL says nothing of which nodes form a cluster. One
// record, the latest write's (a write to another cluster replaces it): the common case is one
// cluster at a time. `tally cluster up` forgets the record of the cluster id it starts (a new
// cluster with an old id starts from index 0 again). --no-wait or TALLY_NO_WAIT=1 reads
// without waiting and records nothing; concurrent CLI runs may overwrite each other's record
// (the file is replaced atomically, so it is never torn).
struct LastWrite {
  std::string cluster_id;
  std::uint64_t applied_index = 0;
};

// The state file's path ("" when neither XDG_STATE_HOME nor HOME is set: nothing recorded).
std::string last_write_path();
// The record, if the file holds one that parses (anything else is ignored, never fatal).
std::optional<LastWrite> read_last_write(const std::string& path);
// Replaces the record, creating the directory; false when it cannot be written.
bool write_last_write(const std::string& path, const LastWrite& record);

using Headers = std::vector<std::pair<std::string, std::string>>;
using Renderer = std::string (*)(const json::Json& json);

// Readable text of an API answer's JSON (a table for lists, key: value lines otherwise).
std::string render(const json::Json& json);
// A checker report: the mode, the sequences it walked ("nothing new since sequence N" when an
// incremental check had nothing to walk), the counts and any mismatches.
std::string render_check(const json::Json& json);

inline constexpr int kWriteRetryMsDefault = 8000;

struct Client {
  std::string node = "http://127.0.0.1:7101";
  // The other nodes a write may retry through (--cluster-dir's cluster.json), as base URLs.
  std::vector<std::string> peers;
  bool json = false;
  bool no_wait = false;    // --no-wait / TALLY_NO_WAIT
  std::string state_file;  // last_write_path() unless overridden
  // How long a write keeps retrying while no leader takes it (0: a single try).
  int write_retry_ms = kWriteRetryMsDefault;
  // Writes without an Idempotency-Key header get a fresh one (a retry is then safe). Off for
  // requests whose body carries its own keys (bulk elements).
  bool auto_key = true;
  // Sent as Authorization: Bearer on every request when not empty (main.cpp says where it
  // comes from).
  std::string token;
  // https:// nodes: the CA their certificates must verify under ("": the system's trust
  // store; main.cpp says where it comes from).
  std::string ca_file;

  // Calls and prints; returns the exit code. A write that carried the caller's
  // Idempotency-Key and was answered from its record says so (text and --json).
  int run(const std::string& method, const std::string& path, const std::string& body = "",
          Headers headers = {}, Renderer renderer = render) const;
  // Prints an answer as run() does (user_key: the caller's own Idempotency-Key, if any);
  // returns the exit code.
  int print(const HttpResponse& answer, const std::string& user_key = "",
            Renderer renderer = render) const;
  // GET reads (with the read-your-writes headers); anything else is a write (send_write).
  Result<HttpResponse> call(const std::string& method, const std::string& path,
                            const std::string& body = "", Headers headers = {}) const;
  // A write of `path` through leader changes (write_retry.cpp), `request` its method, body
  // and headers (the URL is set per try): a redirect is followed by hand; an
  // unreachable redirect target, a node that cannot be reached while others are known, and a
  // 503 (no leader yet, leadership moving) are retried with backoff through `node` and
  // `peers` until write_retry_ms has passed. Retrying is safe only because the request
  // carries an Idempotency-Key. The final error names every URL tried and what each answered.
  Result<HttpResponse> send_write(HttpRequest request, const std::string& path) const;
};

// `digits` random lower-case hex digits (std::random_device): cluster ids, idempotency keys.
std::string random_hex(std::size_t digits);
// A fresh random idempotency key for a write the user gave none ("cli-" and 32 hex digits).
std::string generated_idempotency_key();

// Percent-encodes one path segment.
std::string path_segment(const std::string& text);

// What every node of a local cluster starts with; kept in cluster.json, so that start-node
// restarts a node with the same settings.
struct ClusterSettings {
  bool https = true;     // the API over HTTPS (--api-plaintext: plain HTTP)
  bool peer_tls = true;  // Raft over mutual TLS (--insecure-peers: plaintext TCP)
  unsigned snapshot_threshold = tallyd::defaults::kSnapshotThreshold;     // --snapshot-threshold
  std::size_t group_entries_max = tallyd::defaults::kGroupEntriesMax;     // --group-entries-max
  unsigned group_commit_ms = tallyd::defaults::kGroupCommitMs;            // --group-commit-ms
  std::size_t trace_records = tallyd::defaults::kTraceRecords;            // --trace-records
  std::size_t batches_in_flight = tallyd::defaults::kBatchesInFlightMax;  // --batches-in-flight
  std::uint64_t raft_log_memory_mb = tallyd::defaults::kRaftLogMemoryMb;  // --raft-log-memory-mb
};

// The nodes' base URLs listed in DIR/cluster.json, in its scheme ("https://127.0.0.1:7101").
Result<std::vector<std::string>> cluster_urls(const std::string& dir);
// The CA file a client of DIR's cluster trusts: DIR/tls/ca.pem when the cluster serves
// HTTPS, "" when it serves plain HTTP (or DIR holds no cluster).
std::string cluster_ca_file(const std::string& dir);

// The cluster commands (cluster.cpp).
int cluster_up(int count, const std::string& dir, int base_port, const ClusterSettings& settings,
               const std::string& tallyd);
int cluster_down(const std::string& dir);
int cluster_status(const std::string& dir);
int cluster_start_node(const std::string& dir, std::uint64_t id, const std::string& tallyd);
// The cluster id recorded in DIR/cluster.json; "" when there is none that parses.
std::string recorded_cluster_id(const std::string& dir);
// Sends signal to every node of DIR's cluster that runs with flag among its arguments (a
// tallyd started without it may not handle the signal: SIGHUP's default action ends a
// process). The ids of the nodes signalled and of those running without the flag, or the
// error reading DIR/cluster.json.
struct SignalledNodes {
  std::vector<std::uint64_t> signalled;
  std::vector<std::uint64_t> without_flag;
};
Result<SignalledNodes> signal_cluster_nodes(const std::string& dir, int signal,
                                            const std::string& flag);

}  // namespace tally::cli
