// Request bodies to the core's orders (DESIGN.md §6, §9): the Go ledger's shapes.
//
//   transaction: {"postings": [{"source", "destination", "amount", "asset"}], "reference"?,
//                 "metadata"?, "timestamp"?, "force"?}
//   metadata:    {"key": "string" | integer | true/false | null, ...}
//   bulk:        [{"action": "CREATE_TRANSACTION" | "ADD_METADATA" | "DELETE_METADATA" |
//                  "REVERT_TRANSACTION", "data": ..., "ik"?}]
//
// Amounts are JSON integers of any size or decimal strings; a sign, a fraction or an
// exponent is refused. Every error is kValidation and names the field at fault
// ("postings[0].amount: ..."). Names are checked by the core's validators afterwards
// (domain::validate_orders), which quote the input.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/domain/order.hpp"
#include "native/http/json.hpp"

namespace tally::http {

// "field: message": the error every parser here returns.
Error field_error(const std::string& field, const std::string& message);

Result<domain::Amount> parse_amount(const Json& value, const std::string& field);
Result<domain::Metadata> parse_metadata(const Json& value, const std::string& field);
// An RFC 3339 UTC timestamp ("2024-01-02T03:04:05Z", optional fraction up to microseconds)
// to microseconds since the Unix epoch; also accepted: an integer of microseconds.
Result<std::uint64_t> parse_timestamp(const Json& value, const std::string& field);
std::string format_timestamp(std::uint64_t timestamp_us);

Result<domain::CreateTransaction> parse_transaction(const Json& body, const std::string& ledger,
                                                    const std::string& field);

// One element of a bulk request.
struct BulkElement {
  domain::Order order;
  std::optional<std::string> idempotency_key;  // "ik": per element, non-atomic bulks only
};
Result<std::vector<BulkElement>> parse_bulk(const Json& body, const std::string& ledger);

// A decimal transaction id from a path segment (kValidation otherwise).
Result<std::uint64_t> parse_id(std::string_view text, const std::string& field);

}  // namespace tally::http
