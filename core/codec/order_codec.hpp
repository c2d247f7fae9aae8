// The business intent of orders (inv#8): the bytes hashed for idempotency and stored in the
// audit chain. Technical fields (coverage bits, plan) are never part of it.
//
// Order: [format 1|2][order type = variant index][fields of that order] (core/codec/FORMAT.md).
// Orders: u32 count, then each order length-prefixed.
#pragma once

#include <vector>

#include "core/bytes.hpp"
#include "core/domain/order.hpp"
#include "core/result.hpp"

namespace tally::codec {

inline constexpr std::uint8_t kOrderFormat = 1;
// Format 2: format 1's fields then the fields that trail it (a transaction's account
// metadata, a revert's metadata); only an order that holds one is written in it.
inline constexpr std::uint8_t kOrderTrailingFormat = 2;

Bytes encode_order(const domain::Order& order);
Result<domain::Order> decode_order(ByteView bytes);

Bytes encode_orders(const std::vector<domain::Order>& orders);
Result<std::vector<domain::Order>> decode_orders(ByteView bytes);

}  // namespace tally::codec
