#include "native/tallyd/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "native/raft/node_events.hpp"

namespace tally::tallyd {
namespace {

std::uint64_t node_id = 0;

std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return buffer;
}

}  // namespace

void set_log_node(std::uint64_t id) {
  node_id = id;
}

void log_line(std::string_view level, std::string_view event_and_fields) {
  std::string line = "level=" + std::string(level) + " time=" + now_text() +
                     " node=" + std::to_string(node_id) + " " + std::string(event_and_fields) +
                     "\n";
  std::fputs(line.c_str(), stderr);
}

void log_event(std::string_view level, std::string_view event, const Fields& fields) {
  std::string text = "event=" + std::string(event);
  for (const auto& [key, value] : fields)
    text += " " + key + "=" + replica::logfmt_value(value);
  log_line(level, text);
}

}  // namespace tally::tallyd
