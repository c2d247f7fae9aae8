// Reads for the API: served from the store's attribute zone by point gets and ordered scans,
// never from the cache (a follower answers from its own store: the state of its last applied
// entry). Lists page through an ordered scan; a filter (filter.hpp, validated by the caller
// against the resource's schema in resources.hpp) is evaluated on each item the scan visits,
// so a filtered list may read more rows than it returns (there are no secondary indexes).
//
// Positions are opaque strings (hex of where the page stopped); one that does not belong to
// the list it is used on is a VALIDATION error. The API wraps them into its cursors.
//
// This header: the pages, ledgers and the point gets. transaction_reads.hpp,
// account_reads.hpp and log_reads.hpp hold the other lists.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/values.hpp"
#include "core/query/resources.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::query {

template <class T>
struct Page {
  std::vector<T> data;
  std::optional<std::string> next;  // position of the next page; none on the last page
};

enum class ListOrder { kDefault, kAscending, kDescending };

struct PageRequest {
  std::size_t limit = 0;              // 0: the default page size
  std::optional<std::string> cursor;  // from a previous page's next
  const Filter* filter = nullptr;     // none: every item
  ListOrder order = ListOrder::kDefault;
};

Result<std::optional<LedgerView>> get_ledger(const store::KeyValueStore& store,
                                             const std::string& ledger);
// In name order; deleted ledgers only when include_deleted.
Result<Page<LedgerView>> list_ledgers(const store::KeyValueStore& store, const PageRequest& page,
                                      bool include_deleted = true);

Result<std::optional<domain::TransactionState>> get_transaction(const store::KeyValueStore& store,
                                                                const std::string& ledger,
                                                                std::uint64_t id);

// An account exists once it has a volume or metadata; none otherwise.
Result<std::optional<AccountView>> get_account(const store::KeyValueStore& store,
                                               const std::string& ledger,
                                               const std::string& address);

// The page size a request asks for, within limits.
std::size_t page_size(const PageRequest& page);

}  // namespace tally::query
