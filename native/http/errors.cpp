#include "native/http/errors.hpp"

#include "native/json/json.hpp"

namespace tally::http {

ApiError api_error(const Error& error) {
  auto make = [&](int status, const char* code) {
    return ApiError{status, code, error.message, ""};
  };
  switch (error.code) {
    case Code::kValidation: return make(400, "VALIDATION");
    case Code::kInsufficientFunds: return make(400, "INSUFFICIENT_FUND");
    case Code::kNotFound: return make(404, "NOT_FOUND");
    case Code::kLedgerNotFound: return make(404, "LEDGER_NOT_FOUND");
    case Code::kAlreadyExists: return make(400, "LEDGER_ALREADY_EXISTS");
    case Code::kConflict: return make(409, "CONFLICT");
    // A key reused with another body: the Go ledger's invalid idempotency input.
    case Code::kIdempotencyConflict: return make(400, "VALIDATION");
    case Code::kAlreadyReverted: return make(400, "ALREADY_REVERT");
    case Code::kNoPostings: return make(400, "NO_POSTINGS");
    case Code::kInterpreterParse: return make(400, "INTERPRETER_PARSE");
    case Code::kCompilationFailed: return make(400, "COMPILATION_FAILED");
    case Code::kInterpreterRuntime: return make(400, "INTERPRETER_RUNTIME");
    case Code::kMetadataOverride: return make(400, "METADATA_OVERRIDE");
    case Code::kCacheHorizonExceeded: return make(503, "CACHE_HORIZON_EXCEEDED");
    case Code::kStaleProposal: return make(503, "STALE_PROPOSAL");
    // Admission did not declare what the order read (a revert of a transaction still in
    // flight): nothing applied, nothing recorded; a retry declares it.
    case Code::kCoverageMiss: return make(503, "STALE_PROPOSAL");
    case Code::kStopped: return make(503, "NODE_STOPPING");
    case Code::kBusy: return make(503, "BUSY");
    case Code::kNotLeader: return make(503, "NO_LEADER");
    case Code::kLeadershipLost: return make(503, "UNKNOWN");
    default: return make(500, "INTERNAL");
  }
}

ApiError api_error(const replica::Reply& reply) {
  using S = replica::Reply::Status;
  if (!reply.error) return ApiError{500, "INTERNAL", "the node answered without a reason", ""};
  if (reply.status == S::kUnknown) {
    return unavailable("UNKNOWN",
                       "leadership changed in flight; the request may or may not apply: retry "
                       "with an Idempotency-Key");
  }
  ApiError error = api_error(*reply.error);
  // Retryable whatever the core said (a raft_apply refusal while leadership moves).
  if (reply.status == S::kRetry && error.status != 503) return unavailable("RETRY", error.message);
  if (reply.status == S::kRejected && error.status >= 500)
    error = {400, "VALIDATION", error.message, ""};
  return error;
}

ApiError not_implemented(std::string_view what) {
  return ApiError{501, "VALIDATION",
                  std::string(what) + " is not implemented by Tally (see docs/api.md)",
                  "NOT_IMPLEMENTED"};
}

ApiError route_not_found(std::string_view method, std::string_view path) {
  return ApiError{404, "NOT_FOUND",
                  "no route " + std::string(method) + " " + std::string(path.substr(0, 256)), ""};
}

ApiError method_not_allowed(std::string_view method) {
  return ApiError{405, "VALIDATION", "method " + std::string(method) + " not allowed here", ""};
}

ApiError unavailable(std::string_view code, std::string message) {
  return ApiError{503, std::string(code), std::move(message), ""};
}

bool retryable(const ApiError& error) {
  return error.status == 503;
}

std::string error_body(const ApiError& error) {
  json::JsonWriter out;
  out.begin_object();
  out.key("errorCode");
  out.string(error.code);
  out.key("errorMessage");
  out.string(error.message);
  if (!error.details.empty()) {
    out.key("details");
    out.string(error.details);
  }
  out.end_object();
  return out.take();
}

}  // namespace tally::http
