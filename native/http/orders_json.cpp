#include "native/http/orders_json.hpp"

#include <charconv>
#include <cstdio>

#include "core/limits.hpp"

namespace tally::http {
namespace {

using Type = Json::Type;

Error wrong_type(const std::string& field, std::string_view expected, const Json& value) {
  return field_error(field, "expected " + std::string(expected) + ", got " +
                                std::string(json_type_name(value.type)));
}

Result<std::string> get_string(const Json& object, std::string_view key, const std::string& field) {
  const Json* value = object.find(key);
  if (value == nullptr) return field_error(field, "missing");
  if (value->type != Type::kString) return wrong_type(field, "a string", *value);
  return value->text;
}

Result<bool> get_bool(const Json& object, std::string_view key, const std::string& field) {
  const Json* value = object.find(key);
  if (value == nullptr || value->type == Type::kNull) return false;
  if (value->type != Type::kBool) return wrong_type(field, "a boolean", *value);
  return value->boolean;
}

// Refuses members the shape does not name: a typo must not pass silently.
Status only_keys(const Json& object, std::initializer_list<std::string_view> allowed,
                 const std::string& field) {
  for (const auto& member : object.members) {
    bool known = false;
    for (std::string_view key : allowed)
      known = known || member.first == key;
    if (!known)
      return field_error(field.empty() ? member.first : field + "." + member.first,
                         "unknown field");
  }
  return ok_status();
}

std::string join(const std::string& field, std::string_view key) {
  return field.empty() ? std::string(key) : field + "." + std::string(key);
}

Result<domain::Posting> parse_posting(const Json& value, const std::string& field) {
  if (!value.is_object()) return wrong_type(field, "an object", value);
  TALLY_TRY(only_keys(value, {"source", "destination", "amount", "asset"}, field));
  domain::Posting posting;
  auto source = get_string(value, "source", field + ".source");
  if (!source.ok()) return std::move(source).error();
  auto destination = get_string(value, "destination", field + ".destination");
  if (!destination.ok()) return std::move(destination).error();
  auto asset = get_string(value, "asset", field + ".asset");
  if (!asset.ok()) return std::move(asset).error();
  const Json* amount_value = value.find("amount");
  if (amount_value == nullptr) return field_error(field + ".amount", "missing");
  auto amount = parse_amount(*amount_value, field + ".amount");
  if (!amount.ok()) return std::move(amount).error();
  posting.source = std::move(source).value();
  posting.destination = std::move(destination).value();
  posting.asset = std::move(asset).value();
  posting.amount = amount.value();
  return posting;
}

// Adds the field name to a core validation error.
Status with_field(Status status, const std::string& field) {
  if (status.ok()) return status;
  return field_error(field, status.error().message);
}

Result<std::uint64_t> parse_target_id(const Json& value, const std::string& field) {
  if (value.type != Type::kNumber && value.type != Type::kString)
    return wrong_type(field, "a transaction id", value);
  return parse_id(value.text, field);
}

Result<domain::Order> parse_metadata_action(const Json& data, const std::string& ledger,
                                            const std::string& field, bool add) {
  if (!data.is_object()) return wrong_type(field, "an object", data);
  TALLY_TRY(only_keys(data, {"targetType", "targetId", add ? "metadata" : "key"}, field));
  auto target_type = get_string(data, "targetType", field + ".targetType");
  if (!target_type.ok()) return std::move(target_type).error();
  const Json* target = data.find("targetId");
  if (target == nullptr) return field_error(field + ".targetId", "missing");
  domain::Metadata metadata;
  std::string key;
  if (add) {
    const Json* value = data.find("metadata");
    if (value == nullptr) return field_error(field + ".metadata", "missing");
    auto parsed = parse_metadata(*value, field + ".metadata");
    if (!parsed.ok()) return std::move(parsed).error();
    metadata = std::move(parsed).value();
  } else {
    auto parsed = get_string(data, "key", field + ".key");
    if (!parsed.ok()) return std::move(parsed).error();
    key = std::move(parsed).value();
  }
  if (target_type.value() == "ACCOUNT") {
    if (target->type != Type::kString) return wrong_type(field + ".targetId", "a string", *target);
    if (add) return domain::Order{domain::SetAccountMetadata{ledger, target->text, metadata}};
    return domain::Order{domain::DeleteAccountMetadata{ledger, target->text, key}};
  }
  if (target_type.value() == "TRANSACTION") {
    auto id = parse_target_id(*target, field + ".targetId");
    if (!id.ok()) return std::move(id).error();
    if (add) return domain::Order{domain::SetTransactionMetadata{ledger, id.value(), metadata}};
    return domain::Order{domain::DeleteTransactionMetadata{ledger, id.value(), key}};
  }
  return field_error(field + ".targetType", "expected ACCOUNT or TRANSACTION");
}

Result<domain::Order> parse_revert_action(const Json& data, const std::string& ledger,
                                          const std::string& field) {
  if (!data.is_object()) return wrong_type(field, "an object", data);
  TALLY_TRY(only_keys(data, {"id", "force", "atEffectiveDate"}, field));
  const Json* id_value = data.find("id");
  if (id_value == nullptr) return field_error(field + ".id", "missing");
  auto id = parse_target_id(*id_value, field + ".id");
  if (!id.ok()) return std::move(id).error();
  auto force = get_bool(data, "force", field + ".force");
  if (!force.ok()) return std::move(force).error();
  auto at_effective_date = get_bool(data, "atEffectiveDate", field + ".atEffectiveDate");
  if (!at_effective_date.ok()) return std::move(at_effective_date).error();
  return domain::Order{
      domain::RevertTransaction{ledger, id.value(), force.value(), at_effective_date.value()}};
}

Result<BulkElement> parse_bulk_element(const Json& element, const std::string& ledger,
                                       const std::string& field) {
  if (!element.is_object()) return wrong_type(field, "an object", element);
  TALLY_TRY(only_keys(element, {"action", "data", "ik"}, field));
  auto action = get_string(element, "action", field + ".action");
  if (!action.ok()) return std::move(action).error();
  const Json* data = element.find("data");
  if (data == nullptr) return field_error(field + ".data", "missing");
  BulkElement out;
  if (const Json* ik = element.find("ik"); ik != nullptr) {
    if (ik->type != Type::kString) return wrong_type(field + ".ik", "a string", *ik);
    out.idempotency_key = ik->text;
  }
  const std::string data_field = field + ".data";
  Result<domain::Order> order = field_error(field + ".action", "unknown action " + action.value());
  if (action.value() == "CREATE_TRANSACTION") {
    auto transaction = parse_transaction(*data, ledger, data_field);
    if (!transaction.ok()) return std::move(transaction).error();
    order = domain::Order{std::move(transaction).value()};
  } else if (action.value() == "ADD_METADATA") {
    order = parse_metadata_action(*data, ledger, data_field, true);
  } else if (action.value() == "DELETE_METADATA") {
    order = parse_metadata_action(*data, ledger, data_field, false);
  } else if (action.value() == "REVERT_TRANSACTION") {
    order = parse_revert_action(*data, ledger, data_field);
  }
  if (!order.ok()) return std::move(order).error();
  out.order = std::move(order).value();
  return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

Error field_error(const std::string& field, const std::string& message) {
  return make_error(Code::kValidation, field + ": " + message);
}

Result<domain::Amount> parse_amount(const Json& value, const std::string& field) {
  if (value.type != Type::kNumber && value.type != Type::kString)
    return wrong_type(field, "an integer or a decimal string", value);
  const std::string& text = value.text;
  if (text.find_first_of(".eE") != std::string::npos)
    return field_error(field, "amounts are integers, got " + text);
  if (!text.empty() && text[0] == '-') return field_error(field, "negative amount " + text);
  auto amount = domain::Amount::parse_decimal(text);
  if (!amount.ok()) return field_error(field, amount.error().message);
  return amount;
}

Result<domain::Metadata> parse_metadata(const Json& value, const std::string& field) {
  if (!value.is_object()) return wrong_type(field, "an object", value);
  domain::Metadata metadata;
  for (const auto& [key, item] : value.members) {
    const std::string item_field = field + "." + key;
    switch (item.type) {
      case Type::kNull: metadata[key] = domain::MetadataNull{}; break;
      case Type::kBool: metadata[key] = item.boolean; break;
      case Type::kString: metadata[key] = item.text; break;
      case Type::kNumber: {
        std::int64_t number = 0;
        const char* end = item.text.data() + item.text.size();
        auto [ptr, error] = std::from_chars(item.text.data(), end, number);
        if (error != std::errc() || ptr != end)
          return field_error(item_field, "metadata numbers are 64-bit integers, got " + item.text);
        metadata[key] = number;
        break;
      }
      default: return wrong_type(item_field, "a string, an integer, a boolean or null", item);
    }
  }
  TALLY_TRY(with_field(domain::validate_metadata(metadata), field));
  return metadata;
}

Result<std::uint64_t> parse_timestamp(const Json& value, const std::string& field) {
  if (value.type == Type::kNumber) return parse_id(value.text, field);
  if (value.type != Type::kString) return wrong_type(field, "an RFC 3339 timestamp", value);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  const std::string& text = value.text;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6 ||
      consumed != 19 || year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 ||
      hour > 23 || minute > 59 || second > 59)
    return field_error(field, "expected an RFC 3339 UTC timestamp, got " + text);
  std::size_t at = 19;
  std::uint64_t micros = 0;
  if (at < text.size() && text[at] == '.') {
    std::size_t digits = 0;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits) {
      if (digits < 6) micros = micros * 10 + static_cast<std::uint64_t>(text[at] - '0');
    }
    if (digits == 0) return field_error(field, "empty fraction in " + text);
    for (; digits < 6; ++digits)
      micros *= 10;
  }
  if (at + 1 != text.size() || text[at] != 'Z')
    return field_error(field, "expected a UTC timestamp ending in Z, got " + text);
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  return static_cast<std::uint64_t>(seconds) * 1000000 + micros;
}

std::string format_timestamp(std::uint64_t timestamp_us) {
  const std::int64_t seconds = static_cast<std::int64_t>(timestamp_us / 1000000);
  const unsigned micros = static_cast<unsigned>(timestamp_us % 1000000);
  std::int64_t z = seconds / 86400 + 719468;
  const std::int64_t secs = seconds % 86400;
  const std::int64_t era = z / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char out[96];
  std::snprintf(out, sizeof out, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06uZ",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60), micros);
  return out;
}

Result<domain::CreateTransaction> parse_transaction(const Json& body, const std::string& ledger,
                                                    const std::string& field) {
  if (!body.is_object()) return wrong_type(field.empty() ? "body" : field, "an object", body);
  TALLY_TRY(only_keys(body, {"postings", "reference", "metadata", "timestamp", "force"}, field));
  domain::CreateTransaction transaction;
  transaction.ledger = ledger;
  const std::string postings_field = join(field, "postings");
  const Json* postings = body.find("postings");
  if (postings == nullptr) return field_error(postings_field, "missing");
  if (postings->type != Type::kArray) return wrong_type(postings_field, "an array", *postings);
  if (postings->items.empty()) return field_error(postings_field, "at least one posting");
  if (postings->items.size() > limits::kPostingsPerTransactionMax)
    return field_error(
        postings_field,
        "at most " + std::to_string(limits::kPostingsPerTransactionMax) + " postings");
  for (std::size_t i = 0; i < postings->items.size(); ++i) {
    const std::string posting_field = postings_field + "[" + std::to_string(i) + "]";
    auto posting = parse_posting(postings->items[i], posting_field);
    if (!posting.ok()) return std::move(posting).error();
    TALLY_TRY(with_field(domain::validate_postings({posting.value()}), posting_field));
    transaction.postings.push_back(std::move(posting).value());
  }
  if (const Json* reference = body.find("reference");
      reference != nullptr && reference->type != Type::kNull) {
    if (reference->type != Type::kString)
      return wrong_type(join(field, "reference"), "a string", *reference);
    transaction.reference = reference->text;
  }
  if (const Json* metadata = body.find("metadata");
      metadata != nullptr && metadata->type != Type::kNull) {
    auto parsed = parse_metadata(*metadata, join(field, "metadata"));
    if (!parsed.ok()) return std::move(parsed).error();
    transaction.metadata = std::move(parsed).value();
  }
  if (const Json* timestamp = body.find("timestamp");
      timestamp != nullptr && timestamp->type != Type::kNull) {
    auto parsed = parse_timestamp(*timestamp, join(field, "timestamp"));
    if (!parsed.ok()) return std::move(parsed).error();
    transaction.timestamp_us = parsed.value();
  }
  auto force = get_bool(body, "force", join(field, "force"));
  if (!force.ok()) return std::move(force).error();
  transaction.force = force.value();
  return transaction;
}

Result<std::vector<BulkElement>> parse_bulk(const Json& body, const std::string& ledger) {
  if (body.type != Type::kArray) return wrong_type("body", "an array", body);
  if (body.items.empty()) return field_error("body", "an empty bulk");
  if (body.items.size() > limits::kOrdersPerProposalMax)
    return field_error("body",
                       "at most " + std::to_string(limits::kOrdersPerProposalMax) + " elements");
  std::vector<BulkElement> elements;
  for (std::size_t i = 0; i < body.items.size(); ++i) {
    auto element = parse_bulk_element(body.items[i], ledger, "[" + std::to_string(i) + "]");
    if (!element.ok()) return std::move(element).error();
    elements.push_back(std::move(element).value());
  }
  return elements;
}

Result<std::uint64_t> parse_id(std::string_view text, const std::string& field) {
  std::uint64_t id = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, id);
  if (text.empty() || error != std::errc() || ptr != end)
    return field_error(field,
                       "expected a non-negative integer, got " + std::string(text.substr(0, 64)));
  return id;
}

}  // namespace tally::http
