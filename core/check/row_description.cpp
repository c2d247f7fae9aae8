#include "core/check/row_description.hpp"

#include "core/codec/value_codec.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "core/keys/attribute_kind.hpp"
#include "core/store/layout.hpp"

namespace tally::check {

namespace {

using keys::AttributeKind;

// Canonical parts joined by '/', with an 8-byte id after a ledger shown as a number.
std::string readable_parts(ByteView bytes, bool trailing_id) {
  std::string out;
  std::size_t end = trailing_id && bytes.size >= 8 ? bytes.size - 8 : bytes.size;
  for (std::size_t i = 0; i < end; ++i) {
    char c = static_cast<char>(bytes[i]);
    if (c == '\0') {
      if (i + 1 < end || trailing_id) out += '/';
    } else {
      out += c;
    }
  }
  if (trailing_id && bytes.size >= 8) out += std::to_string(get_u64_be(bytes.data + end));
  return out;
}

template <class T>
std::string decoded(ByteView value, std::string (*show)(const T&)) {
  auto v = codec::ValueCodec<T>::decode(value);
  return v.ok() ? show(*v) : "undecodable " + to_hex(value);
}

std::string show_volume(const domain::Volume& v) {
  return "input=" + v.input.to_decimal() + " output=" + v.output.to_decimal();
}
std::string show_transaction(const domain::TransactionState& t) {
  std::string out = "tx " + std::to_string(t.id) +
                    " postings=" + std::to_string(t.postings.size()) +
                    " metadata=" + std::to_string(t.metadata.size());
  if (t.reverted_by) out += " reverted_by=" + std::to_string(*t.reverted_by);
  if (t.reverts) out += " reverts=" + std::to_string(*t.reverts);
  return out;
}
std::string show_ledger(const domain::LedgerInfo& l) {
  return l.name + (l.deleted ? " (deleted)" : "");
}
std::string show_boundary(const domain::Boundary& b) {
  return "next_tx=" + std::to_string(b.next_transaction_id) +
         " next_log=" + std::to_string(b.next_log_sequence);
}
std::string show_reference(const domain::ReferenceTarget& r) {
  return "tx " + std::to_string(r.transaction_id);
}
std::string show_metadata(const domain::Metadata& m) {
  std::string out = "{";
  for (const auto& [key, value] : m)
    out += (out.size() > 1 ? "," : "") + key;
  return out + "}";
}

}  // namespace

bool is_derived_row(ByteView key) {
  if (key.size == 0) return false;
  return key[0] == store::kZoneAttributes || key[0] == store::kZoneIdempotency ||
         (key[0] == store::kZoneAudit && key.size > 1 && key[1] == 'L');
}

MismatchKind row_kind(ByteView key) {
  if (key.size >= 1 && key[0] == store::kZoneIdempotency) return MismatchKind::kIdempotency;
  if (key.size >= 1 && key[0] == store::kZoneAudit) return MismatchKind::kLedgerLog;
  if (key.size < 2 || key[0] != store::kZoneAttributes) return MismatchKind::kUnknownRow;
  auto kind = keys::kind_from_byte(key[1]);
  if (!kind) return MismatchKind::kUnknownRow;
  switch (*kind) {
    case AttributeKind::kVolume: return MismatchKind::kVolume;
    case AttributeKind::kAccountMetadata: return MismatchKind::kAccountMetadata;
    case AttributeKind::kTransaction: return MismatchKind::kTransaction;
    case AttributeKind::kLedger: return MismatchKind::kLedger;
    case AttributeKind::kBoundary: return MismatchKind::kBoundary;
    case AttributeKind::kReference: return MismatchKind::kReference;
    case AttributeKind::kLedgerMetadata: return MismatchKind::kLedgerMetadata;
    case AttributeKind::kIdempotency: return MismatchKind::kIdempotency;
  }
  return MismatchKind::kUnknownRow;
}

std::string describe_row_key(ByteView key) {
  MismatchKind kind = row_kind(key);
  std::string name(mismatch_name(kind));
  switch (kind) {
    case MismatchKind::kIdempotency:
      return name + " " + readable_parts(key.sub(1, key.size - 1), false);
    case MismatchKind::kLedgerLog:
      return name + " " + readable_parts(key.sub(2, key.size - 2), true);
    case MismatchKind::kTransaction:
      return name + " " + readable_parts(key.sub(2, key.size - 2), true);
    case MismatchKind::kUnknownRow: return name + " " + to_hex(key);
    default: return name + " " + readable_parts(key.sub(2, key.size - 2), false);
  }
}

std::string describe_row_value(ByteView key, ByteView value) {
  switch (row_kind(key)) {
    case MismatchKind::kVolume: return decoded<domain::Volume>(value, show_volume);
    case MismatchKind::kTransaction:
      return decoded<domain::TransactionState>(value, show_transaction);
    case MismatchKind::kLedger: return decoded<domain::LedgerInfo>(value, show_ledger);
    case MismatchKind::kBoundary: return decoded<domain::Boundary>(value, show_boundary);
    case MismatchKind::kReference: return decoded<domain::ReferenceTarget>(value, show_reference);
    case MismatchKind::kAccountMetadata:
    case MismatchKind::kLedgerMetadata: return decoded<domain::Metadata>(value, show_metadata);
    default: return to_hex(value);
  }
}

}  // namespace tally::check
