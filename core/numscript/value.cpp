#include "core/numscript/value.hpp"

#include <array>

#include "core/domain/validation.hpp"
#include "core/overloaded.hpp"

namespace tally::numscript {

namespace {

constexpr std::array<std::string_view, 6> kTypeNames{"monetary", "account", "number",
                                                     "string",   "portion", "asset"};

Error invalid_variable(std::string_view variable, std::string_view type, std::string_view text,
                       std::string_view why) {
  return make_error(Code::kCompilationFailed,
                    "variable $" + std::string(variable) + " of type " + std::string(type) + ": " +
                        domain::quote_input(text) + " " + std::string(why));
}

}  // namespace

std::optional<Type> type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<Type>(i);
  }
  return std::nullopt;
}

std::string_view type_name(Type type) {
  return kTypeNames[static_cast<std::size_t>(type)];
}

std::string value_text(const Value& value) {
  return std::visit(Overloaded{
                        [](const Monetary& m) { return m.asset + " " + m.amount.to_decimal(); },
                        [](const AccountName& a) { return a.name; },
                        [](const Integer& n) { return n.to_decimal(); },
                        [](const Text& t) { return t.text; },
                        [](const Portion& p) { return p.to_string(); },
                        [](const AssetName& a) { return a.name; },
                    },
                    value);
}

Status check_account_name(std::string_view name) {
  Status valid = domain::validate_account(name);
  if (valid.ok()) return valid;
  return make_error(Code::kCompilationFailed, valid.error().message);
}

Status check_asset_name(std::string_view name) {
  Status valid = domain::validate_asset(name);
  if (valid.ok()) return valid;
  return make_error(Code::kCompilationFailed, valid.error().message);
}

Result<Value> parse_value(Type type, std::string_view text, std::string_view variable) {
  std::string_view name = type_name(type);
  switch (type) {
    case Type::kMonetary: {
      std::size_t space = text.find(' ');
      if (space == std::string_view::npos || text.find(' ', space + 1) != std::string_view::npos) {
        return invalid_variable(variable, name, text, "is not \"ASSET AMOUNT\"");
      }
      std::string_view asset = text.substr(0, space);
      if (!check_asset_name(asset).ok()) {
        return invalid_variable(variable, name, text, "names an invalid asset");
      }
      auto amount = Integer::parse(text.substr(space + 1));
      if (!amount) return invalid_variable(variable, name, text, "has an invalid amount");
      return Value(Monetary{std::string(asset), *amount});
    }
    case Type::kAccount:
      if (!check_account_name(text).ok()) {
        return invalid_variable(variable, name, text, "is not a valid account name");
      }
      return Value(AccountName{std::string(text)});
    case Type::kNumber: {
      auto number = Integer::parse(text);
      if (!number) {
        return invalid_variable(variable, name, text,
                                "is not an integer of at most " +
                                    std::to_string(limits::kScriptIntegerBitsMax) + " bits");
      }
      return Value(*number);
    }
    case Type::kString: return Value(Text{std::string(text)});
    case Type::kPortion: {
      auto portion = Portion::parse_value(text);
      if (!portion) return invalid_variable(variable, name, text, "is not a portion in [0, 1]");
      return Value(*portion);
    }
    case Type::kAsset:
      if (!check_asset_name(text).ok()) {
        return invalid_variable(variable, name, text, "is not a valid asset");
      }
      return Value(AssetName{std::string(text)});
  }
  return invalid_variable(variable, name, text, "has an unknown type");
}

}  // namespace tally::numscript
