// tallyd's structured logs: one line per event on stderr,
//   level=info time=2026-11-26T14:00:00.000Z node=1 event=started http=127.0.0.1:7101 ...
// Values with spaces or quotes are quoted. Loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tally::tallyd {

using Fields = std::vector<std::pair<std::string, std::string>>;

void set_log_node(std::uint64_t id);
void log_event(std::string_view level, std::string_view event, const Fields& fields = {});
// "k=v k=v" already formatted (the HTTP layer's events).
void log_line(std::string_view level, std::string_view event_and_fields);

}  // namespace tally::tallyd
