#include "native/raft/node_events.hpp"

#include <cstdio>

namespace tally::replica {

std::string logfmt_value(std::string_view value) {
  if (!value.empty() && value.find_first_of(" \"=\n\\") == std::string_view::npos)
    return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

void write_event_to_stderr(std::uint64_t node_id, const NodeEvent& event) {
  std::string line = "level=";
  line += event.level;
  line += " event=";
  line += event.name;
  line += " node=" + std::to_string(node_id);
  for (const auto& [key, value] : event.fields) {
    line += ' ' + key + '=' + logfmt_value(value);
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace tally::replica
