// A small JSON tree for request bodies, built by RapidJSON's SAX reader (never a parser of
// our own), and a writer over RapidJSON's Writer for responses.
//
// Why not RapidJSON's Document: amounts are integers of any size (up to 2^256 - 1), and a
// Document turns a big number into a double. With kParseNumbersAsStringsFlag the reader hands
// every number over as its exact text, which this tree keeps as kNumber beside strings, so
// metadata keeps its types and amounts their digits. The reader is iterative (no recursion
// on nested input), validates UTF-8, and the builder refuses nesting deeper than
// kJsonDepthMax and duplicate keys. Plain values, no shared state: thread-compatible.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "native/limits.hpp"

namespace tally::json {

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;         // kString: the UTF-8 value; kNumber: the number exactly as written
  std::vector<Json> items;  // kArray
  std::vector<std::pair<std::string, Json>> members;  // kObject, in document order

  // Defined below, where Json is complete: members holds pairs with a Json inside, which the
  // standard library may only instantiate for a complete type (clang refuses otherwise).
  Json();
  ~Json();
  Json(const Json&);
  Json(Json&&) noexcept;
  Json& operator=(const Json&);
  Json& operator=(Json&&) noexcept;

  const Json* find(std::string_view key) const;  // kObject member, or nullptr
  bool is_object() const { return type == Type::kObject; }
};

inline Json::Json() = default;
inline Json::~Json() = default;
inline Json::Json(const Json&) = default;
inline Json::Json(Json&&) noexcept = default;
inline Json& Json::operator=(const Json&) = default;
inline Json& Json::operator=(Json&&) noexcept = default;

std::string_view json_type_name(Json::Type type);

// kValidation "malformed JSON at offset N: reason" for anything RapidJSON refuses, invalid
// UTF-8 included; "JSON nested deeper than 32"; "duplicate key \"k\"".
Result<Json> parse_json(std::string_view text);

// Appends JSON to a string. Keys and strings are escaped by RapidJSON.
class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view key);
  void string(std::string_view value);
  void number_text(std::string_view digits);  // an integer written as digits, any size
  void u64(std::uint64_t value);
  void i64(std::int64_t value);
  void boolean(bool value);
  void null();
  // Moves the text out; the writer is then empty and reusable.
  std::string take();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace tally::json
