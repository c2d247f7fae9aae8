// Encodings of the attribute values (doc: core/codec/FORMAT.md). Every value starts with a
// format byte (1 today) so a later format can be told apart and refused or migrated.
//
// ValueCodec<T> gives encode / decode per value type, for typed attribute access.
#pragma once

#include "core/bytes.hpp"
#include "core/domain/values.hpp"
#include "core/result.hpp"

namespace tally::codec {

inline constexpr std::uint8_t kValueFormat = 1;

template <class T>
struct ValueCodec;

template <>
struct ValueCodec<domain::Volume> {
  static Bytes encode(const domain::Volume& v);
  static Result<domain::Volume> decode(ByteView bytes);
};

template <>
struct ValueCodec<domain::TransactionState> {
  static Bytes encode(const domain::TransactionState& v);
  static Result<domain::TransactionState> decode(ByteView bytes);
};

template <>
struct ValueCodec<domain::LedgerInfo> {
  static Bytes encode(const domain::LedgerInfo& v);
  static Result<domain::LedgerInfo> decode(ByteView bytes);
};

template <>
struct ValueCodec<domain::Boundary> {
  static Bytes encode(const domain::Boundary& v);
  static Result<domain::Boundary> decode(ByteView bytes);
};

template <>
struct ValueCodec<domain::ReferenceTarget> {
  static Bytes encode(const domain::ReferenceTarget& v);
  static Result<domain::ReferenceTarget> decode(ByteView bytes);
};

// AccountMetadata and LedgerMetadata values. The empty map encodes to zero bytes.
template <>
struct ValueCodec<domain::Metadata> {
  static Bytes encode(const domain::Metadata& v);
  static Result<domain::Metadata> decode(ByteView bytes);
};

}  // namespace tally::codec
