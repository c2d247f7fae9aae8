// Numscript's types and runtime values, and the parsing of variables passed as strings.
//
// The six types are Formance's: monetary ([ASSET amount]), account, number, string, portion
// and asset. A value is one of them; the variant's index is its Type. Metadata written by a
// script is the value's text form (value_text), as Formance's String() gives it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/numscript/integer.hpp"
#include "core/result.hpp"

namespace tally::numscript {

enum class Type : std::uint8_t { kMonetary, kAccount, kNumber, kString, kPortion, kAsset };

std::optional<Type> type_from_name(std::string_view name);
std::string_view type_name(Type type);

struct Monetary {
  std::string asset;
  Integer amount;
  bool operator==(const Monetary&) const = default;
};
struct AccountName {
  std::string name;
  bool operator==(const AccountName&) const = default;
};
struct AssetName {
  std::string name;
  bool operator==(const AssetName&) const = default;
};
struct Text {
  std::string text;
  bool operator==(const Text&) const = default;
};

// Alternative order matches Type.
using Value = std::variant<Monetary, AccountName, Integer, Text, Portion, AssetName>;
static_assert(std::variant_size_v<Value> == 6);

inline Type type_of(const Value& value) {
  return static_cast<Type>(value.index());
}

// "USD/2 100", "users:001", "42", "abc", "1/3", "COIN".
std::string value_text(const Value& value);

// The variables of one run, by name.
using Bindings = std::map<std::string, Value>;

// Account and asset names as Tally accepts them (docs/design.md §6); errors are kCompilationFailed
// naming the offending text (a script's own literals and its variables alike).
Status check_account_name(std::string_view name);
Status check_asset_name(std::string_view name);

// A value of type from its string form: "USD/2 100" (monetary), "users:001" (account),
// "-12" (number), any text (string), "12.5%" or "1/3" (portion), "USD/2" (asset).
// Errors: kCompilationFailed naming the variable.
Result<Value> parse_value(Type type, std::string_view text, std::string_view variable);

}  // namespace tally::numscript
