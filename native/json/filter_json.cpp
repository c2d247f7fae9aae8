#include "native/json/filter_json.hpp"
#include "native/limits.hpp"

namespace tally::json {
namespace {

using query::Filter;
using query::FilterValue;

Error invalid(const std::string& why) {
  return make_error(Code::kValidation, "query: " + why);
}

Result<FilterValue> value_of(const Json& json, std::size_t depth) {
  FilterValue out;
  switch (json.type) {
    case Json::Type::kNull: out.type = FilterValue::Type::kNull; break;
    case Json::Type::kBool:
      out.type = FilterValue::Type::kBool;
      out.boolean = json.boolean;
      break;
    case Json::Type::kNumber:
      out.type = FilterValue::Type::kNumber;
      out.text = json.text;
      break;
    case Json::Type::kString:
      out.type = FilterValue::Type::kString;
      out.text = json.text;
      break;
    case Json::Type::kArray:
      if (depth > 1) return invalid("nested arrays");
      out.type = FilterValue::Type::kArray;
      for (const Json& item : json.items) {
        auto value = value_of(item, depth + 1);
        if (!value.ok()) return std::move(value).error();
        out.items.push_back(std::move(value).value());
      }
      break;
    case Json::Type::kObject: return invalid("a value cannot be an object");
  }
  return out;
}

Result<Filter> parse_node(const Json& json, std::size_t depth) {
  if (depth > limits::kFilterDepthMax)
    return invalid("nested deeper than " + std::to_string(limits::kFilterDepthMax));
  if (!json.is_object() || json.members.size() != 1) {
    return invalid("expected an object with one operator");
  }
  const auto& [name, operand] = json.members.front();
  auto op = query::filter_op(name);
  if (!op) return invalid("unknown operator " + name);
  Filter filter;
  filter.op = *op;
  if (*op == Filter::Op::kAnd || *op == Filter::Op::kOr) {
    if (operand.type != Json::Type::kArray) return invalid(name + " takes an array");
    for (const Json& item : operand.items) {
      auto child = parse_node(item, depth + 1);
      if (!child.ok()) return std::move(child).error();
      filter.children.push_back(std::move(child).value());
    }
    return filter;
  }
  if (*op == Filter::Op::kNot) {
    auto child = parse_node(operand, depth + 1);
    if (!child.ok()) return std::move(child).error();
    filter.children.push_back(std::move(child).value());
    return filter;
  }
  if (!operand.is_object() || operand.members.size() != 1) {
    return invalid(name + " takes an object with one field");
  }
  const auto& [access, value] = operand.members.front();
  TALLY_TRY(query::split_field(access, filter.field, filter.index));
  auto parsed = value_of(value, 1);
  if (!parsed.ok()) return std::move(parsed).error();
  filter.value = std::move(parsed).value();
  return filter;
}

}  // namespace

Result<std::optional<query::Filter>> parse_filter(const Json& json) {
  using Found = std::optional<query::Filter>;
  if (json.type == Json::Type::kNull) return Found();
  if (json.is_object() && json.members.empty()) return Found();
  auto filter = parse_node(json, 0);
  if (!filter.ok()) return std::move(filter).error();
  return Found(std::move(filter).value());
}

Result<std::optional<query::Filter>> parse_filter_text(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::optional<query::Filter>();
  }
  auto json = parse_json(text);
  if (!json.ok()) return invalid(json.error().message);
  return parse_filter(*json);
}

}  // namespace tally::json
