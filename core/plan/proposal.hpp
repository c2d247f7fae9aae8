// A proposal: the command one log entry carries (docs/design.md §4, §5).
//
// The orders' business intent (inv#8) beside the technical fields admission added: the plan,
// each order's coverage bits, and the leader's timestamp. A bulk is several orders, applied
// atomically or each on its own (domain/bulk.hpp), in this one entry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/domain/bulk.hpp"
#include "core/domain/order.hpp"
#include "core/plan/plan.hpp"

namespace tally::plan {

struct AdmittedOrder {
  domain::Order order;
  Bytes coverage_bits;  // which plan entries this order may read or delete
  // The order's own idempotency key: its outcome is recorded under it (per-order answers).
  std::optional<std::string> idempotency_key{};

  friend bool operator==(const AdmittedOrder&, const AdmittedOrder&) = default;
};

struct Proposal {
  std::vector<AdmittedOrder> orders;
  std::optional<std::string> idempotency_key;
  std::uint64_t timestamp_us = 0;  // the leader's clock at admission: the only time apply sees
  Plan plan;
  domain::BulkMode mode = domain::BulkMode::kAtomic;

  friend bool operator==(const Proposal&, const Proposal&) = default;
};

// The request a client sends, before admission.
struct Request {
  std::vector<domain::Order> orders;
  std::optional<std::string> idempotency_key;  // the whole request's (one outcome for all)
  domain::BulkMode mode = domain::BulkMode::kAtomic;
  domain::OrderKeys order_keys{};  // empty, or one per order
};

std::vector<domain::Order> orders_of(const Proposal& proposal);
domain::OrderKeys order_keys_of(const Proposal& proposal);  // empty when no order has a key
// Whether the proposal answers one outcome per order (domain::answers_per_order).
bool answers_per_order(const Proposal& proposal);
bool answers_per_order(const Request& request);

}  // namespace tally::plan
