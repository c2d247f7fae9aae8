// The node's events (a failure, a snapshot refused or installed, a malformed entry): each one
// structured line where its host sends it. tallyd sends them through its logfmt log
// (native/tallyd/log.hpp); without a sink they go to stderr in the same shape, so a test or a
// tool embedding a node still sees them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tally::replica {

using EventFields = std::vector<std::pair<std::string, std::string>>;

struct NodeEvent {
  std::string_view level;  // "info", "warn", "error"
  std::string_view name;   // "node_failed", "snapshot_refused", ...
  EventFields fields;
};

using EventSink = std::function<void(const NodeEvent&)>;

// A logfmt value: as is, or quoted (quotes and backslashes escaped, newlines as spaces) when
// it is empty or holds a space, a quote, '=' or a newline.
std::string logfmt_value(std::string_view value);

// "level=error event=node_failed node=1 code=CORRUPT reason=\"...\"" on stderr.
void write_event_to_stderr(std::uint64_t node_id, const NodeEvent& event);

}  // namespace tally::replica
