// Helpers the reads share (not part of the query API): row-key prefixes of the attribute
// zone, positions as hex, typed row decoding, an account's view, the accounts of a ledger.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/codec/value_codec.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/query/ledger_reads.hpp"
#include "core/store/layout.hpp"

namespace tally::query::detail {

// [0x01][kind][canonical prefix]: the row-key prefix of a kind, optionally narrowed.
Bytes kind_prefix(keys::AttributeKind kind, const Bytes& canonical_prefix = {});

// The bytes of a position, which must start with prefix (kValidation otherwise).
Result<Bytes> decode_position(const std::optional<std::string>& position, const Bytes& prefix);

// The string part of canonical bytes at offset, up to its 0x00 separator.
std::string part_at(ByteView bytes, std::size_t offset);

template <class T>
Result<std::optional<T>> get_value(const store::KeyValueStore& store,
                                   const keys::AttributeKey& key) {
  auto raw = store.get(store::attribute_row_key(key));
  if (!raw.ok()) return std::move(raw).error();
  if (!raw->has_value()) return std::optional<T>();
  auto value = codec::ValueCodec<T>::decode(**raw);
  if (!value.ok()) return std::move(value).error();
  return std::optional<T>(std::move(value).value());
}

// Visits a ledger's accounts (addresses holding a volume or metadata) in address order after
// `after` ("" from the start), until visit returns false.
using AccountVisitor = std::function<Result<bool>(const AccountView& account)>;
Status for_each_account(const store::KeyValueStore& store, const std::string& ledger,
                        const std::string& after, const AccountVisitor& visit);

// Visits a ledger's transactions in id order (ascending or descending) from a row key
// (inclusive when ascending, exclusive when descending; empty: from the end of the list).
using TransactionVisitor = std::function<Result<bool>(const domain::TransactionState& state)>;
Status for_each_transaction(const store::KeyValueStore& store, const std::string& ledger,
                            bool ascending, const Bytes& from, const TransactionVisitor& visit);

}  // namespace tally::query::detail
