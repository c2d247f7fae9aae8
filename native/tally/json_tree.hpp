// Writing a parsed JSON tree (native/json/json.hpp) back out: the CLI adds fields to what it
// read (an idempotency key in a bulk element, a replay flag in an answer) and hashes bulk
// elements in a canonical form.
#pragma once

#include <string>

#include "native/json/json.hpp"

namespace tally::cli {

enum class KeyOrder {
  kDocument,  // members as they were read
  kSorted,    // members sorted by key at every level: the same text for the same value
};

void write_json(json::JsonWriter& out, const json::Json& json, KeyOrder order);
std::string json_text(const json::Json& json, KeyOrder order);

// A string value.
json::Json json_string(std::string text);

}  // namespace tally::cli
