// JSON text for the simulator's traces, written by hand: the core carries no JSON writer and
// the same code runs in WebAssembly. Appends to a string; the caller places the commas.
#pragma once

#include <cstdint>
#include <string>

namespace tally::sim {

// A JSON string literal: quotes, backslashes and control bytes escaped; other bytes as is.
std::string json_string(const std::string& text);

// "name": value pairs, each with its leading comma unless first.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(&out) { *out_ += '{'; }
  JsonObject& raw(const char* name, const std::string& json);  // a value already in JSON
  JsonObject& text(const char* name, const std::string& value);
  JsonObject& number(const char* name, std::uint64_t value);
  JsonObject& signed_number(const char* name, std::int64_t value);
  JsonObject& flag(const char* name, bool value);
  void close() { *out_ += '}'; }

 private:
  void name(const char* name);
  std::string* out_;
  bool first_ = true;
};

}  // namespace tally::sim
