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
#include "core/numscript/footprint.hpp"
#include "core/numscript/state_view.hpp"

namespace tally::plan {

// Looks up a transaction's state as admission sees it (cache, else store); none if absent.
using TransactionLookup = std::function<Result<std::optional<domain::TransactionState>>(
    const std::string& ledger, std::uint64_t id)>;

// The state a scripted transaction's variables read in a ledger, as admission sees it
// (script_state.hpp). An empty function reads an empty ledger (a display's sketch).
using ScriptStateLookup = std::function<numscript::StateView&(const std::string& ledger)>;

struct Footprint {
  std::vector<keys::AttributeKey> keys;  // what the order reads or deletes, sorted, unique
  // A revert of a transaction admission cannot see: it may target one a transaction-creating
  // order of the same bulk makes (ids are only known at apply), so it also needs the volumes
  // every such order may move in its ledger. Admission declares that set once per bulk and
  // covers it for each such revert (see bulk_volumes), which keeps a bulk linear to admit
  // and lets a bulk revert what it created, reverts included.
  bool needs_bulk_volumes = false;
  // A scripted transaction's set_account_meta writes, as far as its variables tell them, so
  // that the request's later orders are admitted against them.
  std::vector<numscript::MetadataWrite> script_metadata_writes;
};

// A scripted transaction's footprint depends on its variables, so it reads script_state
// (script_footprint.hpp); its compile errors come back here, before anything is proposed.
Result<Footprint> order_footprint(const domain::Order& order, const TransactionLookup& lookup,
                                  const ScriptStateLookup& script_state = {});

// The volumes a transaction-creating order of a bulk may move, given its footprint: a
// create's postings, or a seen revert's original postings (a revert moves the same
// accounts). The union over a bulk's orders of one ledger covers any transaction the bulk
// creates there, by induction: a revert of a bulk-made transaction moves what it moved.
void add_bulk_volumes(const domain::Order& order, const Footprint& footprint,
                      std::vector<keys::AttributeKey>& volumes);

}  // namespace tally::plan
