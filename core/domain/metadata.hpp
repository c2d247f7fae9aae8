// Typed metadata (docs/design.md §6): string, int, bool or null values, keyed by string, on
// accounts, transactions and ledgers. The map is ordered, so its encoding is canonical.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "core/result.hpp"

namespace tally::domain {

struct MetadataNull {
  friend bool operator==(const MetadataNull&, const MetadataNull&) = default;
};

// Alternative order is persisted (codec type bytes): append only.
using MetadataValue = std::variant<MetadataNull, std::string, std::int64_t, bool>;
using Metadata = std::map<std::string, MetadataValue>;

// A value as text, for clients that read metadata as strings (the Go ledger's API): strings
// as they are, integers in decimal, "true" / "false", and "" for null.
std::string metadata_text(const MetadataValue& value);

// Keys and string values within limits; at most kMetadataEntriesMax entries.
Status validate_metadata(const Metadata& metadata);

// Overwrites or adds every entry of changes; the result must stay within limits.
Result<Metadata> merge_metadata(const Metadata& base, const Metadata& changes);

}  // namespace tally::domain
