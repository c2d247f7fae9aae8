// The business intent of orders (inv#8): the bytes hashed for idempotency and stored in the
// audit chain. Technical fields (coverage bits, plan) are never part of it.
//
// Order: [format 1][order type = variant index][fields of that order] (core/codec/FORMAT.md).
// Orders: u32 count, then each order length-prefixed.
#pragma once

#include <vector>

#include "core/bytes.hpp"
#include "core/domain/order.hpp"
#include "core/result.hpp"

namespace tally::codec {

inline constexpr std::uint8_t kOrderFormat = 1;

Bytes encode_order(const domain::Order& order);
Result<domain::Order> decode_order(ByteView bytes);

Bytes encode_orders(const std::vector<domain::Order>& orders);
Result<std::vector<domain::Order>> decode_orders(ByteView bytes);

}  // namespace tally::codec
