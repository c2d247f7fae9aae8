#include "core/plan/proposal.hpp"

namespace tally::plan {

std::vector<domain::Order> orders_of(const Proposal& proposal) {
  std::vector<domain::Order> orders;
  orders.reserve(proposal.orders.size());
  for (const AdmittedOrder& admitted : proposal.orders)
    orders.push_back(admitted.order);
  return orders;
}

}  // namespace tally::plan
