#include "native/tally/json_tree.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace tally::cli {

void write_json(json::JsonWriter& out, const json::Json& json, KeyOrder order) {
  using Type = json::Json::Type;
  switch (json.type) {
    case Type::kNull: out.null(); return;
    case Type::kBool: out.boolean(json.boolean); return;
    case Type::kNumber: out.number_text(json.text); return;
    case Type::kString: out.string(json.text); return;
    case Type::kArray:
      out.begin_array();
      for (const auto& item : json.items)
        write_json(out, item, order);
      out.end_array();
      return;
    case Type::kObject: {
      std::vector<const std::pair<std::string, json::Json>*> members;
      for (const auto& member : json.members)
        members.push_back(&member);
      if (order == KeyOrder::kSorted) {
        std::sort(members.begin(), members.end(),
                  [](const auto* a, const auto* b) { return a->first < b->first; });
      }
      out.begin_object();
      for (const auto* member : members) {
        out.key(member->first);
        write_json(out, member->second, order);
      }
      out.end_object();
      return;
    }
  }
}

std::string json_text(const json::Json& json, KeyOrder order) {
  json::JsonWriter out;
  write_json(out, json, order);
  return out.take();
}

json::Json json_string(std::string text) {
  json::Json json;
  json.type = json::Json::Type::kString;
  json.text = std::move(text);
  return json;
}

}  // namespace tally::cli
