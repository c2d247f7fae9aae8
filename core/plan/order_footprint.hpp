// What each order reads or deletes: the attributes admission must declare (docs/design.md §4).
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

struct Footprint {
  std::vector<keys::AttributeKey> keys;  // what the order reads or deletes, sorted, unique
  // A revert of a transaction admission cannot see: it may target one a transaction-creating
  // order of the same bulk makes (ids are only known at apply), so it also needs the volumes
  // every such order may move in its ledger. Admission declares that set once per bulk and
  // covers it for each such revert (see bulk_volumes), which keeps a bulk linear to admit
  // and lets a bulk revert what it created, reverts included.
  bool needs_bulk_volumes = false;
};

Result<Footprint> order_footprint(const domain::Order& order, const TransactionLookup& lookup);

// The volumes a transaction-creating order of a bulk may move, given its footprint: a
// create's postings, or a seen revert's original postings (a revert moves the same
// accounts). The union over a bulk's orders of one ledger covers any transaction the bulk
// creates there, by induction: a revert of a bulk-made transaction moves what it moved.
void add_bulk_volumes(const domain::Order& order, const Footprint& footprint,
                      std::vector<keys::AttributeKey>& volumes);

}  // namespace tally::plan
