// Orders: the business intents a proposal carries (docs/design.md §6).
//
// An order is immutable once admitted (inv#8); its encoding (core/codec/order_codec.hpp) is
// the business intent hashed into idempotency records and the audit chain. Technical fields
// added by admission (coverage bits, plan) live beside it in the Proposal, never inside.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/domain/metadata.hpp"
#include "core/domain/posting.hpp"
#include "core/domain/script.hpp"

namespace tally::domain {

// The key a revert transaction's metadata carries, valued with the reverted transaction's id
// in decimal: the spec key of the Go ledger this design follows, so its clients find it.
inline constexpr std::string_view kRevertMetadataKey = "com.formance.spec/state/reverts";

struct CreateLedger {
  std::string ledger;
  Metadata metadata;
  friend bool operator==(const CreateLedger&, const CreateLedger&) = default;
};

struct DeleteLedger {
  std::string ledger;
  friend bool operator==(const DeleteLedger&, const DeleteLedger&) = default;
};

// A transaction given as postings, or as a Numscript script whose run yields its postings,
// metadata and account metadata at apply (exactly one of the two).
struct CreateTransaction {
  std::string ledger;
  std::vector<Posting> postings;  // empty when script is set
  std::optional<std::string> reference;
  Metadata metadata;
  std::optional<std::uint64_t> timestamp_us;  // none: the proposal's timestamp
  bool force = false;                         // allow sources to go below zero (postings)
  // Metadata merged into accounts with the transaction, by address; each map non-empty.
  std::map<std::string, Metadata> account_metadata{};
  std::optional<Script> script{};  // the script decides its own overdrafts
  friend bool operator==(const CreateTransaction&, const CreateTransaction&) = default;
};

struct RevertTransaction {
  std::string ledger;
  std::uint64_t transaction_id = 0;
  bool force = false;              // allow the revert to overdraw
  bool at_effective_date = false;  // the revert carries the original's timestamp
  // The revert transaction's metadata; apply adds kRevertMetadataKey (the original's id).
  Metadata metadata{};
  friend bool operator==(const RevertTransaction&, const RevertTransaction&) = default;
};

struct SetAccountMetadata {
  std::string ledger;
  std::string account;
  Metadata metadata;
  friend bool operator==(const SetAccountMetadata&, const SetAccountMetadata&) = default;
};

struct DeleteAccountMetadata {
  std::string ledger;
  std::string account;
  std::string key;
  friend bool operator==(const DeleteAccountMetadata&, const DeleteAccountMetadata&) = default;
};

struct SetTransactionMetadata {
  std::string ledger;
  std::uint64_t transaction_id = 0;
  Metadata metadata;
  friend bool operator==(const SetTransactionMetadata&, const SetTransactionMetadata&) = default;
};

struct DeleteTransactionMetadata {
  std::string ledger;
  std::uint64_t transaction_id = 0;
  std::string key;
  friend bool operator==(const DeleteTransactionMetadata&,
                         const DeleteTransactionMetadata&) = default;
};

struct SetLedgerMetadata {
  std::string ledger;
  Metadata metadata;
  friend bool operator==(const SetLedgerMetadata&, const SetLedgerMetadata&) = default;
};

struct DeleteLedgerMetadata {
  std::string ledger;
  std::string key;
  friend bool operator==(const DeleteLedgerMetadata&, const DeleteLedgerMetadata&) = default;
};

// Cluster configuration: a new rotation threshold. Resets the cache (docs/design.md §4).
struct SetRotationThreshold {
  std::uint64_t threshold = 0;
  friend bool operator==(const SetRotationThreshold&, const SetRotationThreshold&) = default;
};

// The alternative index is the persisted order type (codec): append only, never reorder.
using Order = std::variant<CreateLedger, DeleteLedger, CreateTransaction, RevertTransaction,
                           SetAccountMetadata, DeleteAccountMetadata, SetTransactionMetadata,
                           DeleteTransactionMetadata, SetLedgerMetadata, DeleteLedgerMetadata,
                           SetRotationThreshold>;

// "CREATE_TRANSACTION", ... for traces and errors.
std::string_view order_name(const Order& order);

// The ledger an order writes to; none for cluster configuration.
const std::string* order_ledger(const Order& order);

// Stateless checks: names, limits, amounts. Stateful ones (funds, existence) are the FSM's.
Status validate_order(const Order& order);

// A request's orders: 1..kOrdersPerProposalMax, each valid; a cluster configuration order
// must be alone.
Status validate_orders(const std::vector<Order>& orders);

}  // namespace tally::domain
