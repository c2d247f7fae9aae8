#include "core/codec/order_codec.hpp"

#include "core/codec/domain_fields.hpp"
#include "core/limits.hpp"
#include "core/overloaded.hpp"

namespace tally::codec {

namespace {

using namespace domain;

void write_fields(Writer& w, const Order& order) {
  std::visit(Overloaded{
                 [&](const CreateLedger& o) {
                   w.string(o.ledger);
                   write_metadata(w, o.metadata);
                 },
                 [&](const DeleteLedger& o) { w.string(o.ledger); },
                 [&](const CreateTransaction& o) {
                   w.string(o.ledger);
                   write_postings(w, o.postings);
                   write_optional_string(w, o.reference);
                   write_metadata(w, o.metadata);
                   write_optional_u64(w, o.timestamp_us);
                   w.boolean(o.force);
                 },
                 [&](const RevertTransaction& o) {
                   w.string(o.ledger);
                   w.u64(o.transaction_id);
                   w.boolean(o.force);
                   w.boolean(o.at_effective_date);
                 },
                 [&](const SetAccountMetadata& o) {
                   w.string(o.ledger);
                   w.string(o.account);
                   write_metadata(w, o.metadata);
                 },
                 [&](const DeleteAccountMetadata& o) {
                   w.string(o.ledger);
                   w.string(o.account);
                   w.string(o.key);
                 },
                 [&](const SetTransactionMetadata& o) {
                   w.string(o.ledger);
                   w.u64(o.transaction_id);
                   write_metadata(w, o.metadata);
                 },
                 [&](const DeleteTransactionMetadata& o) {
                   w.string(o.ledger);
                   w.u64(o.transaction_id);
                   w.string(o.key);
                 },
                 [&](const SetLedgerMetadata& o) {
                   w.string(o.ledger);
                   write_metadata(w, o.metadata);
                 },
                 [&](const DeleteLedgerMetadata& o) {
                   w.string(o.ledger);
                   w.string(o.key);
                 },
                 [&](const SetRotationThreshold& o) { w.u64(o.threshold); },
             },
             order);
}

// One reader per order type, indexed by the variant index.
Order read_order_fields(Reader& r, std::uint8_t type) {
  switch (type) {
    case 0: {
      CreateLedger o;
      o.ledger = r.string();
      o.metadata = read_metadata(r);
      return o;
    }
    case 1: return DeleteLedger{r.string()};
    case 2: {
      CreateTransaction o;
      o.ledger = r.string();
      o.postings = read_postings(r);
      o.reference = read_optional_string(r);
      o.metadata = read_metadata(r);
      o.timestamp_us = read_optional_u64(r);
      o.force = r.boolean();
      return o;
    }
    case 3: {
      RevertTransaction o;
      o.ledger = r.string();
      o.transaction_id = r.u64();
      o.force = r.boolean();
      o.at_effective_date = r.boolean();
      return o;
    }
    case 4: {
      SetAccountMetadata o;
      o.ledger = r.string();
      o.account = r.string();
      o.metadata = read_metadata(r);
      return o;
    }
    case 5: {
      DeleteAccountMetadata o;
      o.ledger = r.string();
      o.account = r.string();
      o.key = r.string();
      return o;
    }
    case 6: {
      SetTransactionMetadata o;
      o.ledger = r.string();
      o.transaction_id = r.u64();
      o.metadata = read_metadata(r);
      return o;
    }
    case 7: {
      DeleteTransactionMetadata o;
      o.ledger = r.string();
      o.transaction_id = r.u64();
      o.key = r.string();
      return o;
    }
    case 8: {
      SetLedgerMetadata o;
      o.ledger = r.string();
      o.metadata = read_metadata(r);
      return o;
    }
    case 9: {
      DeleteLedgerMetadata o;
      o.ledger = r.string();
      o.key = r.string();
      return o;
    }
    case 10: return SetRotationThreshold{r.u64()};
    default: r.fail("unknown order type " + std::to_string(type)); return DeleteLedger{};
  }
}

static_assert(std::variant_size_v<Order> == 11, "a new order type needs its codec case");

}  // namespace

Bytes encode_order(const Order& order) {
  Writer w;
  w.u8(kOrderFormat);
  w.u8(static_cast<std::uint8_t>(order.index()));
  write_fields(w, order);
  return w.take();
}

Result<Order> decode_order(ByteView bytes) {
  return decode_all<Order>(bytes, "order", [](Reader& r) {
    expect_format(r, kOrderFormat);
    std::uint8_t type = r.u8();
    if (!r.ok()) return Order{DeleteLedger{}};
    return read_order_fields(r, type);
  });
}

Bytes encode_orders(const std::vector<Order>& orders) {
  Writer w;
  w.u32(static_cast<std::uint32_t>(orders.size()));
  for (const Order& order : orders)
    w.bytes(encode_order(order));
  return w.take();
}

Result<std::vector<Order>> decode_orders(ByteView bytes) {
  Reader r(bytes, "orders");
  std::uint32_t n = r.count(limits::kOrdersPerProposalMax, 4);
  std::vector<Order> orders;
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    Bytes one = r.bytes();
    if (!r.ok()) break;
    auto order = decode_order(one);
    if (!order.ok()) return std::move(order).error();
    orders.push_back(std::move(order).value());
  }
  TALLY_TRY(r.finish());
  return orders;
}

}  // namespace tally::codec
