// Transactions: listed and counted with filters, and the volumes each left behind (the API's
// expand=volumes / effectiveVolumes). See ledger_reads.hpp for pages and positions.
#pragma once

#include <map>

#include "core/query/ledger_reads.hpp"

namespace tally::query {

struct TransactionQuery {
  PageRequest page;                     // default order: newest first
  bool by_effective = false;            // by (timestamp, id) instead of id
  std::optional<std::uint64_t> pit_us;  // only transactions with timestamp <= pit
};

Result<Page<domain::TransactionState>> list_transactions(const store::KeyValueStore& store,
                                                         const std::string& ledger,
                                                         const TransactionQuery& query);
Result<Page<domain::TransactionState>> list_transactions(const store::KeyValueStore& store,
                                                         const std::string& ledger,
                                                         const PageRequest& page);
Result<std::uint64_t> count_transactions(const store::KeyValueStore& store,
                                         const std::string& ledger, const Filter* filter,
                                         std::optional<std::uint64_t> pit_us = std::nullopt);

// When a transaction was reverted: its revert's timestamp (the revert of a transaction
// reverted at its effective date carries the original's); none when it is not reverted.
Result<std::optional<std::uint64_t>> reverted_at(const store::KeyValueStore& store,
                                                 const std::string& ledger,
                                                 const domain::TransactionState& transaction);

// By account, then asset.
using AccountVolumes = std::map<std::string, std::map<std::string, domain::Volume>>;

// The volumes of the accounts each transaction moved, right after it: in id order, or in
// effective order ((timestamp, id): a transaction dated in the past lands among its peers).
// Read back from the current volumes by undoing later transactions: by id it reads the
// transactions newer than the oldest asked for; by effective date, every transaction of the
// ledger. The pre-commit volumes are these minus the transaction's own postings.
Result<std::map<std::uint64_t, AccountVolumes>> post_commit_volumes(
    const store::KeyValueStore& store, const std::string& ledger,
    const std::vector<domain::TransactionState>& transactions, bool effective);
AccountVolumes pre_commit_volumes(const AccountVolumes& post,
                                  const std::vector<domain::Posting>& postings);

}  // namespace tally::query
