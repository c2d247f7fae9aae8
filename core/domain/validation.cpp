#include "core/domain/validation.hpp"

#include <algorithm>
#include <cstdint>

#include "core/invariant.hpp"
#include "core/limits.hpp"

namespace tally::domain {
namespace {

// Longest prefix of an input quoted in a message: enough to recognise it, bounded so that a
// 16 MiB reference does not become a 16 MiB error.
constexpr std::size_t kQuotedBytesMax = 64;

// Asset grammar: a symbol [A-Z][A-Z0-9]{0,16}, then optionally "/" and 1..3 digits.
constexpr std::size_t kAssetSymbolBytesMax = 17;
constexpr std::size_t kAssetPrecisionDigitsMax = 3;
static_assert(kAssetSymbolBytesMax + 1 + kAssetPrecisionDigitsMax == limits::kAssetBytesMax);

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// Ledger names and account segments: [A-Za-z0-9_-].
bool is_name_char(char c) {
  return is_upper(c) || is_lower(c) || is_digit(c) || c == '_' || c == '-';
}
// Free text: no control byte (so no NUL) and no DEL.
bool is_text_byte(char c) {
  auto byte = static_cast<std::uint8_t>(c);
  return byte >= 0x20 && byte != 0x7f;
}

std::string hex_byte(char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto byte = static_cast<std::uint8_t>(c);
  return {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
}

Error invalid(std::string_view what, std::string_view text, const std::string& problem) {
  return make_error(Code::kValidation, std::string(what) + " " + quote_input(text) + " " + problem);
}

Error invalid_byte(std::string_view what, std::string_view text, std::size_t offset,
                   std::string_view allowed) {
  return invalid(what, text,
                 "has an invalid byte " + quote_input(text.substr(offset, 1)) + " at offset " +
                     std::to_string(offset) + " (allowed: " + std::string(allowed) + ")");
}

Status check_length(std::string_view what, std::string_view text, std::size_t bytes_max) {
  if (text.empty()) return invalid(what, text, "is empty");
  if (text.size() > bytes_max) {
    return invalid(what, text,
                   "is " + std::to_string(text.size()) + " bytes, more than the " +
                       std::to_string(bytes_max) + " allowed");
  }
  return ok_status();
}

// References, metadata keys, idempotency keys.
Status validate_text(std::string_view what, std::string_view text, std::size_t bytes_max) {
  TALLY_TRY(check_length(what, text, bytes_max));
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_text_byte(text[i]))
      return invalid_byte(what, text, i, "any byte but controls below 0x20 and 0x7f");
  }
  return ok_status();
}

// The optional "/digits" tail of an asset; `slash` is the offset of the '/'.
Status validate_asset_precision(std::string_view asset, std::size_t slash) {
  std::string_view digits = asset.substr(slash + 1);
  if (digits.empty()) return invalid("asset", asset, "has an empty precision after '/'");
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (!is_digit(digits[i])) return invalid_byte("asset", asset, slash + 1 + i, "0-9 after '/'");
  }
  if (digits.size() > kAssetPrecisionDigitsMax) {
    return invalid("asset", asset,
                   "has a precision of " + std::to_string(digits.size()) + " digits, more than " +
                       std::to_string(kAssetPrecisionDigitsMax));
  }
  return ok_status();
}

}  // namespace

std::string quote_input(std::string_view text) {
  std::string out = "\"";
  std::size_t shown = std::min(text.size(), kQuotedBytesMax);
  for (std::size_t i = 0; i < shown; ++i) {
    char c = text[i];
    if (c == '"' || c == '\\')
      out += {'\\', c};
    else if (static_cast<std::uint8_t>(c) < 0x20 || static_cast<std::uint8_t>(c) > 0x7e)
      out += hex_byte(c);
    else
      out += c;
  }
  out += '"';
  if (shown < text.size())
    out.insert(out.size() - 1, "...").append(" (" + std::to_string(text.size()) + " bytes)");
  return out;
}

Status validate_ledger_name(std::string_view name) {
  TALLY_TRY(check_length("ledger name", name, limits::kLedgerNameBytesMax));
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!is_name_char(name[i])) return invalid_byte("ledger name", name, i, "A-Z a-z 0-9 _ -");
  }
  return ok_status();
}

Status validate_account(std::string_view account) {
  TALLY_TRY(check_length("account", account, limits::kAccountBytesMax));
  std::size_t segment_bytes = 0;
  for (std::size_t i = 0; i < account.size(); ++i) {
    char c = account[i];
    if (c == ':') {
      if (i == 0) return invalid("account", account, "starts with ':' (empty first segment)");
      if (segment_bytes == 0) {
        return invalid("account", account,
                       "has an empty segment ('::') at offset " + std::to_string(i - 1));
      }
      segment_bytes = 0;
    } else if (is_name_char(c)) {
      ++segment_bytes;
    } else {
      return invalid_byte("account", account, i, "A-Z a-z 0-9 _ - and ':' between segments");
    }
  }
  if (segment_bytes == 0) return invalid("account", account, "ends with ':' (empty last segment)");
  return ok_status();
}

Status validate_asset(std::string_view asset) {
  if (asset.empty()) return invalid("asset", asset, "is empty");
  if (!is_upper(asset[0]))
    return invalid("asset", asset, "must start with an upper-case letter A-Z");
  std::size_t symbol_bytes = 1;
  while (symbol_bytes < asset.size() && asset[symbol_bytes] != '/') {
    char c = asset[symbol_bytes];
    if (!is_upper(c) && !is_digit(c))
      return invalid_byte("asset", asset, symbol_bytes, "A-Z 0-9, then an optional /precision");
    ++symbol_bytes;
  }
  if (symbol_bytes > kAssetSymbolBytesMax) {
    return invalid("asset", asset,
                   "has a symbol of " + std::to_string(symbol_bytes) + " characters, more than " +
                       std::to_string(kAssetSymbolBytesMax));
  }
  if (symbol_bytes < asset.size()) TALLY_TRY(validate_asset_precision(asset, symbol_bytes));
  TALLY_INVARIANT(asset.size() <= limits::kAssetBytesMax, "the grammar bounds an asset's size");
  return ok_status();
}

Status validate_reference(std::string_view reference) {
  return validate_text("reference", reference, limits::kReferenceBytesMax);
}

Status validate_metadata_key(std::string_view key) {
  return validate_text("metadata key", key, limits::kMetadataKeyBytesMax);
}

Status validate_idempotency_key(std::string_view key) {
  return validate_text("idempotency key", key, limits::kIdempotencyKeyBytesMax);
}

bool is_world(std::string_view account) {
  return account == "world";
}

}  // namespace tally::domain
