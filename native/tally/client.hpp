// The `tally` CLI's view of a node: calls the API (following redirects to the leader),
// prints --json bodies as they come or readable tables, and maps answers to exit codes
// (0 success, 1 an error answer or no answer).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "native/http/http_client.hpp"
#include "native/http/json.hpp"

namespace tally::cli {

struct Client {
  std::string node = "http://127.0.0.1:7101";
  bool json = false;

  // Calls and prints; returns the exit code.
  int run(const std::string& method, const std::string& path, const std::string& body = "",
          std::vector<std::pair<std::string, std::string>> headers = {}) const;
  Result<http::HttpResponse> call(
      const std::string& method, const std::string& path, const std::string& body = "",
      std::vector<std::pair<std::string, std::string>> headers = {}) const;
};

// Readable text of an API answer's JSON (a table for lists, key: value lines otherwise).
std::string render(const http::Json& json);

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
