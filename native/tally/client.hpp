// The `tally` CLI's view of a node: calls the API (following redirects to the leader),
// prints --json bodies as they come or readable tables, and maps answers to exit codes
// (0 success, 1 an error answer or no answer).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "native/json/json.hpp"
#include "native/tally/http_client.hpp"

namespace tally::cli {

// Read-your-writes across nodes (DESIGN.md §9): every write's answer carries the node's
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

struct Client {
  std::string node = "http://127.0.0.1:7101";
  bool json = false;
  bool no_wait = false;    // --no-wait / TALLY_NO_WAIT
  std::string state_file;  // last_write_path() unless overridden

  // Calls and prints; returns the exit code.
  int run(const std::string& method, const std::string& path, const std::string& body = "",
          std::vector<std::pair<std::string, std::string>> headers = {}) const;
  Result<HttpResponse> call(const std::string& method, const std::string& path,
                            const std::string& body = "",
                            std::vector<std::pair<std::string, std::string>> headers = {}) const;
};

// Readable text of an API answer's JSON (a table for lists, key: value lines otherwise).
std::string render(const json::Json& json);

// Percent-encodes one path segment.
std::string path_segment(const std::string& text);

// What every node of a local cluster starts with; kept in cluster.json, so that start-node
// restarts a node with the same settings.
struct ClusterSettings {
  unsigned snapshot_threshold = 1024;  // tallyd --snapshot-threshold
  std::size_t group_entries_max = 1;   // tallyd --group-entries-max
  unsigned group_commit_ms = 10;       // tallyd --group-commit-ms
};

// The cluster commands (cluster.cpp).
int cluster_up(int count, const std::string& dir, int base_port, const ClusterSettings& settings,
               const std::string& tallyd);
int cluster_down(const std::string& dir);
int cluster_status(const std::string& dir);
int cluster_start_node(const std::string& dir, std::uint64_t id, const std::string& tallyd);

}  // namespace tally::cli
