#include "native/http/canonical_request.hpp"

#include "core/domain/validation.hpp"

namespace tally::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

Error refused(std::string_view segment, std::string_view problem) {
  return make_error(Code::kValidation,
                    "path segment " + domain::quote_input(segment) + " " + std::string(problem));
}

Result<std::string> decode_segment(std::string_view raw) {
  std::string decoded;
  decoded.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      decoded += raw[i];
      continue;
    }
    const int high = i + 1 < raw.size() ? hex_value(raw[i + 1]) : -1;
    const int low = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
    if (high < 0 || low < 0)
      return refused(raw, "has a malformed %-escape at offset " + std::to_string(i));
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  if (decoded == "." || decoded == "..") return refused(raw, "is a relative step");
  for (char c : decoded) {
    if (c == '/') return refused(raw, "decodes to hold '/'");
    if (is_control(c)) return refused(raw, "decodes to hold a control byte");
  }
  return decoded;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

}  // namespace

Result<std::vector<std::string>> canonical_segments(std::string_view raw_path) {
  if (raw_path.empty() || raw_path.front() != '/')
    return make_error(Code::kValidation,
                      "request target " + domain::quote_input(raw_path) + " is not a path");
  std::vector<std::string> segments;
  std::size_t at = 1;
  while (at <= raw_path.size()) {
    std::size_t slash = raw_path.find('/', at);
    if (slash == std::string_view::npos) slash = raw_path.size();
    if (slash > at) {
      auto segment = decode_segment(raw_path.substr(at, slash - at));
      if (!segment.ok()) return std::move(segment).error();
      segments.push_back(std::move(segment).value());
    }
    at = slash + 1;
  }
  return segments;
}

bool is_json_media_type(std::string_view content_type) {
  const std::string_view media = trimmed(content_type.substr(0, content_type.find(';')));
  constexpr std::string_view kJson = "application/json";
  if (media.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < media.size(); ++i) {
    char c = media[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kJson[i]) return false;
  }
  return true;
}

}  // namespace tally::http
