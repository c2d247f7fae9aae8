#include "core/keys/attribute_key.hpp"

#include "core/invariant.hpp"

namespace tally::keys {

void append_part(Bytes& out, std::string_view part) {
  TALLY_INVARIANT(part.find('\0') == std::string_view::npos,
                  "key part holds a 0x00 byte; validation must reject it first");
  append(out, part);
  out.push_back(0x00);
}

namespace {

AttributeKey make(AttributeKind kind, std::initializer_list<std::string_view> parts,
                  std::size_t extra = 0) {
  AttributeKey key{kind, {}};
  std::size_t size = extra;
  for (std::string_view part : parts)
    size += part.size() + 1;
  key.canonical.reserve(size);  // one allocation per key
  for (std::string_view part : parts)
    append_part(key.canonical, part);
  return key;
}

}  // namespace

AttributeKey volume_key(std::string_view ledger, std::string_view account, std::string_view asset) {
  return make(AttributeKind::kVolume, {ledger, account, asset});
}

AttributeKey account_metadata_key(std::string_view ledger, std::string_view account) {
  return make(AttributeKind::kAccountMetadata, {ledger, account});
}

AttributeKey transaction_key(std::string_view ledger, std::uint64_t transaction_id) {
  AttributeKey key = make(AttributeKind::kTransaction, {ledger}, 8);
  put_u64_be(key.canonical, transaction_id);
  return key;
}

AttributeKey ledger_key(std::string_view ledger) {
  return make(AttributeKind::kLedger, {ledger});
}

AttributeKey boundary_key(std::string_view ledger) {
  return make(AttributeKind::kBoundary, {ledger});
}

AttributeKey reference_key(std::string_view ledger, std::string_view reference) {
  return make(AttributeKind::kReference, {ledger, reference});
}

AttributeKey ledger_metadata_key(std::string_view ledger) {
  return make(AttributeKind::kLedgerMetadata, {ledger});
}

AttributeKey idempotency_key(std::string_view key) {
  return make(AttributeKind::kIdempotency, {key});
}

Bytes ledger_prefix(std::string_view ledger) {
  Bytes out;
  append_part(out, ledger);
  return out;
}

Bytes account_prefix(std::string_view ledger, std::string_view account) {
  Bytes out = ledger_prefix(ledger);
  append_part(out, account);
  return out;
}

}  // namespace tally::keys
