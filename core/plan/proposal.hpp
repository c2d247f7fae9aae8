// A proposal: the command one log entry carries (DESIGN.md §4, §5).
//
// The orders' business intent (inv#8) beside the technical fields admission added: the plan,
// each order's coverage bits, and the leader's timestamp. Bulk requests are several orders
// applied atomically.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/domain/order.hpp"
#include "core/plan/plan.hpp"

namespace tally::plan {

struct AdmittedOrder {
  domain::Order order;
  Bytes coverage_bits;  // which plan entries this order may read or delete

  friend bool operator==(const AdmittedOrder&, const AdmittedOrder&) = default;
};

struct Proposal {
  std::vector<AdmittedOrder> orders;
  std::optional<std::string> idempotency_key;
  std::uint64_t timestamp_us = 0;  // the leader's clock at admission: the only time apply sees
  Plan plan;

  friend bool operator==(const Proposal&, const Proposal&) = default;
};

// The request a client sends, before admission.
struct Request {
  std::vector<domain::Order> orders;
  std::optional<std::string> idempotency_key;
};

std::vector<domain::Order> orders_of(const Proposal& proposal);

}  // namespace tally::plan
