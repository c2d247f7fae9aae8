#include "core/sim/json_text.hpp"

#include <cstdio>

namespace tally::sim {

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void JsonObject::name(const char* name) {
  if (!first_) *out_ += ',';
  first_ = false;
  *out_ += json_string(name);
  *out_ += ':';
}

JsonObject& JsonObject::raw(const char* field, const std::string& json) {
  name(field);
  *out_ += json;
  return *this;
}

JsonObject& JsonObject::text(const char* field, const std::string& value) {
  name(field);
  *out_ += json_string(value);
  return *this;
}

JsonObject& JsonObject::number(const char* field, std::uint64_t value) {
  name(field);
  *out_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::signed_number(const char* field, std::int64_t value) {
  name(field);
  *out_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::flag(const char* field, bool value) {
  name(field);
  *out_ += value ? "true" : "false";
  return *this;
}

}  // namespace tally::sim
