// Reads for the API (issue #3): served from the store's attribute zone by point gets and
// prefix scans bounded by the page size, never by scanning everything. Followers answer
// them from their own store; they see the state of the last committed batch.
//
// Cursors are opaque strings (hex of the position to continue after); a cursor that does
// not belong to the list it is used on is a VALIDATION error.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/values.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::query {

template <class T>
struct Page {
  std::vector<T> data;
  std::optional<std::string> next;  // cursor of the next page; none on the last page
};

struct PageRequest {
  std::size_t limit = 0;              // 0: the default page size
  std::optional<std::string> cursor;  // from a previous page's next
};

struct LedgerView {
  domain::LedgerInfo info;
  domain::Metadata metadata;
};

struct AccountView {
  std::string address;
  std::map<std::string, domain::Volume> volumes;  // by asset
  domain::Metadata metadata;
};

Result<std::optional<LedgerView>> get_ledger(const store::KeyValueStore& store,
                                             const std::string& ledger);
// The ledger's info alone (one point read: whether it exists and is deleted).
Result<std::optional<domain::LedgerInfo>> get_ledger_info(const store::KeyValueStore& store,
                                                          const std::string& ledger);
Result<Page<LedgerView>> list_ledgers(const store::KeyValueStore& store, const PageRequest& page);

Result<std::optional<domain::TransactionState>> get_transaction(const store::KeyValueStore& store,
                                                                const std::string& ledger,
                                                                std::uint64_t id);
// Newest first.
Result<Page<domain::TransactionState>> list_transactions(const store::KeyValueStore& store,
                                                         const std::string& ledger,
                                                         const PageRequest& page);

// An account exists once it has a volume or metadata; none otherwise.
Result<std::optional<AccountView>> get_account(const store::KeyValueStore& store,
                                               const std::string& ledger,
                                               const std::string& address);
// In address order.
Result<Page<AccountView>> list_accounts(const store::KeyValueStore& store,
                                        const std::string& ledger, const PageRequest& page);

// Sum of balances per asset over the accounts whose address starts with address_prefix
// (empty: the whole ledger, where double entry makes every asset sum to zero).
Result<std::map<std::string, domain::SignedAmount>> aggregate_balances(
    const store::KeyValueStore& store, const std::string& ledger,
    const std::string& address_prefix);

}  // namespace tally::query
