// What each list of the API can be filtered on (filter.hpp), after the Go ledger's query
// schemas, and each item's answer to a filter leaf. Fields Tally does not keep (insertion
// dates, first usage) are known but refused (kValidation naming them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/domain/order.hpp"
#include "core/domain/values.hpp"
#include "core/query/filter.hpp"

namespace tally::query {

struct LedgerView {
  domain::LedgerInfo info;
  domain::Metadata metadata;
};

// An account exists once it has a volume or metadata.
struct AccountView {
  std::string address;
  std::map<std::string, domain::Volume> volumes;  // by asset
  domain::Metadata metadata;
};

// One (account, asset) volume, or a group of them (/volumes with groupBy).
struct VolumeRow {
  std::string account;
  std::string asset;
  domain::Volume volume;
};

// One entry of a ledger's log, as the Go ledger's /logs shows it.
struct LogView {
  enum class Type { kNewTransaction, kSetMetadata, kRevertedTransaction, kDeleteMetadata };
  std::uint64_t id = 0;  // the ledger's log sequence
  Type type = Type::kNewTransaction;
  std::uint64_t date_us = 0;  // the audit entry's timestamp
  Bytes hash;                 // the audit entry's hash (shared by the logs of one entry)
  std::optional<std::string> idempotency_key;
  domain::Order order;
  // kNewTransaction: the transaction as created; kRevertedTransaction: the revert as created
  // (transaction) and the transaction it reverts (reverted, as stored now).
  std::optional<domain::TransactionState> transaction;
  std::optional<domain::TransactionState> reverted;
};
std::string_view log_type_name(LogView::Type type);  // "NEW_TRANSACTION", ...

const Schema& ledger_schema();       // name, bucket, metadata
const Schema& transaction_schema();  // id, reference, timestamp, account, source, ...
const Schema& account_schema();      // address, balance, metadata
const Schema& volume_schema();       // address (alias account), balance, metadata
const Schema& balance_schema();      // address, metadata (aggregated balances)
const Schema& log_schema();          // id, date, type

bool ledger_leaf(const Filter& leaf, const LedgerView& ledger);
bool transaction_leaf(const Filter& leaf, const domain::TransactionState& transaction);
bool account_leaf(const Filter& leaf, const AccountView& account);
// A volume row with its account's metadata (empty when the account has none).
bool volume_leaf(const Filter& leaf, const VolumeRow& row, const domain::Metadata& metadata);
bool log_leaf(const Filter& leaf, const LogView& log);

// Whether item passes filter (no filter: every item).
template <class Leaf>
bool passes(const Filter* filter, Leaf leaf) {
  return filter == nullptr || evaluate(*filter, leaf);
}

}  // namespace tally::query
