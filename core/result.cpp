#include "core/result.hpp"

namespace tally {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kInsufficientFunds: return "INSUFFICIENT_FUNDS";
    case Code::kNotFound: return "NOT_FOUND";
    case Code::kAlreadyExists: return "ALREADY_EXISTS";
    case Code::kValidation: return "VALIDATION";
    case Code::kConflict: return "CONFLICT";
    case Code::kCoverageMiss: return "COVERAGE_MISS";
    case Code::kCacheHorizonExceeded: return "CACHE_HORIZON_EXCEEDED";
    case Code::kStaleProposal: return "STALE_PROPOSAL";
    case Code::kIdempotencyConflict: return "IDEMPOTENCY_CONFLICT";
    case Code::kAlreadyReverted: return "ALREADY_REVERTED";
    case Code::kLedgerNotFound: return "LEDGER_NOT_FOUND";
    case Code::kInterpreterParse: return "INTERPRETER_PARSE";
    case Code::kCompilationFailed: return "COMPILATION_FAILED";
    case Code::kInterpreterRuntime: return "INTERPRETER_RUNTIME";
    case Code::kMetadataOverride: return "METADATA_OVERRIDE";
    case Code::kNoPostings: return "NO_POSTINGS";
    case Code::kCollisionDetected: return "COLLISION_DETECTED";
    case Code::kCorrupt: return "CORRUPT";
    case Code::kStorage: return "STORAGE";
    case Code::kSchemaMismatch: return "SCHEMA_MISMATCH";
    case Code::kInvariantViolation: return "INVARIANT_VIOLATION";
    case Code::kConfiguration: return "CONFIGURATION";
    case Code::kMalformedProposal: return "MALFORMED_PROPOSAL";
    case Code::kStopped: return "STOPPED";
    case Code::kBusy: return "BUSY";
    case Code::kNotLeader: return "NOT_LEADER";
    case Code::kLeadershipLost: return "LEADERSHIP_LOST";
  }
  return "UNKNOWN";
}

bool is_business(Code code) {
  return static_cast<std::uint16_t>(code) < 100;
}

}  // namespace tally
