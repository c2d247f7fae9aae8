#include "core/domain/bulk.hpp"

#include <set>

#include "core/domain/validation.hpp"
#include "core/limits.hpp"

namespace tally::domain {

std::string_view bulk_mode_name(BulkMode mode) {
  switch (mode) {
    case BulkMode::kAtomic: return "ATOMIC";
    case BulkMode::kContinueOnFailure: return "CONTINUE_ON_FAILURE";
    case BulkMode::kStopOnFailure: return "STOP_ON_FAILURE";
  }
  return "UNKNOWN";
}

std::optional<BulkMode> bulk_mode_from_byte(std::uint8_t byte) {
  if (byte > static_cast<std::uint8_t>(BulkMode::kStopOnFailure)) return std::nullopt;
  return static_cast<BulkMode>(byte);
}

bool answers_per_order(BulkMode mode, const OrderKeys& order_keys) {
  if (mode != BulkMode::kAtomic) return true;
  for (const auto& key : order_keys) {
    if (key) return true;
  }
  return false;
}

Status validate_bulk_shape(BulkMode mode, const std::optional<std::string>& request_key,
                           const OrderKeys& order_keys, const std::vector<Order>& orders) {
  if (orders.empty()) return make_error(Code::kValidation, "a request needs at least one order");
  if (orders.size() > limits::kOrdersPerProposalMax) {
    return make_error(
        Code::kValidation,
        "a request holds at most " + std::to_string(limits::kOrdersPerProposalMax) + " orders");
  }
  if (!order_keys.empty() && order_keys.size() != orders.size()) {
    return make_error(Code::kValidation, "order keys: " + std::to_string(order_keys.size()) +
                                             " for " + std::to_string(orders.size()) + " orders");
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < order_keys.size(); ++i) {
    if (!order_keys[i]) continue;
    Status valid = validate_idempotency_key(*order_keys[i]);
    if (!valid.ok()) {
      return make_error(Code::kValidation,
                        "order " + std::to_string(i) + " key: " + valid.error().message);
    }
    // One record per key and request: a second order with the key would replay the first.
    if (!seen.insert(*order_keys[i]).second) {
      return make_error(Code::kValidation, "order " + std::to_string(i) + " key " +
                                               quote_input(*order_keys[i]) +
                                               " is another order's key in this request");
    }
  }
  if (!answers_per_order(mode, order_keys)) return ok_status();
  if (request_key) {
    return make_error(Code::kValidation,
                      "a request answering per order takes idempotency keys per order");
  }
  for (const Order& order : orders) {
    if (std::holds_alternative<SetRotationThreshold>(order)) {
      return make_error(Code::kValidation, "a cluster configuration order must be alone");
    }
  }
  return ok_status();
}

}  // namespace tally::domain
