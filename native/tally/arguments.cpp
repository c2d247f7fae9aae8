#include "native/tally/arguments.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "native/tally/json_tree.hpp"

namespace tally::cli {
namespace {

Error usage(std::string message) {
  return make_error(Code::kValidation, std::move(message));
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// An integer as JSON writes one: an optional minus, then 0 or digits without a leading zero.
bool json_integer(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return false;
  return text.size() == 1 || text.front() != '0';
}

Result<json::Json> json_literal(std::string_view key, std::string_view text) {
  const std::string wanted =
      std::string(key) + ":= takes an integer, true, false, null or a \"string\"";
  auto parsed = json::parse_json(text);
  if (!parsed.ok()) return usage(wanted + ", got " + quoted(text));
  using Type = json::Json::Type;
  const json::Json& value = parsed.value();
  if (value.type == Type::kArray || value.type == Type::kObject ||
      (value.type == Type::kNumber && !json_integer(value.text)))
    return usage(wanted + ", got " + quoted(text));
  return std::move(parsed).value();
}

void write_pairs(json::JsonWriter& out, const std::vector<MetadataPair>& pairs) {
  out.begin_object();
  for (const auto& pair : pairs) {
    out.key(pair.key);
    write_json(out, pair.value, KeyOrder::kDocument);
  }
  out.end_object();
}

}  // namespace

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<MetadataPair> parse_metadata_pair(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0)
    return usage("metadata is " + std::string(kMetadataForm) + ", got " + quoted(text));
  const bool typed = text[equals - 1] == ':';
  MetadataPair pair;
  pair.key = std::string(text.substr(0, typed ? equals - 1 : equals));
  if (pair.key.empty())
    return usage("metadata is " + std::string(kMetadataForm) + ", got " + quoted(text));
  const std::string_view value = text.substr(equals + 1);
  if (!typed) {
    pair.value = json_string(std::string(value));
    return pair;
  }
  auto literal = json_literal(pair.key, value);
  if (!literal.ok()) return std::move(literal).error();
  pair.value = std::move(literal).value();
  return pair;
}

Result<std::vector<MetadataPair>> parse_metadata_pairs(const std::vector<std::string>& texts) {
  std::vector<MetadataPair> pairs;
  for (const auto& text : texts) {
    auto pair = parse_metadata_pair(text);
    if (!pair.ok()) return std::move(pair).error();
    pairs.push_back(std::move(pair).value());
  }
  return pairs;
}

Result<Posting> parse_posting(std::string_view text) {
  std::vector<std::string> words;
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  for (std::size_t at = text.find_first_not_of(kSpace); at != std::string_view::npos;) {
    const std::size_t end = text.find_first_of(kSpace, at);
    words.emplace_back(text.substr(at, end == std::string_view::npos ? end : end - at));
    at = end == std::string_view::npos ? end : text.find_first_not_of(kSpace, end);
  }
  if (words.size() != 4) {
    return usage("a posting is exactly " + std::string(kPostingForm) + " (4 words), got " +
                 std::to_string(words.size()) + ": " + quoted(text));
  }
  return Posting{words[0], words[1], words[2], words[3]};
}

std::string metadata_json(const std::vector<MetadataPair>& pairs) {
  json::JsonWriter out;
  write_pairs(out, pairs);
  return out.take();
}

Result<ScriptVariables> parse_script_variables(const std::vector<std::string>& texts) {
  ScriptVariables vars;
  for (std::string_view text : texts) {
    const std::size_t equals = text.find('=');
    std::string_view name = text.substr(0, equals);
    if (!name.empty() && name.front() == '$') name.remove_prefix(1);
    if (equals == std::string_view::npos || name.empty())
      return usage("a variable is " + std::string(kVariableForm) + ", got " + quoted(text));
    if (!vars.emplace(std::string(name), std::string(text.substr(equals + 1))).second)
      return usage("variable " + quoted(name) + " given twice");
  }
  return vars;
}

Result<std::string> read_script_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return usage("cannot read the script " + quoted(path));
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return usage("cannot read the script " + quoted(path));
  if (text.str().find_first_not_of(" \t\r\n") == std::string::npos)
    return usage("the script " + quoted(path) + " is empty");
  return text.str();
}

namespace {

void write_extras(json::JsonWriter& out, const TransactionExtras& extras) {
  if (!extras.reference.empty()) {
    out.key("reference");
    out.string(extras.reference);
  }
  if (extras.force) {
    out.key("force");
    out.boolean(true);
  }
  if (!extras.metadata.empty()) {
    out.key("metadata");
    write_pairs(out, extras.metadata);
  }
}

}  // namespace

std::string transaction_json(const std::vector<Posting>& postings,
                             const TransactionExtras& extras) {
  json::JsonWriter out;
  out.begin_object();
  out.key("postings");
  out.begin_array();
  for (const auto& posting : postings) {
    out.begin_object();
    out.key("source");
    out.string(posting.source);
    out.key("destination");
    out.string(posting.destination);
    out.key("amount");
    out.string(posting.amount);
    out.key("asset");
    out.string(posting.asset);
    out.end_object();
  }
  out.end_array();
  write_extras(out, extras);
  out.end_object();
  return out.take();
}

std::string script_transaction_json(const std::string& plain, const ScriptVariables& vars,
                                    const std::string& runtime, const TransactionExtras& extras) {
  json::JsonWriter out;
  out.begin_object();
  out.key("script");
  out.begin_object();
  out.key("plain");
  out.string(plain);
  out.key("vars");
  out.begin_object();
  for (const auto& [name, value] : vars) {
    out.key(name);
    out.string(value);
  }
  out.end_object();
  out.end_object();
  if (!runtime.empty()) {
    out.key("runtime");
    out.string(runtime);
  }
  write_extras(out, extras);
  out.end_object();
  return out.take();
}

}  // namespace tally::cli
