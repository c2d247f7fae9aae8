#include "core/sim/key_names.hpp"

#include <vector>

#include "core/codec/value_codec.hpp"
#include "core/plan/order_footprint.hpp"

namespace tally::sim {

namespace {

// The string parts of a canonical key, and the trailing bytes after the last separator.
std::vector<std::string> string_parts(const Bytes& canonical, Bytes* rest = nullptr) {
  std::vector<std::string> parts;
  std::string current;
  std::size_t consumed = 0;
  for (std::size_t i = 0; i < canonical.size(); ++i) {
    if (canonical[i] == 0x00) {
      parts.push_back(current);
      current.clear();
      consumed = i + 1;
    } else {
      current += static_cast<char>(canonical[i]);
    }
  }
  if (rest != nullptr) rest->assign(canonical.begin() + consumed, canonical.end());
  return parts;
}

std::uint64_t big_endian(const Bytes& bytes) {
  std::uint64_t value = 0;
  for (std::uint8_t b : bytes)
    value = (value << 8) | b;
  return value;
}

std::string metadata_text(const domain::Metadata& metadata) {
  if (metadata.empty()) return "{}";
  std::string out = "{";
  for (const auto& [key, value] : metadata) {
    if (out.size() > 1) out += ", ";
    out += key + ": ";
    if (std::holds_alternative<domain::MetadataNull>(value)) out += "null";
    if (const auto* s = std::get_if<std::string>(&value)) out += "\"" + *s + "\"";
    if (const auto* i = std::get_if<std::int64_t>(&value)) out += std::to_string(*i);
    if (const auto* b = std::get_if<bool>(&value)) out += *b ? "true" : "false";
  }
  return out + "}";
}

std::string transaction_text(const domain::TransactionState& t) {
  std::string out = "tx " + std::to_string(t.id) + ":";
  for (const domain::Posting& p : t.postings) {
    out +=
        " " + p.source + " -> " + p.destination + " " + p.amount.to_decimal() + " " + p.asset + ";";
  }
  if (t.reference) out += " ref " + *t.reference + ";";
  if (!t.metadata.empty()) out += " metadata " + metadata_text(t.metadata) + ";";
  if (t.reverted_by) out += " reverted by tx " + std::to_string(*t.reverted_by) + ";";
  if (t.reverts) out += " reverts tx " + std::to_string(*t.reverts) + ";";
  out.pop_back();
  return out;
}

template <class T, class Describe>
std::string decoded(ByteView value, Describe describe) {
  auto result = codec::ValueCodec<T>::decode(value);
  if (!result.ok()) return "undecodable: " + result.error().message;
  return describe(*result);
}

}  // namespace

std::string readable_key(const keys::AttributeKey& key) {
  Bytes rest;
  std::vector<std::string> parts = string_parts(key.canonical, &rest);
  auto part = [&parts](std::size_t i) { return i < parts.size() ? parts[i] : std::string("?"); };
  switch (key.kind) {
    case keys::AttributeKind::kVolume: return part(1) + "'s " + part(2) + " volume";
    case keys::AttributeKind::kAccountMetadata: return part(1) + "'s metadata";
    case keys::AttributeKind::kTransaction:
      return "transaction " + std::to_string(big_endian(rest)) + " of " + part(0);
    case keys::AttributeKind::kLedger: return "ledger " + part(0);
    case keys::AttributeKind::kBoundary: return part(0) + "'s boundary";
    case keys::AttributeKind::kReference: return "reference " + part(1) + " of " + part(0);
    case keys::AttributeKind::kLedgerMetadata: return part(0) + "'s ledger metadata";
    case keys::AttributeKind::kIdempotency: return "idempotency key " + part(0);
  }
  return "?";
}

void KeyNames::remember(const keys::AttributeKey& key, const std::string& label) {
  auto slot = std::make_pair(keys::kind_byte(key.kind), keys::attribute_id(key.canonical));
  if (!label.empty()) {
    names_[slot] = label;
  } else {
    names_.emplace(slot, readable_key(key));
  }
}

void KeyNames::remember_order(const domain::Order& order) {
  const std::string* ledger = domain::order_ledger(order);
  if (ledger == nullptr) return;
  remember(keys::ledger_key(*ledger));
  remember(keys::boundary_key(*ledger));
  remember(keys::ledger_metadata_key(*ledger));
  for (std::uint64_t id = 0; id < 64; ++id)
    remember(keys::transaction_key(*ledger, id));
  if (const auto* t = std::get_if<domain::CreateTransaction>(&order)) {
    for (const domain::Posting& p : t->postings) {
      remember(keys::volume_key(*ledger, p.source, p.asset));
      remember(keys::volume_key(*ledger, p.destination, p.asset));
    }
    if (t->reference) remember(keys::reference_key(*ledger, *t->reference));
    if (t->script) remember_script(*t);
  }
  if (const auto* m = std::get_if<domain::SetAccountMetadata>(&order))
    remember(keys::account_metadata_key(*ledger, m->account));
  if (const auto* m = std::get_if<domain::DeleteAccountMetadata>(&order))
    remember(keys::account_metadata_key(*ledger, m->account));
}

// A script's accounts as its footprint names them over an empty ledger (what depends on
// metadata stays unnamed).
void KeyNames::remember_script(const domain::CreateTransaction& order) {
  auto no_transaction = [](const std::string&, std::uint64_t) {
    return Result<std::optional<domain::TransactionState>>(std::nullopt);
  };
  auto footprint = plan::order_footprint(order, no_transaction);
  if (!footprint.ok()) return;
  for (const keys::AttributeKey& key : footprint->keys)
    remember(key);
}

std::string KeyNames::name(keys::AttributeKind kind, const keys::Id128& id) const {
  auto it = names_.find({keys::kind_byte(kind), id});
  if (it != names_.end()) return it->second;
  return std::string(keys::kind_name(kind)) + " " + id.to_hex().substr(0, 8);
}

std::string describe_value(keys::AttributeKind kind, ByteView value) {
  switch (kind) {
    case keys::AttributeKind::kVolume:
      return decoded<domain::Volume>(value, [](const domain::Volume& v) {
        return "input " + v.input.to_decimal() + ", output " + v.output.to_decimal();
      });
    case keys::AttributeKind::kAccountMetadata:
    case keys::AttributeKind::kLedgerMetadata:
      return decoded<domain::Metadata>(value, [](const domain::Metadata& m) {
        return m.empty() ? std::string("{} (zero bytes)") : metadata_text(m);
      });
    case keys::AttributeKind::kTransaction:
      return decoded<domain::TransactionState>(value, transaction_text);
    case keys::AttributeKind::kLedger:
      return decoded<domain::LedgerInfo>(value, [](const domain::LedgerInfo& l) {
        return "ledger " + l.name + (l.deleted ? " (deleted)" : "");
      });
    case keys::AttributeKind::kBoundary:
      return decoded<domain::Boundary>(value, [](const domain::Boundary& b) {
        return "next tx " + std::to_string(b.next_transaction_id) + ", next log " +
               std::to_string(b.next_log_sequence);
      });
    case keys::AttributeKind::kReference:
      return decoded<domain::ReferenceTarget>(value, [](const domain::ReferenceTarget& r) {
        return "tx " + std::to_string(r.transaction_id);
      });
    case keys::AttributeKind::kIdempotency: return "intent hash and outcome";
  }
  return "";
}

}  // namespace tally::sim
