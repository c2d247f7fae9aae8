#include "native/json/json.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/domain/validation.hpp"
#include "native/limits.hpp"

namespace tally::json {

namespace {

// SAX handler: builds the tree on an explicit stack (bounded by limits::kJsonDepthMax).
class TreeBuilder {
 public:
  Json root;
  std::string failure;

  bool Null() { return value(Json{}); }
  bool Bool(bool b) {
    Json json;
    json.type = Json::Type::kBool;
    json.boolean = b;
    return value(std::move(json));
  }
  // With kParseNumbersAsStringsFlag every number arrives here; the typed callbacks do not.
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    Json json;
    json.type = Json::Type::kNumber;
    json.text.assign(text, length);
    return value(std::move(json));
  }
  bool Int(int) { return unexpected(); }
  bool Uint(unsigned) { return unexpected(); }
  bool Int64(int64_t) { return unexpected(); }
  bool Uint64(uint64_t) { return unexpected(); }
  bool Double(double) { return unexpected(); }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    Json json;
    json.type = Json::Type::kString;
    json.text.assign(text, length);
    return value(std::move(json));
  }
  bool StartObject() { return open(Json::Type::kObject); }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    Json* object = stack_.back();
    std::string name(text, length);
    for (const auto& member : object->members) {
      if (member.first == name) {
        failure = "duplicate key " + domain::quote_input(name);
        return false;
      }
    }
    object->members.emplace_back(std::move(name), Json{});
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    stack_.pop_back();
    return true;
  }
  bool StartArray() { return open(Json::Type::kArray); }
  bool EndArray(rapidjson::SizeType) {
    stack_.pop_back();
    return true;
  }

 private:
  bool unexpected() {
    failure = "internal: typed number callback";
    return false;
  }
  // Places a value where the parser is: the root, the next array item, or the last key's.
  Json* place(Json json) {
    if (stack_.empty()) {
      root = std::move(json);
      return &root;
    }
    Json* parent = stack_.back();
    if (parent->type == Json::Type::kArray) {
      parent->items.push_back(std::move(json));
      return &parent->items.back();
    }
    parent->members.back().second = std::move(json);
    return &parent->members.back().second;
  }
  bool value(Json json) {
    place(std::move(json));
    return true;
  }
  bool open(Json::Type type) {
    if (stack_.size() >= limits::kJsonDepthMax) {
      failure = "JSON nested deeper than " + std::to_string(limits::kJsonDepthMax);
      return false;
    }
    Json json;
    json.type = type;
    stack_.push_back(place(std::move(json)));
    return true;
  }
  // Pointers stay valid: a container is only appended to while it is the top of the stack,
  // and a parent's vector never grows while a child of it is open.
  std::vector<Json*> stack_;
};

}  // namespace

const Json* Json::find(std::string_view key) const {
  for (const auto& member : members) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

std::string_view json_type_name(Json::Type type) {
  switch (type) {
    case Json::Type::kNull: return "null";
    case Json::Type::kBool: return "boolean";
    case Json::Type::kNumber: return "number";
    case Json::Type::kString: return "string";
    case Json::Type::kArray: return "array";
    case Json::Type::kObject: return "object";
  }
  return "?";
}

Result<Json> parse_json(std::string_view text) {
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag |
      rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseStopWhenDoneFlag;
  TreeBuilder builder;
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(stream);
  rapidjson::ParseResult parsed = reader.Parse<kFlags>(input, builder);
  if (!parsed) {
    std::string reason = builder.failure.empty()
                             ? std::string(rapidjson::GetParseError_En(parsed.Code()))
                             : builder.failure;
    return make_error(Code::kValidation, "malformed JSON at offset " +
                                             std::to_string(parsed.Offset()) + ": " + reason);
  }
  // Only whitespace may follow the value.
  for (std::size_t i = input.Tell(); i < text.size(); ++i) {
    char c = text[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
      return make_error(Code::kValidation,
                        "malformed JSON at offset " + std::to_string(i) + ": trailing data");
  }
  return std::move(builder.root);
}

struct JsonWriter::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

JsonWriter::JsonWriter() : impl_(new Impl) {}
JsonWriter::~JsonWriter() {
  delete impl_;
}
void JsonWriter::begin_object() {
  impl_->writer.StartObject();
}
void JsonWriter::end_object() {
  impl_->writer.EndObject();
}
void JsonWriter::begin_array() {
  impl_->writer.StartArray();
}
void JsonWriter::end_array() {
  impl_->writer.EndArray();
}
void JsonWriter::key(std::string_view key) {
  impl_->writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()), true);
}
void JsonWriter::string(std::string_view value) {
  impl_->writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()), true);
}
void JsonWriter::number_text(std::string_view digits) {
  impl_->writer.RawValue(digits.data(), digits.size(), rapidjson::kNumberType);
}
void JsonWriter::u64(std::uint64_t value) {
  impl_->writer.Uint64(value);
}
void JsonWriter::i64(std::int64_t value) {
  impl_->writer.Int64(value);
}
void JsonWriter::boolean(bool value) {
  impl_->writer.Bool(value);
}
void JsonWriter::null() {
  impl_->writer.Null();
}
std::string JsonWriter::take() {
  std::string text(impl_->buffer.GetString(), impl_->buffer.GetSize());
  impl_->buffer.Clear();
  impl_->writer.Reset(impl_->buffer);
  return text;
}

}  // namespace tally::json
