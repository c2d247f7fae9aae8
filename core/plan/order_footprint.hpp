// What each order reads or deletes: the attributes admission must declare (DESIGN.md §4).
//
// Writes alone need no declaration (Put does not pass the gate); everything an executor in
// core/fsm/ reads or deletes is listed here, and the gate proves it at apply (inv#5). A
// revert also reads the volumes of the original's postings, so its footprint depends on the
// transaction's stored state, which admission looks up.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "core/domain/order.hpp"
#include "core/domain/values.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::plan {

// Looks up a transaction's state as admission sees it (cache, else store); none if absent.
using TransactionLookup = std::function<Result<std::optional<domain::TransactionState>>(
    const std::string& ledger, std::uint64_t id)>;

// The attributes the order reads or deletes, without duplicates, in a stable order.
// earlier: the orders before it in the same request. A revert of a transaction admission
// cannot see may target one an earlier order creates (its id is only known at apply), so it
// also declares the volumes of every earlier transaction of its ledger: a superset the gate
// accepts, which makes "create, then revert" in one bulk work instead of a coverage miss.
Result<std::vector<keys::AttributeKey>> order_footprint(const domain::Order& order,
                                                        const TransactionLookup& lookup,
                                                        const std::vector<domain::Order>& earlier);

}  // namespace tally::plan
