// Timestamps as the API writes them: RFC 3339, UTC, microseconds since the Unix epoch inside.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tally::domain {

// "2024-01-02T03:04:05Z", with an optional fraction (digits past microseconds are dropped)
// and "Z" or a "+hh:mm" / "-hh:mm" offset; kValidation otherwise, and before 1970.
Result<std::uint64_t> parse_rfc3339(std::string_view text);

// "2024-01-02T03:04:05.123456Z": always six fraction digits, always UTC.
std::string format_rfc3339(std::uint64_t timestamp_us);

}  // namespace tally::domain
