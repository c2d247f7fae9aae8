#include "core/query/filter.hpp"

#include <array>

#include "core/domain/timestamp.hpp"

namespace tally::query {

namespace {

using Op = Filter::Op;
using Type = FilterValue::Type;

constexpr std::array<std::pair<std::string_view, Op>, 11> kOps = {{
    {"$match", Op::kMatch},
    {"$like", Op::kLike},
    {"$in", Op::kIn},
    {"$exists", Op::kExists},
    {"$lt", Op::kLt},
    {"$lte", Op::kLte},
    {"$gt", Op::kGt},
    {"$gte", Op::kGte},
    {"$and", Op::kAnd},
    {"$or", Op::kOr},
    {"$not", Op::kNot},
}};

bool is_comparison(Op op) {
  return op == Op::kLt || op == Op::kLte || op == Op::kGt || op == Op::kGte;
}

Error invalid(const Filter& leaf, const std::string& why) {
  std::string field = leaf.field + (leaf.index ? "[" + *leaf.index + "]" : "");
  return make_error(Code::kValidation,
                    "filter " + std::string(filter_op_name(leaf.op)) + " on " + field + ": " + why);
}

// A signed integer as written: an optional '-' then digits.
Result<domain::SignedAmount> signed_of(const FilterValue& value) {
  if (value.type != Type::kNumber) return make_error(Code::kValidation, "expected an integer");
  std::string_view digits = value.text;
  domain::SignedAmount out;
  if (!digits.empty() && digits.front() == '-') {
    out.negative = true;
    digits.remove_prefix(1);
  }
  auto magnitude = domain::Amount::parse_decimal(digits);
  if (!magnitude.ok()) return make_error(Code::kValidation, "expected an integer");
  out.magnitude = magnitude.value();
  if (out.magnitude.is_zero()) out.negative = false;
  return out;
}

int compare(const domain::SignedAmount& a, const domain::SignedAmount& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  auto order = a.magnitude <=> b.magnitude;
  int magnitude = order < 0 ? -1 : (order > 0 ? 1 : 0);
  return a.negative ? -magnitude : magnitude;
}

bool holds(Op op, int comparison) {
  switch (op) {
    case Op::kMatch: return comparison == 0;
    case Op::kLt: return comparison < 0;
    case Op::kLte: return comparison <= 0;
    case Op::kGt: return comparison > 0;
    case Op::kGte: return comparison >= 0;
    default: return false;
  }
}

Status validate_value(const Filter& leaf, FieldType type) {
  const FilterValue& v = leaf.value;
  switch (type) {
    case FieldType::kString:
    case FieldType::kAddress:
      if (leaf.op == Op::kIn) {
        if (v.type != Type::kArray) return invalid(leaf, "expected an array of strings");
        for (const FilterValue& item : v.items) {
          if (item.type != Type::kString) return invalid(leaf, "expected an array of strings");
        }
        return ok_status();
      }
      if (v.type != Type::kString) return invalid(leaf, "expected a string");
      return ok_status();
    case FieldType::kDate:
      if (v.type != Type::kString) return invalid(leaf, "expected an RFC 3339 timestamp");
      if (!domain::parse_rfc3339(v.text).ok()) return invalid(leaf, "invalid date " + v.text);
      return ok_status();
    case FieldType::kNumeric:
      if (!signed_of(v).ok()) return invalid(leaf, "expected an integer");
      return ok_status();
    case FieldType::kBoolean:
      if (v.type != Type::kBool) return invalid(leaf, "expected true or false");
      return ok_status();
    default: return invalid(leaf, "unsupported");
  }
}

bool allows(FieldType type, Op op) {
  switch (type) {
    case FieldType::kString:
    case FieldType::kAddress: return op == Op::kMatch || op == Op::kLike || op == Op::kIn;
    case FieldType::kDate:
    case FieldType::kNumeric: return op == Op::kMatch || is_comparison(op);
    case FieldType::kBoolean: return op == Op::kMatch;
    default: return false;
  }
}

Status validate_leaf(const Filter& leaf, const Schema& schema) {
  const FieldSpec* spec = nullptr;
  for (const FieldSpec& candidate : schema) {
    if (candidate.name == leaf.field) spec = &candidate;
  }
  if (spec == nullptr) return invalid(leaf, "unknown field");
  if (spec->type == FieldType::kUnsupported) {
    return invalid(leaf, "Tally does not keep this field (docs/api.md)");
  }
  const bool map = spec->type == FieldType::kStringMap || spec->type == FieldType::kNumericMap;
  if (leaf.index && !map) return invalid(leaf, "the field takes no [index]");
  if (map && !leaf.index) {
    // The map itself: metadata {"$exists": {"metadata": "key"}}, balance compared on any asset.
    if (spec->type == FieldType::kStringMap) {
      if (leaf.op != Op::kExists && leaf.op != Op::kMatch) return invalid(leaf, "unsupported");
      if (leaf.value.type != Type::kString) return invalid(leaf, "expected a key");
      return ok_status();
    }
    if (!allows(FieldType::kNumeric, leaf.op)) return invalid(leaf, "unsupported operator");
    return validate_value(leaf, FieldType::kNumeric);
  }
  FieldType type = spec->type == FieldType::kStringMap    ? FieldType::kString
                   : spec->type == FieldType::kNumericMap ? FieldType::kNumeric
                                                          : spec->type;
  if (!allows(type, leaf.op)) return invalid(leaf, "unsupported operator");
  return validate_value(leaf, type);
}

}  // namespace

std::optional<Filter::Op> filter_op(std::string_view name) {
  for (const auto& [text, op] : kOps) {
    if (text == name) return op;
  }
  return std::nullopt;
}

std::string_view filter_op_name(Filter::Op op) {
  for (const auto& [text, candidate] : kOps) {
    if (candidate == op) return text;
  }
  return "?";
}

Status split_field(std::string_view access, std::string& field, std::optional<std::string>& index) {
  const std::size_t open = access.find('[');
  if (open == std::string_view::npos) {
    field = std::string(access);
    index.reset();
    return field.empty() ? make_error(Code::kValidation, "an empty field name") : ok_status();
  }
  if (open == 0 || access.back() != ']' || access.size() < open + 3) {
    return make_error(Code::kValidation,
                      "malformed field \"" + std::string(access.substr(0, 128)) + "\"");
  }
  field = std::string(access.substr(0, open));
  index = std::string(access.substr(open + 1, access.size() - open - 2));
  return ok_status();
}

Status validate_filter(const Filter& filter, const Schema& schema) {
  if (filter.is_leaf()) return validate_leaf(filter, schema);
  if (filter.op == Op::kNot && filter.children.size() != 1) {
    return make_error(Code::kValidation, "$not takes one filter");
  }
  for (const Filter& child : filter.children)
    TALLY_TRY(validate_filter(child, schema));
  return ok_status();
}

bool evaluate(const Filter& filter, const LeafTest& leaf) {
  switch (filter.op) {
    case Op::kAnd:
      for (const Filter& child : filter.children) {
        if (!evaluate(child, leaf)) return false;
      }
      return true;
    case Op::kOr:
      for (const Filter& child : filter.children) {
        if (evaluate(child, leaf)) return true;
      }
      return false;
    case Op::kNot: return !evaluate(filter.children.front(), leaf);
    default: return leaf(filter);
  }
}

bool address_matches(std::string_view pattern, std::string_view address) {
  std::vector<std::string_view> segments;
  std::size_t at = 0;
  for (;;) {
    std::size_t colon = pattern.find(':', at);
    segments.push_back(pattern.substr(at, colon == std::string_view::npos ? colon : colon - at));
    if (colon == std::string_view::npos) break;
    at = colon + 1;
  }
  bool partial = segments.back() == "...";
  for (std::string_view segment : segments)
    partial = partial || segment.empty();
  if (!partial) return pattern == address;
  const bool open_ended = segments.back() == "...";
  if (open_ended) segments.pop_back();
  std::size_t index = 0;
  at = 0;
  for (;;) {
    std::size_t colon = address.find(':', at);
    std::string_view part =
        address.substr(at, colon == std::string_view::npos ? colon : colon - at);
    if (index < segments.size() && !segments[index].empty() && segments[index] != part) {
      return false;
    }
    ++index;
    if (colon == std::string_view::npos) break;
    at = colon + 1;
  }
  if (open_ended) return index >= segments.size();
  return index == segments.size();
}

bool like_matches(std::string_view pattern, std::string_view text) {
  // Iterative wildcard matching with one backtrack point: linear in practice, never recursive.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '_' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%')
    ++p;
  return p == pattern.size();
}

bool string_leaf(const Filter& leaf, std::string_view value, bool is_address) {
  if (leaf.op == Op::kIn) {
    for (const FilterValue& item : leaf.value.items) {
      if (item.text == value) return true;
    }
    return false;
  }
  // Addresses follow the segment rule whatever the operator (as the Go ledger does).
  if (is_address) return address_matches(leaf.value.text, value);
  if (leaf.op == Op::kLike) return like_matches(leaf.value.text, value);
  return leaf.value.text == value;
}

bool amount_leaf(const Filter& leaf, const domain::SignedAmount& value) {
  auto bound = signed_of(leaf.value);
  return bound.ok() && holds(leaf.op, compare(value, bound.value()));
}

bool integer_leaf(const Filter& leaf, std::uint64_t value) {
  return amount_leaf(leaf, domain::SignedAmount{false, domain::Amount(value)});
}

bool date_leaf(const Filter& leaf, std::uint64_t value_us) {
  auto bound = domain::parse_rfc3339(leaf.value.text);
  if (!bound.ok()) return false;
  int comparison = value_us < bound.value() ? -1 : (value_us > bound.value() ? 1 : 0);
  return holds(leaf.op, comparison);
}

}  // namespace tally::query
