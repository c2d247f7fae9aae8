#include "core/plan/order_footprint.hpp"

#include <algorithm>

#include "core/overloaded.hpp"
#include "core/plan/script_footprint.hpp"

namespace tally::plan {

namespace {

using namespace domain;

void add_volumes(std::vector<keys::AttributeKey>& out, const std::string& ledger,
                 const std::vector<Posting>& postings) {
  for (const Posting& posting : postings) {
    out.push_back(keys::volume_key(ledger, posting.source, posting.asset));
    out.push_back(keys::volume_key(ledger, posting.destination, posting.asset));
  }
}

// Every ledger order reads the ledger (open?) and its boundary (log sequence).
std::vector<keys::AttributeKey> ledger_reads(const std::string& ledger) {
  return {keys::ledger_key(ledger), keys::boundary_key(ledger)};
}

// A ledger with no balance and no metadata: what a sketch without state reads.
class EmptyLedger final : public numscript::StateView {
 public:
  Result<numscript::Integer> balance(const std::string&, const std::string&) override {
    return numscript::Integer();
  }
  Result<std::optional<std::string>> metadata(const std::string&, const std::string&) override {
    return std::optional<std::string>();
  }
};

Status add_script_keys(const CreateTransaction& order, const ScriptStateLookup& script_state,
                       std::vector<keys::AttributeKey>& out, Footprint& footprint) {
  EmptyLedger empty;
  numscript::StateView& state = script_state ? script_state(order.ledger) : empty;
  auto script = script_keys(order, state);
  if (!script.ok()) return std::move(script).error();
  out.insert(out.end(), script->keys.begin(), script->keys.end());
  footprint.script_metadata_writes = std::move(script->metadata_writes);
  return ok_status();
}

Result<std::vector<keys::AttributeKey>> footprint_of(const Order& order,
                                                     const TransactionLookup& lookup,
                                                     const ScriptStateLookup& script_state,
                                                     Footprint& footprint) {
  bool& needs_bulk_volumes = footprint.needs_bulk_volumes;
  using Keys = std::vector<keys::AttributeKey>;
  return std::visit(
      Overloaded{
          [](const CreateLedger& o) -> Result<Keys> { return Keys{keys::ledger_key(o.ledger)}; },
          [](const DeleteLedger& o) -> Result<Keys> { return ledger_reads(o.ledger); },
          [&](const CreateTransaction& o) -> Result<Keys> {
            Keys out = ledger_reads(o.ledger);
            if (o.reference) out.push_back(keys::reference_key(o.ledger, *o.reference));
            add_volumes(out, o.ledger, o.postings);
            for (const auto& entry : o.account_metadata)
              out.push_back(keys::account_metadata_key(o.ledger, entry.first));
            if (o.script) TALLY_TRY(add_script_keys(o, script_state, out, footprint));
            return out;
          },
          [&](const RevertTransaction& o) -> Result<Keys> {
            Keys out = ledger_reads(o.ledger);
            out.push_back(keys::transaction_key(o.ledger, o.transaction_id));
            auto original = lookup(o.ledger, o.transaction_id);
            if (!original.ok()) return std::move(original).error();
            if (original->has_value()) {
              add_volumes(out, o.ledger, (*original)->postings);
            } else {
              needs_bulk_volumes = true;
            }
            return out;
          },
          [](const SetAccountMetadata& o) -> Result<Keys> {
            Keys out = ledger_reads(o.ledger);
            out.push_back(keys::account_metadata_key(o.ledger, o.account));
            return out;
          },
          [](const DeleteAccountMetadata& o) -> Result<Keys> {
            Keys out = ledger_reads(o.ledger);
            out.push_back(keys::account_metadata_key(o.ledger, o.account));
            return out;
          },
          [](const SetTransactionMetadata& o) -> Result<Keys> {
            Keys out = ledger_reads(o.ledger);
            out.push_back(keys::transaction_key(o.ledger, o.transaction_id));
            return out;
          },
          [](const DeleteTransactionMetadata& o) -> Result<Keys> {
            Keys out = ledger_reads(o.ledger);
            out.push_back(keys::transaction_key(o.ledger, o.transaction_id));
            return out;
          },
          [](const SetLedgerMetadata& o) -> Result<Keys> {
            Keys out = ledger_reads(o.ledger);
            out.push_back(keys::ledger_metadata_key(o.ledger));
            return out;
          },
          [](const DeleteLedgerMetadata& o) -> Result<Keys> {
            Keys out = ledger_reads(o.ledger);
            out.push_back(keys::ledger_metadata_key(o.ledger));
            return out;
          },
          [](const SetRotationThreshold&) -> Result<Keys> { return Keys{}; },
      },
      order);
}

}  // namespace

Result<Footprint> order_footprint(const Order& order, const TransactionLookup& lookup,
                                  const ScriptStateLookup& script_state) {
  Footprint footprint;
  auto keys_read = footprint_of(order, lookup, script_state, footprint);
  if (!keys_read.ok()) return std::move(keys_read).error();
  footprint.keys = std::move(keys_read).value();
  auto& list = footprint.keys;
  auto by_bytes = [](const keys::AttributeKey& a, const keys::AttributeKey& b) {
    return std::tie(a.kind, a.canonical) < std::tie(b.kind, b.canonical);
  };
  std::sort(list.begin(), list.end(), by_bytes);
  list.erase(std::unique(list.begin(), list.end()), list.end());
  return footprint;
}

void add_bulk_volumes(const Order& order, const Footprint& footprint,
                      std::vector<keys::AttributeKey>& volumes) {
  bool moves_money =
      std::holds_alternative<CreateTransaction>(order) ||
      (std::holds_alternative<RevertTransaction>(order) && !footprint.needs_bulk_volumes);
  if (!moves_money) return;
  for (const keys::AttributeKey& key : footprint.keys) {
    if (key.kind == keys::AttributeKind::kVolume) volumes.push_back(key);
  }
}

}  // namespace tally::plan
