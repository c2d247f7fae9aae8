// A small JSON writer for the visualiser's state (wasm/ only: the core stays free of JSON).
// Builds one string; the caller opens and closes objects and arrays in order.
#pragma once

#include <cstdint>
#include <string>

namespace tally::wasm {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& name);  // inside an object, before each value
  JsonWriter& value(const std::string& text);
  JsonWriter& value(const char* text) { return value(std::string(text)); }
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& boolean(bool flag);
  JsonWriter& null();

  template <class T>
  JsonWriter& field(const std::string& name, const T& v) {
    key(name);
    return value(v);
  }
  JsonWriter& flag(const std::string& name, bool v) {
    key(name);
    return boolean(v);
  }

  const std::string& str() const { return out_; }

 private:
  void separate();
  std::string out_;
  bool first_ = true;  // no value yet at this nesting level
  bool after_key_ = false;
};

}  // namespace tally::wasm
