// Every error the API answers, classified once (the Go ledger's V2ErrorsEnum and statuses,
// plus Tally's own retryable codes): a core Error, a node's reply that did not apply, or a
// refusal of the adapter itself (an unknown route, a feature Tally does not have).
//
// Body: {"errorCode", "errorMessage", "details"?}. 503s carry Retry-After.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "native/raft/node.hpp"

namespace tally::http {

struct ApiError {
  int status = 500;
  std::string code;  // INSUFFICIENT_FUND, LEDGER_NOT_FOUND, ..., BUSY, STALE_READ
  std::string message;
  std::string details;  // e.g. NOT_IMPLEMENTED
};

// The status and code of a core error (what a bulk element's errorCode also shows).
ApiError api_error(const Error& error);
// A reply that did not apply (not leader is the caller's: a redirect, not an error).
ApiError api_error(const replica::Reply& reply);
// Tally's own refusals.
ApiError not_implemented(std::string_view what);  // 501, VALIDATION, details NOT_IMPLEMENTED
ApiError route_not_found(std::string_view method, std::string_view path);
ApiError method_not_allowed(std::string_view method);
ApiError unavailable(std::string_view code, std::string message);  // 503

bool retryable(const ApiError& error);  // answered with Retry-After
std::string error_body(const ApiError& error);

}  // namespace tally::http
