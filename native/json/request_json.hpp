// Request bodies of the API (the Go ledger's v2 shapes) to the core's orders.
//
//   transaction: {"postings": [{"source", "destination", "amount", "asset"}], "reference"?,
//                 "metadata"?, "timestamp"?, "force"?, "accountMetadata"?, "script"?,
//                 "runtime"?}
//   script:      {"plain": Numscript, "vars"?: {"name": value}}: a value is a string, a number
//                (its decimal text) or {"asset", "amount"} (a monetary, as Formance's v1);
//                "runtime" is "machine" (the default) or "experimental-interpreter"
//   metadata:    {"key": "value", ...}: strings, as the Go ledger keeps them; integers,
//                booleans and null are also accepted and keep their type in Tally
//   bulk:        [{"action": "CREATE_TRANSACTION" | "ADD_METADATA" | "DELETE_METADATA" |
//                  "REVERT_TRANSACTION", "data": ..., "ik"?}]
//
// Amounts are JSON integers of any size or decimal strings; a sign, a fraction or an
// exponent is refused. Every error is kValidation and names the field at fault
// ("postings[0].amount: ..."); members the shape does not name are refused (a typo must not
// pass silently). Names are checked by the core's validators afterwards.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/order.hpp"
#include "native/json/json.hpp"

namespace tally::json {

// "field: message": the error every parser here returns.
Error field_error(const std::string& field, const std::string& message);

Result<domain::Amount> parse_amount(const Json& value, const std::string& field);
Result<domain::Metadata> parse_metadata(const Json& value, const std::string& field);
// An RFC 3339 timestamp to microseconds since the Unix epoch; also an integer of microseconds.
Result<std::uint64_t> parse_timestamp(const Json& value, const std::string& field);
// A decimal id (path segments, query parameters).
Result<std::uint64_t> parse_id(std::string_view text, const std::string& field);

struct TransactionBody {
  domain::CreateTransaction order;  // a script {plain, vars} and its runtime in order.script
  // script.template: a stored template, which Tally does not keep (the adapter refuses it).
  std::optional<std::string> script_template;
};
// A transaction body; postings and a script together are kValidation. Names and the number
// of postings are the core's rules (admission: NO_POSTINGS for none).
Result<TransactionBody> parse_transaction(const Json& body, const std::string& ledger,
                                          const std::string& field);

// {"metadata"?} of a revert (an empty body is none).
Result<domain::Metadata> parse_revert_body(const Json& body);

struct CreateLedgerBody {
  domain::Metadata metadata;
  std::string bucket;     // "" when not given
  bool features = false;  // the request names features
};
Result<CreateLedgerBody> parse_create_ledger(const Json& body);

// One element of a bulk request.
struct BulkElement {
  std::string action;  // CREATE_TRANSACTION, ...: the result's responseType
  domain::Order order;
  std::optional<std::string> idempotency_key;  // "ik"
  std::optional<std::string> script_template;  // a CREATE_TRANSACTION naming a template
};
Result<std::vector<BulkElement>> parse_bulk(const Json& body, const std::string& ledger);

}  // namespace tally::json
