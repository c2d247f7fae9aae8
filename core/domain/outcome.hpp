// The outcome of one applied proposal: what the client is answered, what the audit entry and
// the idempotency record store (docs/design.md §5, §7, §8).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace tally::domain {

// What one successful order produced.
struct OrderResult {
  std::optional<std::uint64_t> transaction_id;  // created or revert transaction
  std::optional<std::uint64_t> log_sequence;    // the ledger's log sequence of this order

  friend bool operator==(const OrderResult&, const OrderResult&) = default;
};

struct Outcome {
  // Persisted (audit, idempotency): append only.
  enum class Kind : std::uint8_t {
    kSuccess = 0,
    kFailure = 1,
    kPerOrder = 2,    // one outcome per order (domain/bulk.hpp), each of the three below
    kNotApplied = 3,  // per order only: not run (stop-on-failure) or rolled back (atomic)
  };

  Kind kind = Kind::kSuccess;
  // Nonzero: an idempotent replay. Nothing was applied again; the fields below are the
  // stored outcome of the audit entry with this sequence.
  std::uint64_t replay_of_sequence = 0;
  std::vector<OrderResult> results;  // kSuccess: one per order
  Code code = Code::kValidation;     // kFailure: the business code
  std::string message;               // kFailure: why
  std::uint32_t failed_order = 0;    // kFailure: index of the order that failed
  // kPerOrder: one per order, each kSuccess (one result), kFailure (failed_order 0) or
  // kNotApplied, each with its own replay_of_sequence (a replay of that order's key).
  std::vector<Outcome> per_order;

  static Outcome success(std::vector<OrderResult> results);
  static Outcome failure(std::uint32_t order_index, const Error& error);
  static Outcome not_applied();
  static Outcome each(std::vector<Outcome> per_order);

  bool ok() const { return kind == Kind::kSuccess; }
  bool is_replay() const { return replay_of_sequence != 0; }
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

// The result of the order at index: a kSuccess outcome's, or a per-order outcome's that
// succeeded; none otherwise.
std::optional<OrderResult> result_of(const Outcome& outcome, std::size_t index);

// Whether two outcomes agree on everything but their messages (free text).
bool outcomes_agree(const Outcome& a, const Outcome& b);
// "success [(tx 3 log 5)]", "failure INSUFFICIENT_FUNDS at order 0", "replay of 7: ...".
std::string describe_outcome(const Outcome& outcome);

}  // namespace tally::domain
