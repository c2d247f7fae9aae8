// How the orders of one request apply (docs/design.md §5, §6): all together, or each on its own
// with an outcome, an idempotency key and a log sequence of its own, in one log entry.
//
// Atomic is the default: the orders apply together or not at all and answer one outcome.
// The two per-order modes apply each order alone, in order, its writes kept when it
// succeeds and dropped when it fails; continue-on-failure runs every order, stop-on-failure
// leaves the orders after the first failure not applied. An atomic request whose orders
// carry keys of their own also answers per order (each key records its order's outcome).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/order.hpp"

namespace tally::domain {

// Persisted (log, audit): append only.
enum class BulkMode : std::uint8_t {
  kAtomic = 0,
  kContinueOnFailure = 1,
  kStopOnFailure = 2,
};

// One idempotency key per order, or none at all (an empty list).
using OrderKeys = std::vector<std::optional<std::string>>;

std::string_view bulk_mode_name(BulkMode mode);  // "ATOMIC", "CONTINUE_ON_FAILURE", ...
// A mode byte from the log or the audit chain; none for an unknown one.
std::optional<BulkMode> bulk_mode_from_byte(std::uint8_t byte);

// Whether a request answers one outcome per order (Outcome::Kind::kPerOrder).
bool answers_per_order(BulkMode mode, const OrderKeys& order_keys);

// The rules on mode and keys (kValidation): order_keys is empty or one per order, each key
// valid; a request key only on a request answering one outcome (per-order requests key each
// order); no cluster configuration order in a per-order request. The orders themselves are
// validate_orders' (atomic) or one at a time (per order).
Status validate_bulk_shape(BulkMode mode, const std::optional<std::string>& request_key,
                           const OrderKeys& order_keys, const std::vector<Order>& orders);

}  // namespace tally::domain
