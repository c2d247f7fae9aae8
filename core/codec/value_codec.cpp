#include "core/codec/value_codec.hpp"

#include "core/codec/domain_fields.hpp"
#include "core/domain/validation.hpp"

namespace tally::codec {

namespace {

// Values at rest obey the same rules as the requests they came from: names that later become
// key parts (a revert builds volume keys from a stored transaction's postings) must be valid,
// or a damaged row or a forged seed could stop the node inside key construction.
void require_valid(Reader& r, const char* field, const Status& rule) {
  if (r.ok() && !rule.ok()) r.fail(std::string(field) + ": " + rule.error().message);
}

}  // namespace

Bytes ValueCodec<domain::Volume>::encode(const domain::Volume& v) {
  Writer w;
  w.u8(kValueFormat);
  write_amount(w, v.input);
  write_amount(w, v.output);
  return w.take();
}

Result<domain::Volume> ValueCodec<domain::Volume>::decode(ByteView bytes) {
  return decode_all<domain::Volume>(bytes, "volume", [](Reader& r) {
    expect_format(r, kValueFormat);
    domain::Volume v;
    v.input = read_amount(r);
    v.output = read_amount(r);
    return v;
  });
}

Bytes ValueCodec<domain::TransactionState>::encode(const domain::TransactionState& v) {
  Writer w;
  w.u8(kValueFormat);
  w.u64(v.id);
  write_postings(w, v.postings);
  write_metadata(w, v.metadata);
  w.u64(v.timestamp_us);
  write_optional_string(w, v.reference);
  write_optional_u64(w, v.reverted_by);
  write_optional_u64(w, v.reverts);
  return w.take();
}

Result<domain::TransactionState> ValueCodec<domain::TransactionState>::decode(ByteView bytes) {
  return decode_all<domain::TransactionState>(bytes, "transaction", [](Reader& r) {
    expect_format(r, kValueFormat);
    domain::TransactionState v;
    v.id = r.u64();
    v.postings = read_postings(r);
    v.metadata = read_metadata(r);
    v.timestamp_us = r.u64();
    v.reference = read_optional_string(r);
    v.reverted_by = read_optional_u64(r);
    v.reverts = read_optional_u64(r);
    // A transaction has at least one posting: a zero-posting revert is the bug the seed's
    // review names (formancehq/ledger#1455); no stored state may lead to one.
    require_valid(r, "postings", domain::validate_postings(v.postings));
    require_valid(r, "metadata", domain::validate_metadata(v.metadata));
    if (v.reference) require_valid(r, "reference", domain::validate_reference(*v.reference));
    return v;
  });
}

Bytes ValueCodec<domain::LedgerInfo>::encode(const domain::LedgerInfo& v) {
  Writer w;
  w.u8(kValueFormat);
  w.string(v.name);
  w.u64(v.created_at_us);
  w.boolean(v.deleted);
  w.u64(v.deleted_at_us);
  return w.take();
}

Result<domain::LedgerInfo> ValueCodec<domain::LedgerInfo>::decode(ByteView bytes) {
  return decode_all<domain::LedgerInfo>(bytes, "ledger", [](Reader& r) {
    expect_format(r, kValueFormat);
    domain::LedgerInfo v;
    v.name = r.string();
    v.created_at_us = r.u64();
    v.deleted = r.boolean();
    v.deleted_at_us = r.u64();
    require_valid(r, "name", domain::validate_ledger_name(v.name));
    return v;
  });
}

Bytes ValueCodec<domain::Boundary>::encode(const domain::Boundary& v) {
  Writer w;
  w.u8(kValueFormat);
  w.u64(v.next_transaction_id);
  w.u64(v.next_log_sequence);
  return w.take();
}

Result<domain::Boundary> ValueCodec<domain::Boundary>::decode(ByteView bytes) {
  return decode_all<domain::Boundary>(bytes, "boundary", [](Reader& r) {
    expect_format(r, kValueFormat);
    domain::Boundary v;
    v.next_transaction_id = r.u64();
    v.next_log_sequence = r.u64();
    return v;
  });
}

Bytes ValueCodec<domain::ReferenceTarget>::encode(const domain::ReferenceTarget& v) {
  Writer w;
  w.u8(kValueFormat);
  w.u64(v.transaction_id);
  return w.take();
}

Result<domain::ReferenceTarget> ValueCodec<domain::ReferenceTarget>::decode(ByteView bytes) {
  return decode_all<domain::ReferenceTarget>(bytes, "reference", [](Reader& r) {
    expect_format(r, kValueFormat);
    return domain::ReferenceTarget{r.u64()};
  });
}

// An empty map is zero bytes, as an empty protobuf message is in the Go ledger: the reason the
// cache mirror marks tombstones with a flag, never with emptiness (docs/design.md §3).
Bytes ValueCodec<domain::Metadata>::encode(const domain::Metadata& v) {
  if (v.empty()) return {};
  Writer w;
  w.u8(kValueFormat);
  write_metadata(w, v);
  return w.take();
}

Result<domain::Metadata> ValueCodec<domain::Metadata>::decode(ByteView bytes) {
  if (bytes.empty()) return domain::Metadata{};
  return decode_all<domain::Metadata>(bytes, "metadata", [](Reader& r) {
    expect_format(r, kValueFormat);
    domain::Metadata metadata = read_metadata(r);
    if (r.ok() && metadata.empty()) r.fail("an empty map has a single encoding: zero bytes");
    require_valid(r, "metadata", domain::validate_metadata(metadata));
    return metadata;
  });
}

}  // namespace tally::codec
