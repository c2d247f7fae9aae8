#include "core/codec/order_codec.hpp"

#include "core/codec/domain_fields.hpp"
#include "core/limits.hpp"
#include "core/overloaded.hpp"

namespace tally::codec {

namespace {

using namespace domain;

void write_script(Writer& w, const Script& script) {
  w.string(script.plain);
  w.u32(static_cast<std::uint32_t>(script.vars.size()));
  for (const auto& [name, value] : script.vars) {
    w.string(name);
    w.string(value);
  }
  w.u8(static_cast<std::uint8_t>(script.runtime));
}

Script read_script(Reader& r) {
  Script script;
  script.plain = r.string();
  std::uint32_t n = r.count(limits::kScriptVariablesMax, 8);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    std::string name = r.string();
    std::string value = r.string();
    if (!script.vars.empty() && !(script.vars.rbegin()->first < name)) {
      r.fail("script variables unsorted or repeated");
      break;
    }
    script.vars.emplace(std::move(name), std::move(value));
  }
  std::uint8_t runtime = r.u8();
  if (r.ok() && runtime > static_cast<std::uint8_t>(ScriptRuntime::kExperimentalInterpreter)) {
    r.fail("unknown script runtime " + std::to_string(runtime));
  }
  script.runtime = static_cast<ScriptRuntime>(runtime);
  return script;
}

// Fields added after format 1 trail an order's encoding, in format 2, which only an order that
// holds one is written in: an order without them keeps the bytes (and intent hash) it always
// had, and a format-2 order without its trailing field is refused (one encoding per value, and
// a truncated one does not pass for a shorter order).
bool has_trailing_fields(const CreateTransaction& create) {
  return !create.account_metadata.empty() || create.script.has_value();
}

bool has_trailing_fields(const Order& order) {
  if (const auto* create = std::get_if<CreateTransaction>(&order))
    return has_trailing_fields(*create);
  if (const auto* revert = std::get_if<RevertTransaction>(&order)) return !revert->metadata.empty();
  return false;
}

// A transaction's trailing fields: its account metadata (u32 count, possibly 0), then its
// script (an option). Format 2 holds at least one of the two.
void write_transaction_trailer(Writer& w, const CreateTransaction& o) {
  if (!has_trailing_fields(o)) return;
  w.u32(static_cast<std::uint32_t>(o.account_metadata.size()));
  for (const auto& [account, metadata] : o.account_metadata) {
    w.string(account);
    write_metadata(w, metadata);
  }
  w.boolean(o.script.has_value());
  if (o.script) write_script(w, *o.script);
}

std::map<std::string, Metadata> read_account_metadata(Reader& r) {
  std::map<std::string, Metadata> accounts;
  std::uint32_t n = r.count(limits::kAccountsWithMetadataMax, 8);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    std::string account = r.string();
    if (!accounts.empty() && !(accounts.rbegin()->first < account)) {
      r.fail("account metadata not sorted by account");
      break;
    }
    accounts.emplace(std::move(account), read_metadata(r));
  }
  return accounts;
}

void read_transaction_trailer(Reader& r, CreateTransaction& o) {
  o.account_metadata = read_account_metadata(r);
  if (r.boolean()) o.script = read_script(r);
  if (r.ok() && o.account_metadata.empty() && !o.script) {
    r.fail("an empty trailing account metadata list and no script");
  }
}

void write_trailing_metadata(Writer& w, const Metadata& metadata) {
  if (!metadata.empty()) write_metadata(w, metadata);
}

Metadata read_trailing_metadata(Reader& r, bool trailing) {
  if (!trailing) return {};
  Metadata metadata = read_metadata(r);
  if (metadata.empty()) r.fail("an empty trailing metadata map");
  return metadata;
}

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
                   write_transaction_trailer(w, o);
                 },
                 [&](const RevertTransaction& o) {
                   w.string(o.ledger);
                   w.u64(o.transaction_id);
                   w.boolean(o.force);
                   w.boolean(o.at_effective_date);
                   write_trailing_metadata(w, o.metadata);
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
Order read_order_fields(Reader& r, std::uint8_t type, bool trailing) {
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
      if (trailing) read_transaction_trailer(r, o);
      return o;
    }
    case 3: {
      RevertTransaction o;
      o.ledger = r.string();
      o.transaction_id = r.u64();
      o.force = r.boolean();
      o.at_effective_date = r.boolean();
      o.metadata = read_trailing_metadata(r, trailing);
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
  Writer w(192);  // a transfer of one or two postings in one allocation
  w.u8(has_trailing_fields(order) ? kOrderTrailingFormat : kOrderFormat);
  w.u8(static_cast<std::uint8_t>(order.index()));
  write_fields(w, order);
  return w.take();
}

Result<Order> decode_order(ByteView bytes) {
  return decode_all<Order>(bytes, "order", [](Reader& r) {
    const std::uint8_t format = r.u8();
    if (format != kOrderFormat && format != kOrderTrailingFormat) {
      r.fail("unknown order format " + std::to_string(format));
    }
    std::uint8_t type = r.u8();
    if (!r.ok()) return Order{DeleteLedger{}};
    Order order = read_order_fields(r, type, format == kOrderTrailingFormat);
    if (r.ok() && has_trailing_fields(order) != (format == kOrderTrailingFormat)) {
      r.fail("an order of format 2 without its trailing field");
    }
    return order;
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
