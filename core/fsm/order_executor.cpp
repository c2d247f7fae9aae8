#include "core/fsm/order_executor.hpp"

#include "core/overloaded.hpp"

namespace tally::fsm {

Result<OrderResult> execute_order(const domain::Order& order, OrderContext& context) {
  return std::visit(
      Overloaded{
          [&](const domain::SetRotationThreshold&) -> Result<OrderResult> { return OrderResult{}; },
          [&](const auto& o) -> Result<OrderResult> { return execute(o, context); },
      },
      order);
}

}  // namespace tally::fsm
