// Accounts, balances and volumes: listed, counted and summed with filters. See
// ledger_reads.hpp for pages and positions.
#pragma once

#include "core/query/ledger_reads.hpp"

namespace tally::query {

// In address order.
Result<Page<AccountView>> list_accounts(const store::KeyValueStore& store,
                                        const std::string& ledger, const PageRequest& page);
Result<std::uint64_t> count_accounts(const store::KeyValueStore& store, const std::string& ledger,
                                     const Filter* filter);

// Sum of balances per asset over the accounts the filter selects (none: every account, where
// double entry makes every asset sum to zero).
Result<std::map<std::string, domain::SignedAmount>> aggregate_balances(
    const store::KeyValueStore& store, const std::string& ledger, const Filter* filter);

struct VolumeQuery {
  PageRequest page;          // in (account, asset) order
  std::size_t group_by = 0;  // > 0: accounts summed by their first group_by segments
};
Result<Page<VolumeRow>> list_volumes(const store::KeyValueStore& store, const std::string& ledger,
                                     const VolumeQuery& query);

}  // namespace tally::query
