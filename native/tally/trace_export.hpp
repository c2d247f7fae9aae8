// `tally trace export`: a live cluster's log window as a tally-trace/4 file for the
// visualiser (core/sim/TRACE_FORMAT.md "A cluster's trace"). Every node reports what it
// recorded applying each index of the window (GET /_tally/trace); the answers are merged one
// step per index, every node in its column, with the audit log's words for each entry and
// each node's checker result on the last step.
#pragma once

#include <cstdint>
#include <string>

#include "native/tally/client.hpp"

namespace tally::cli {

struct TraceWindow {
  std::uint64_t from = 1;
  std::uint64_t to = UINT64_MAX;
  std::size_t bytes_max = 64u << 20;  // the file stops growing here (window.truncated)
};

// Writes the file; returns the exit code (messages on stderr, a summary on stdout).
int export_cluster_trace(const Client& client, const TraceWindow& window,
                         const std::string& out_file);

}  // namespace tally::cli
