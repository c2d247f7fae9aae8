// Human-readable names and values of the rows the checker compares ("Volume
// main/users:1/USD", "input=100 output=30"), so a mismatch reads without a hex dump.
#pragma once

#include <string>

#include "core/bytes.hpp"
#include "core/check/mismatch.hpp"

namespace tally::check {

// Whether a store row is one the audit chain derives: attributes, idempotency records,
// ledger log pointers (not the cache mirror, the audit entries themselves or FSM state).
bool is_derived_row(ByteView row_key);

// The mismatch kind a derived row belongs to (attribute kind, idempotency, ledger log).
MismatchKind row_kind(ByteView row_key);
std::string describe_row_key(ByteView row_key);
std::string describe_row_value(ByteView row_key, ByteView value);

}  // namespace tally::check
