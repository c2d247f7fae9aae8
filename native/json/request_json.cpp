#include "native/json/request_json.hpp"

#include <charconv>

#include "core/domain/timestamp.hpp"
#include "core/limits.hpp"
#include "core/numscript/script_request.hpp"

namespace tally::json {
namespace {

using Type = Json::Type;

Error wrong_type(const std::string& field, std::string_view expected, const Json& value) {
  return field_error(field, "expected " + std::string(expected) + ", got " +
                                std::string(json_type_name(value.type)));
}

std::string join(const std::string& field, std::string_view key) {
  return field.empty() ? std::string(key) : field + "." + std::string(key);
}

// A present, non-null member.
const Json* member(const Json& object, std::string_view key) {
  const Json* value = object.find(key);
  return value == nullptr || value->type == Type::kNull ? nullptr : value;
}

Result<std::string> get_string(const Json& object, std::string_view key, const std::string& field) {
  const Json* value = member(object, key);
  if (value == nullptr) return field_error(field, "missing");
  if (value->type != Type::kString) return wrong_type(field, "a string", *value);
  return value->text;
}

Result<bool> get_bool(const Json& object, std::string_view key, const std::string& field) {
  const Json* value = member(object, key);
  if (value == nullptr) return false;
  if (value->type != Type::kBool) return wrong_type(field, "a boolean", *value);
  return value->boolean;
}

// Refuses members the shape does not name.
Status only_keys(const Json& object, std::initializer_list<std::string_view> allowed,
                 const std::string& field) {
  for (const auto& entry : object.members) {
    bool known = false;
    for (std::string_view key : allowed)
      known = known || entry.first == key;
    if (!known) return field_error(join(field, entry.first), "unknown field");
  }
  return ok_status();
}

Status with_field(Status status, const std::string& field) {
  if (status.ok()) return status;
  return field_error(field, status.error().message);
}

Result<domain::Posting> parse_posting(const Json& value, const std::string& field) {
  if (!value.is_object()) return wrong_type(field, "an object", value);
  TALLY_TRY(only_keys(value, {"source", "destination", "amount", "asset"}, field));
  auto source = get_string(value, "source", field + ".source");
  if (!source.ok()) return std::move(source).error();
  auto destination = get_string(value, "destination", field + ".destination");
  if (!destination.ok()) return std::move(destination).error();
  auto asset = get_string(value, "asset", field + ".asset");
  if (!asset.ok()) return std::move(asset).error();
  const Json* amount_value = member(value, "amount");
  if (amount_value == nullptr) return field_error(field + ".amount", "missing");
  auto amount = parse_amount(*amount_value, field + ".amount");
  if (!amount.ok()) return std::move(amount).error();
  return domain::Posting{std::move(source).value(), std::move(destination).value(), amount.value(),
                         std::move(asset).value()};
}

Result<std::vector<domain::Posting>> parse_postings(const Json& postings,
                                                    const std::string& field) {
  if (postings.type != Type::kArray) return wrong_type(field, "an array", postings);
  if (postings.items.size() > limits::kPostingsPerTransactionMax) {
    return field_error(
        field, "at most " + std::to_string(limits::kPostingsPerTransactionMax) + " postings");
  }
  std::vector<domain::Posting> out;
  for (std::size_t i = 0; i < postings.items.size(); ++i) {
    const std::string posting_field = field + "[" + std::to_string(i) + "]";
    auto posting = parse_posting(postings.items[i], posting_field);
    if (!posting.ok()) return std::move(posting).error();
    out.push_back(std::move(posting).value());
  }
  return out;
}

// A variable's value as the script binder reads it (core/numscript/script_request.hpp).
Result<std::string> parse_variable(const Json& var, const std::string& field) {
  if (var.type == Type::kString || var.type == Type::kNumber) return var.text;
  if (var.is_object()) {
    TALLY_TRY(only_keys(var, {"asset", "amount"}, field));
    const Json* asset = member(var, "asset");
    const Json* amount = member(var, "amount");
    if (asset != nullptr && asset->type == Type::kString && amount != nullptr &&
        (amount->type == Type::kNumber || amount->type == Type::kString)) {
      return numscript::monetary_variable(asset->text, amount->text);
    }
  }
  return wrong_type(field, "a string, a number or {\"asset\", \"amount\"}", var);
}

struct ScriptFields {
  std::string plain;
  std::optional<std::string> template_id;
  std::map<std::string, std::string> vars;
};

Result<ScriptFields> parse_script(const Json& value, const std::string& field) {
  if (!value.is_object()) return wrong_type(field, "an object", value);
  TALLY_TRY(only_keys(value, {"plain", "template", "vars"}, field));
  ScriptFields script;
  if (const Json* plain = member(value, "plain")) {
    if (plain->type != Type::kString) return wrong_type(field + ".plain", "a string", *plain);
    script.plain = plain->text;
  }
  if (const Json* id = member(value, "template")) {
    if (id->type != Type::kString) return wrong_type(field + ".template", "a string", *id);
    if (!id->text.empty()) script.template_id = id->text;
  }
  if (const Json* vars = member(value, "vars")) {
    if (!vars->is_object()) return wrong_type(field + ".vars", "an object", *vars);
    for (const auto& [name, var] : vars->members) {
      auto text = parse_variable(var, field + ".vars." + name);
      if (!text.ok()) return std::move(text).error();
      script.vars[name] = std::move(text).value();
    }
  }
  return script;
}

Result<std::map<std::string, domain::Metadata>> parse_account_metadata(const Json& value,
                                                                       const std::string& field) {
  if (!value.is_object()) return wrong_type(field, "an object", value);
  std::map<std::string, domain::Metadata> out;
  for (const auto& [account, metadata] : value.members) {
    auto parsed = parse_metadata(metadata, field + "." + account);
    if (!parsed.ok()) return std::move(parsed).error();
    if (!parsed->empty()) out[account] = std::move(parsed).value();  // nothing to set: no entry
  }
  return out;
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
  const Json* target = member(data, "targetId");
  if (target == nullptr) return field_error(field + ".targetId", "missing");
  domain::Metadata metadata;
  std::string key;
  if (add) {
    const Json* value = member(data, "metadata");
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
  TALLY_TRY(only_keys(data, {"id", "force", "atEffectiveDate", "metadata"}, field));
  const Json* id_value = member(data, "id");
  if (id_value == nullptr) return field_error(field + ".id", "missing");
  auto id = parse_target_id(*id_value, field + ".id");
  if (!id.ok()) return std::move(id).error();
  auto force = get_bool(data, "force", field + ".force");
  if (!force.ok()) return std::move(force).error();
  auto at_effective_date = get_bool(data, "atEffectiveDate", field + ".atEffectiveDate");
  if (!at_effective_date.ok()) return std::move(at_effective_date).error();
  domain::RevertTransaction revert{ledger, id.value(), force.value(), at_effective_date.value()};
  if (const Json* metadata = member(data, "metadata")) {
    auto parsed = parse_metadata(*metadata, field + ".metadata");
    if (!parsed.ok()) return std::move(parsed).error();
    revert.metadata = std::move(parsed).value();
  }
  return domain::Order{std::move(revert)};
}

Result<BulkElement> parse_bulk_element(const Json& element, const std::string& ledger,
                                       const std::string& field) {
  if (!element.is_object()) return wrong_type(field, "an object", element);
  TALLY_TRY(only_keys(element, {"action", "data", "ik"}, field));
  auto action = get_string(element, "action", field + ".action");
  if (!action.ok()) return std::move(action).error();
  const Json* data = member(element, "data");
  if (data == nullptr) return field_error(field + ".data", "missing");
  BulkElement out;
  out.action = action.value();
  if (const Json* ik = member(element, "ik");
      ik != nullptr && !(ik->type == Type::kString && ik->text.empty())) {
    if (ik->type != Type::kString) return wrong_type(field + ".ik", "a string", *ik);
    out.idempotency_key = ik->text;
  }
  const std::string data_field = field + ".data";
  Result<domain::Order> order = field_error(field + ".action", "unknown action " + out.action);
  if (out.action == "CREATE_TRANSACTION") {
    auto transaction = parse_transaction(*data, ledger, data_field);
    if (!transaction.ok()) return std::move(transaction).error();
    out.script_template = std::move(transaction->script_template);
    order = domain::Order{std::move(transaction->order)};
  } else if (out.action == "ADD_METADATA") {
    order = parse_metadata_action(*data, ledger, data_field, true);
  } else if (out.action == "DELETE_METADATA") {
    order = parse_metadata_action(*data, ledger, data_field, false);
  } else if (out.action == "REVERT_TRANSACTION") {
    order = parse_revert_action(*data, ledger, data_field);
  }
  if (!order.ok()) return std::move(order).error();
  out.order = std::move(order).value();
  return out;
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
  if (value.type == Type::kNull) return domain::Metadata{};
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
      default: return wrong_type(item_field, "a string", item);
    }
  }
  TALLY_TRY(with_field(domain::validate_metadata(metadata), field));
  return metadata;
}

Result<std::uint64_t> parse_timestamp(const Json& value, const std::string& field) {
  if (value.type == Type::kNumber) return parse_id(value.text, field);
  if (value.type != Type::kString) return wrong_type(field, "an RFC 3339 timestamp", value);
  auto parsed = domain::parse_rfc3339(value.text);
  if (!parsed.ok()) return field_error(field, parsed.error().message);
  return parsed;
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

Result<TransactionBody> parse_transaction(const Json& body, const std::string& ledger,
                                          const std::string& field) {
  if (!body.is_object()) return wrong_type(field.empty() ? "body" : field, "an object", body);
  TALLY_TRY(only_keys(body,
                      {"postings", "reference", "metadata", "timestamp", "force", "accountMetadata",
                       "script", "runtime"},
                      field));
  TransactionBody out;
  domain::CreateTransaction& transaction = out.order;
  transaction.ledger = ledger;
  const Json* postings = member(body, "postings");
  if (postings != nullptr) {
    auto parsed = parse_postings(*postings, join(field, "postings"));
    if (!parsed.ok()) return std::move(parsed).error();
    transaction.postings = std::move(parsed).value();
  }
  if (const Json* script = member(body, "script")) {
    auto parsed = parse_script(*script, join(field, "script"));
    if (!parsed.ok()) return std::move(parsed).error();
    out.script_template = std::move(parsed->template_id);
    if (!parsed->plain.empty()) {
      transaction.script = domain::Script{std::move(parsed->plain), std::move(parsed->vars), {}};
    }
  }
  if (!transaction.postings.empty() && (transaction.script || out.script_template)) {
    return field_error(join(field, "script"), "cannot pass postings and a script together");
  }
  if (const Json* reference = member(body, "reference"); reference != nullptr) {
    if (reference->type != Type::kString)
      return wrong_type(join(field, "reference"), "a string", *reference);
    if (!reference->text.empty()) transaction.reference = reference->text;  // "" is none
  }
  if (const Json* metadata = member(body, "metadata")) {
    auto parsed = parse_metadata(*metadata, join(field, "metadata"));
    if (!parsed.ok()) return std::move(parsed).error();
    transaction.metadata = std::move(parsed).value();
  }
  if (const Json* accounts = member(body, "accountMetadata")) {
    auto parsed = parse_account_metadata(*accounts, join(field, "accountMetadata"));
    if (!parsed.ok()) return std::move(parsed).error();
    transaction.account_metadata = std::move(parsed).value();
  }
  if (const Json* timestamp = member(body, "timestamp")) {
    auto parsed = parse_timestamp(*timestamp, join(field, "timestamp"));
    if (!parsed.ok()) return std::move(parsed).error();
    transaction.timestamp_us = parsed.value();
  }
  if (const Json* runtime = member(body, "runtime")) {
    if (runtime->type != Type::kString) {
      return wrong_type(join(field, "runtime"), "a string", *runtime);
    }
    auto parsed = domain::parse_script_runtime(runtime->text);
    if (!parsed.ok()) return field_error(join(field, "runtime"), parsed.error().message);
    if (transaction.script) transaction.script->runtime = *parsed;
  }
  auto force = get_bool(body, "force", join(field, "force"));
  if (!force.ok()) return std::move(force).error();
  transaction.force = force.value();
  return out;
}

Result<domain::Metadata> parse_revert_body(const Json& body) {
  if (!body.is_object()) return wrong_type("body", "an object", body);
  TALLY_TRY(only_keys(body, {"metadata"}, ""));
  const Json* metadata = member(body, "metadata");
  if (metadata == nullptr) return domain::Metadata{};
  return parse_metadata(*metadata, "metadata");
}

Result<CreateLedgerBody> parse_create_ledger(const Json& body) {
  if (!body.is_object()) return wrong_type("body", "an object", body);
  TALLY_TRY(only_keys(body, {"bucket", "metadata", "features"}, ""));
  CreateLedgerBody out;
  if (const Json* bucket = member(body, "bucket")) {
    if (bucket->type != Type::kString) return wrong_type("bucket", "a string", *bucket);
    out.bucket = bucket->text;
  }
  if (const Json* metadata = member(body, "metadata")) {
    auto parsed = parse_metadata(*metadata, "metadata");
    if (!parsed.ok()) return std::move(parsed).error();
    out.metadata = std::move(parsed).value();
  }
  if (const Json* features = member(body, "features")) {
    if (!features->is_object()) return wrong_type("features", "an object", *features);
    out.features = !features->members.empty();
  }
  return out;
}

Result<std::vector<BulkElement>> parse_bulk(const Json& body, const std::string& ledger) {
  if (body.type != Type::kArray) return wrong_type("body", "an array", body);
  std::vector<BulkElement> elements;
  for (std::size_t i = 0; i < body.items.size(); ++i) {
    auto element = parse_bulk_element(body.items[i], ledger, "[" + std::to_string(i) + "]");
    if (!element.ok()) return std::move(element).error();
    elements.push_back(std::move(element).value());
  }
  return elements;
}

}  // namespace tally::json
