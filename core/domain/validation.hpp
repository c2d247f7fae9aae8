// Syntax of the names and strings a client sends (docs/design.md §6, limits in core/limits.hpp).
//
// Each validator returns ok or a kValidation error whose message names the problem and quotes
// the offending input (truncated, control bytes escaped). They check syntax only: whether a
// ledger or account exists is the state machine's business. Hand-written scanners rather
// than std::regex: linear, allocation-free on success, and identical on every toolchain.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tally::domain {

// [A-Za-z0-9_-]{1,kLedgerNameBytesMax}
Status validate_ledger_name(std::string_view name);

// segment(:segment)*, segment [A-Za-z0-9_-]+, at most kAccountBytesMax bytes in all: no empty
// segment, so no leading, trailing or doubled colon.
Status validate_account(std::string_view account);

// [A-Z][A-Z0-9]{0,16}(/[0-9]{1,3})?  e.g. "USD", "USD/2", "ETH/18".
Status validate_asset(std::string_view asset);

// Free text: 1..max bytes, no control byte (< 0x20, so no NUL) and no DEL (0x7f). Bytes
// >= 0x80 pass unchecked (UTF-8 is not validated).
Status validate_reference(std::string_view reference);  // max kReferenceBytesMax
Status validate_metadata_key(std::string_view key);     // max kMetadataKeyBytesMax
Status validate_idempotency_key(std::string_view key);  // max kIdempotencyKeyBytesMax

// The one account whose balance may go negative without `force`: exactly "world".
bool is_world(std::string_view account);

// For error messages: the input in double quotes, cut after 64 bytes (then "..." and the
// full length), with '"', '\\' and bytes outside 0x20..0x7e escaped as \xNN.
std::string quote_input(std::string_view text);

}  // namespace tally::domain
