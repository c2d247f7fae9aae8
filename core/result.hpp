// Result<T>: a value or an Error, the first two error channels of docs/style.md.
//
// Business rejections (insufficient funds, not found, coverage miss, ...) and infrastructure
// failures (storage, corrupt data) both travel as Error values; codes are stable and their
// names are part of the API. Bugs never do: they go through TALLY_INVARIANT.
// (std::expected is C++23 and absent from the Emscripten toolchain, hence our own.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/invariant.hpp"

namespace tally {

enum class Code : std::uint16_t {
  // Business rejections: returned to the client, audited when they come from an order.
  kInsufficientFunds = 1,
  kNotFound = 2,
  kAlreadyExists = 3,
  kValidation = 4,
  kConflict = 5,
  kCoverageMiss = 6,
  kCacheHorizonExceeded = 7,  // retryable: admission predicted 2+ rotations
  kStaleProposal = 8,         // retryable: predicted index or epoch do not match
  kIdempotencyConflict = 9,
  kAlreadyReverted = 10,  // a revert of a transaction that is already reverted
  kLedgerNotFound = 11,   // an order on a ledger that does not exist or is deleted
  kNoPostings = 12,       // a transaction with no posting, or a script that moves nothing
  // Numscript (core/numscript/), Formance's codes: a script that does not parse, that does not
  // type-check or whose variables are malformed, that fails while running, a request metadata
  // key the script also sets.
  kInterpreterParse = 13,
  kCompilationFailed = 14,
  kInterpreterRuntime = 15,
  kMetadataOverride = 16,
  // Hard errors: a node that meets one stops applying.
  kCollisionDetected = 100,   // two canonical keys share an id (inv#1 cannot hold)
  kCorrupt = 101,             // persisted or decoded bytes are malformed
  kStorage = 102,             // the store failed
  kSchemaMismatch = 103,      // a store of another schema version
  kInvariantViolation = 104,  // an impossible state met on a path that must not abort
  kConfiguration = 105,       // the node's configuration does not fit its store (cluster, key)
  // Not a hard error: a log entry no admission could have produced (a field out of range, a
  // plan that contradicts the state it is applied to). Apply rejects it unaudited on every
  // replica alike and the index advances (core/fsm/plan_validation.hpp).
  kMalformedProposal = 106,
  // Long work (a check, a snapshot) abandoned, or a request not taken, because its process is
  // stopping: not a fault.
  kStopped = 107,
  // A replica's own answers to a request it did not apply (native/raft/): never from the
  // state machine, never audited.
  kBusy = 108,            // too many requests queued or in flight: retry
  kNotLeader = 109,       // this node does not lead
  kLeadershipLost = 110,  // leadership moved in flight: the request may or may not apply
};

// Stable, upper-snake name of a code (e.g. "INSUFFICIENT_FUNDS").
std::string_view code_name(Code code);

// True for the codes a client may see as a business answer.
bool is_business(Code code);

struct Error {
  Code code;
  std::string message;
};

inline Error make_error(Code code, std::string message) {
  return Error{code, std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }

  T& value() & {
    TALLY_INVARIANT(ok(), "value() on an error result: " + error_message());
    return std::get<0>(state_);
  }
  const T& value() const& {
    TALLY_INVARIANT(ok(), "value() on an error result: " + error_message());
    return std::get<0>(state_);
  }
  T&& value() && {
    TALLY_INVARIANT(ok(), "value() on an error result: " + error_message());
    return std::get<0>(std::move(state_));
  }
  const Error& error() const& {
    TALLY_INVARIANT(!ok(), "error() on an ok result");
    return std::get<1>(state_);
  }
  Error&& error() && {
    TALLY_INVARIANT(!ok(), "error() on an ok result");
    return std::get<1>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::string error_message() const { return ok() ? "" : std::get<1>(state_).message; }
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool ok() const { return ok_; }
  const Error& error() const& {
    TALLY_INVARIANT(!ok_, "error() on an ok result");
    return error_;
  }
  Error&& error() && {
    TALLY_INVARIANT(!ok_, "error() on an ok result");
    return std::move(error_);
  }

 private:
  Error error_{Code::kInvariantViolation, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() {
  return Status();
}

}  // namespace tally

// Propagates an error from an expression yielding a Result, in a function returning one.
#define TALLY_TRY(expression)                      \
  do {                                             \
    auto tally_try_result_ = (expression);         \
    if (!tally_try_result_.ok()) {                 \
      return std::move(tally_try_result_).error(); \
    }                                              \
  } while (0)
