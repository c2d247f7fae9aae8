// Filters of the list and count reads (the Go ledger's v2 query language): leaves
// {"$match" | "$like" | "$in" | "$exists" | "$lt" | "$lte" | "$gt" | "$gte": {field: value}}
// combined with {"$and": [...]}, {"$or": [...]} and {"$not": {...}}. The adapter parses the
// JSON into a Filter; each resource (resources.hpp) says which fields it has, of which type,
// and answers the leaves for one item. Evaluation is pure: the same filter on the same item
// gives the same answer on every node.
//
// Address leaves follow the segment-pattern rule: a pattern with an empty segment, or ending
// in "...", matches by segment ("users:" is every two-segment address whose first segment is
// users; ":bob" every two-segment address ending in bob; "users:..." users and everything
// under it); any other pattern matches the address exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/amount.hpp"
#include "core/result.hpp"

namespace tally::query {

// A leaf's value as the client wrote it.
struct FilterValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;                // kNumber: the digits as written; kString: the string
  std::vector<FilterValue> items;  // kArray
};

struct Filter {
  enum class Op { kMatch, kLike, kIn, kExists, kLt, kLte, kGt, kGte, kAnd, kOr, kNot };
  Op op = Op::kAnd;
  std::string field;                 // leaves: "address", "metadata", "balance", ...
  std::optional<std::string> index;  // "metadata[key]" -> key, "balance[USD/2]" -> USD/2
  FilterValue value;                 // leaves
  std::vector<Filter> children;      // kAnd, kOr: any number; kNot: one

  bool is_leaf() const { return op != Op::kAnd && op != Op::kOr && op != Op::kNot; }
};

// "$match" -> kMatch, ...; none for an unknown operator.
std::optional<Filter::Op> filter_op(std::string_view name);
std::string_view filter_op_name(Filter::Op op);
// Splits "metadata[key]" into field and index (kValidation for a malformed one).
Status split_field(std::string_view access, std::string& field, std::optional<std::string>& index);

// The kinds of field a resource has (the Go ledger's query schemas).
enum class FieldType {
  kString,       // $match $like $in; a string value ($in: an array of strings)
  kAddress,      // a string field matched by the segment-pattern rule
  kDate,         // $match $lt $lte $gt $gte; an RFC 3339 timestamp
  kNumeric,      // $match $lt $lte $gt $gte; an integer
  kBoolean,      // $match; true or false
  kStringMap,    // metadata: field[key] like kString; $match and $exists on the field itself
  kNumericMap,   // balance: field[asset] like kNumeric, the field itself on any asset
  kUnsupported,  // a field of the Go ledger's schema that Tally does not keep (kValidation)
};

struct FieldSpec {
  std::string_view name;
  FieldType type;
};
using Schema = std::vector<FieldSpec>;

// kValidation naming the problem: an unknown field, an operator the field's type refuses, a
// value of the wrong type, an empty $not.
Status validate_filter(const Filter& filter, const Schema& schema);

// Evaluates filter with leaf answering each leaf for the item at hand.
using LeafTest = std::function<bool(const Filter& leaf)>;
bool evaluate(const Filter& filter, const LeafTest& leaf);

// The primitives leaves are made of.
bool address_matches(std::string_view pattern, std::string_view address);
bool like_matches(std::string_view pattern, std::string_view text);  // SQL LIKE: % and _
// A leaf of a string or address field against one value.
bool string_leaf(const Filter& leaf, std::string_view value, bool is_address);
// A comparison leaf against a number (balances may be negative); the value parsed as given.
bool amount_leaf(const Filter& leaf, const domain::SignedAmount& value);
bool integer_leaf(const Filter& leaf, std::uint64_t value);
bool date_leaf(const Filter& leaf, std::uint64_t value_us);

}  // namespace tally::query
