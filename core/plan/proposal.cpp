#include "core/plan/proposal.hpp"

namespace tally::plan {

std::vector<domain::Order> orders_of(const Proposal& proposal) {
  std::vector<domain::Order> orders;
  orders.reserve(proposal.orders.size());
  for (const AdmittedOrder& admitted : proposal.orders)
    orders.push_back(admitted.order);
  return orders;
}

domain::OrderKeys order_keys_of(const Proposal& proposal) {
  domain::OrderKeys keys;
  for (std::size_t i = 0; i < proposal.orders.size(); ++i) {
    if (!proposal.orders[i].idempotency_key) continue;
    keys.resize(proposal.orders.size());
    keys[i] = proposal.orders[i].idempotency_key;
  }
  return keys;
}

bool answers_per_order(const Proposal& proposal) {
  return domain::answers_per_order(proposal.mode, order_keys_of(proposal));
}

bool answers_per_order(const Request& request) {
  return domain::answers_per_order(request.mode, request.order_keys);
}

}  // namespace tally::plan
