// The attribute values the ledger stores, one struct per attribute kind (docs/design.md §2, §6).
// Encoded by core/codec/value_codec.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/amount.hpp"
#include "core/domain/metadata.hpp"
#include "core/domain/posting.hpp"

namespace tally::domain {

// Volume (ledger, account, asset): what ever came in and went out. Balance = input - output.
struct Volume {
  Amount input;
  Amount output;

  SignedAmount balance() const { return balance_of(input, output); }
  friend bool operator==(const Volume&, const Volume&) = default;
};

// Transaction (ledger, id): everything needed to revert it without reading a log.
struct TransactionState {
  std::uint64_t id = 0;
  std::vector<Posting> postings;
  Metadata metadata;
  std::uint64_t timestamp_us = 0;  // microseconds since the Unix epoch
  std::optional<std::string> reference;
  std::optional<std::uint64_t> reverted_by;  // id of the transaction that reverted this one
  std::optional<std::uint64_t> reverts;      // id of the transaction this one reverts

  friend bool operator==(const TransactionState&, const TransactionState&) = default;
};

// Ledger (name). A deleted ledger keeps its name and its data; writes are refused.
struct LedgerInfo {
  std::string name;
  std::uint64_t created_at_us = 0;
  bool deleted = false;
  std::uint64_t deleted_at_us = 0;  // 0 unless deleted

  friend bool operator==(const LedgerInfo&, const LedgerInfo&) = default;
};

// Boundary (ledger): the next ids to hand out. Deleted with the ledger.
struct Boundary {
  std::uint64_t next_transaction_id = 0;
  std::uint64_t next_log_sequence = 0;

  friend bool operator==(const Boundary&, const Boundary&) = default;
};

// Reference (ledger, reference) -> the id of the transaction that holds it.
struct ReferenceTarget {
  std::uint64_t transaction_id = 0;

  friend bool operator==(const ReferenceTarget&, const ReferenceTarget&) = default;
};

}  // namespace tally::domain
