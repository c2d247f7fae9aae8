// What the user types into `tally`, checked before anything is sent: numbers, metadata pairs
// and postings. Each parser returns the value or a kValidation error whose message names the
// expected form; main.cpp turns it into a usage error (exit 2). No parser throws, whatever
// the input.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "native/json/json.hpp"

namespace tally::cli {

// Decimal digits only (no sign, no space), at most 2^64 - 1; nullopt otherwise.
std::optional<std::uint64_t> parse_u64(std::string_view text);

// Typed metadata, written as in HTTPie: KEY=VALUE sends VALUE as a string, always (so
// `zip=01234`, `range=1-2` and `dash=-` stay as typed); KEY:=JSON sends a JSON literal
// (`count:=42`, `vip:=true`, `gone:=null`, `name:="a b"`). JSON literals are the ones
// Tally's metadata holds (docs/design.md §6): integers, true, false, null and strings.
struct MetadataPair {
  std::string key;
  json::Json value;
};
inline constexpr std::string_view kMetadataForm =
    "KEY=VALUE (a string) or KEY:=JSON (an integer, true, false, null or a \"string\")";
Result<MetadataPair> parse_metadata_pair(std::string_view text);
Result<std::vector<MetadataPair>> parse_metadata_pairs(const std::vector<std::string>& texts);

// "SOURCE DESTINATION AMOUNT ASSET": exactly four words separated by white space. The words
// themselves are checked by the node (names, amounts, assets: docs/design.md §6).
struct Posting {
  std::string source;
  std::string destination;
  std::string amount;
  std::string asset;
};
inline constexpr std::string_view kPostingForm = "\"SOURCE DESTINATION AMOUNT ASSET\"";
Result<Posting> parse_posting(std::string_view text);

// A Numscript variable, NAME=VALUE (a leading $ on the name is dropped): the value is text as
// the API's `vars` carry it ("USD/2 100", "users:alice", "42"); the node checks it against the
// script's declaration. Each name at most once.
inline constexpr std::string_view kVariableForm = "NAME=VALUE";
using ScriptVariables = std::map<std::string, std::string>;
Result<ScriptVariables> parse_script_variables(const std::vector<std::string>& texts);

// The text of a Numscript file: a usage error when it cannot be read or holds nothing.
Result<std::string> read_script_file(const std::string& path);

// Request bodies.
std::string metadata_json(const std::vector<MetadataPair>& pairs);
// Besides the postings or the script: the reference ("" none), metadata and force.
struct TransactionExtras {
  std::string reference;
  std::vector<MetadataPair> metadata;
  bool force = false;
};
std::string transaction_json(const std::vector<Posting>& postings, const TransactionExtras& extras);
// runtime "" leaves the node's default (Formance's machine).
std::string script_transaction_json(const std::string& plain, const ScriptVariables& vars,
                                    const std::string& runtime, const TransactionExtras& extras);

}  // namespace tally::cli
