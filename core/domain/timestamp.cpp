#include "core/domain/timestamp.hpp"

#include <algorithm>
#include <cstdio>

namespace tally::domain {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// count decimal digits at text[at], or -1.
int digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

Error invalid(std::string_view text, const char* why) {
  return make_error(Code::kValidation, "expected an RFC 3339 timestamp, got \"" +
                                           std::string(text.substr(0, 64)) + "\" (" + why + ")");
}

}  // namespace

Result<std::uint64_t> parse_rfc3339(std::string_view text) {
  const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const int hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || text[4] != '-' ||
      text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return invalid(text, "not YYYY-MM-DDTHH:MM:SS");
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return invalid(text, "a field out of range");
  }
  std::size_t at = 19;
  std::uint64_t micros = 0;
  if (at < text.size() && text[at] == '.') {
    std::size_t count = 0;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++count) {
      if (count < 6) micros = micros * 10 + static_cast<std::uint64_t>(text[at] - '0');
    }
    if (count == 0) return invalid(text, "an empty fraction");
    for (; count < 6; ++count)
      micros *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (at + 1 == text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    // UTC
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    const int hours = digits(text, at + 1, 2), minutes = digits(text, at + 4, 2);
    if (hours < 0 || minutes < 0 || hours > 23 || minutes > 59)
      return invalid(text, "a bad offset");
    offset_seconds = (hours * 3600 + minutes * 60) * (text[at] == '+' ? 1 : -1);
  } else {
    return invalid(text, "no Z or offset at the end");
  }
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds =
      days * 86400 + hour * 3600 + minute * 60 + std::min(second, 59) - offset_seconds;
  if (seconds < 0) return invalid(text, "before 1970");
  return static_cast<std::uint64_t>(seconds) * 1000000 + micros;
}

std::string format_rfc3339(std::uint64_t timestamp_us) {
  const std::int64_t seconds = static_cast<std::int64_t>(timestamp_us / 1000000);
  const unsigned micros = static_cast<unsigned>(timestamp_us % 1000000);
  const std::int64_t z = seconds / 86400 + 719468;
  const std::int64_t secs = seconds % 86400;
  const std::int64_t era = z / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char out[96];
  std::snprintf(out, sizeof out, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06uZ",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60), micros);
  return out;
}

}  // namespace tally::domain
