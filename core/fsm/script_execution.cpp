#include "core/fsm/script_execution.hpp"

#include "core/fsm/ledger_access.hpp"
#include "core/fsm/metadata_access.hpp"
#include "core/fsm/postings_application.hpp"
#include "core/fsm/transaction_access.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/numscript/script_transaction.hpp"

namespace tally::fsm {

namespace {

Status declared(const GatedScope& scope, const keys::AttributeKey& key, const char* what) {
  if (scope.gate().declared_entry(key) != nullptr) return ok_status();
  return make_error(
      Code::kStaleProposal,
      std::string("the script's ") + what + " (" + std::string(keys::kind_name(key.kind)) +
          ") was not declared at admission: the state its variables read moved; retry");
}

// The ledger as the script reads it: the gated scope, declared keys only.
class GatedScriptState final : public numscript::StateView {
 public:
  GatedScriptState(GatedScope& scope, const std::string& ledger)
      : scope_(&scope), ledger_(&ledger) {}

  Result<numscript::Integer> balance(const std::string& account,
                                     const std::string& asset) override {
    auto key = keys::volume_key(*ledger_, account, asset);
    TALLY_TRY(declared(*scope_, key, "balance read"));
    auto volume = scope_->get<domain::Volume>(key);
    if (!volume.ok()) return std::move(volume).error();
    return numscript::Integer::from_signed_amount(volume->value_or(domain::Volume{}).balance());
  }

  Result<std::optional<std::string>> metadata(const std::string& account,
                                              const std::string& key) override {
    auto attribute = keys::account_metadata_key(*ledger_, account);
    TALLY_TRY(declared(*scope_, attribute, "metadata read"));
    auto metadata = scope_->get<domain::Metadata>(attribute);
    if (!metadata.ok()) return std::move(metadata).error();
    if (!*metadata) return std::optional<std::string>();
    auto found = (*metadata)->find(key);
    if (found == (*metadata)->end()) return std::optional<std::string>();
    return numscript::metadata_text(found->second);
  }

 private:
  GatedScope* scope_;
  const std::string* ledger_;
};

// Every attribute the transaction is about to read or write was declared for this order.
Status require_declared_writes(const GatedScope& scope, const std::string& ledger,
                               const numscript::ScriptedTransaction& run) {
  for (const domain::Posting& posting : run.postings) {
    TALLY_TRY(declared(scope, keys::volume_key(ledger, posting.source, posting.asset), "volume"));
    TALLY_TRY(
        declared(scope, keys::volume_key(ledger, posting.destination, posting.asset), "volume"));
  }
  for (const auto& [account, metadata] : run.account_metadata) {
    TALLY_TRY(declared(scope, keys::account_metadata_key(ledger, account), "account metadata"));
  }
  return ok_status();
}

}  // namespace

Result<OrderResult> execute_scripted(const domain::CreateTransaction& order,
                                     OrderContext& context) {
  GatedScope& scope = context.scope;
  auto boundary = open_ledger_boundary(scope, order.ledger);
  if (!boundary.ok()) return std::move(boundary).error();
  GatedScriptState state(scope, order.ledger);
  auto run = numscript::run_script_transaction(order, state);
  if (!run.ok()) return std::move(run).error();
  std::uint64_t id = boundary->next_transaction_id++;
  if (order.reference) TALLY_TRY(claim_reference(scope, order.ledger, *order.reference, id));
  TALLY_TRY(require_declared_writes(scope, order.ledger, *run));
  // The script decided every overdraft; the balances it leaves are what it allowed.
  TALLY_TRY(apply_postings(scope, order.ledger, run->postings, /*force=*/true));
  domain::TransactionState transaction;
  transaction.id = id;
  transaction.postings = std::move(run->postings);
  transaction.metadata = std::move(run->metadata);
  transaction.timestamp_us = order.timestamp_us.value_or(context.proposal_timestamp_us);
  transaction.reference = order.reference;
  scope.put(keys::transaction_key(order.ledger, id), transaction);
  for (const auto& [account, metadata] : run->account_metadata) {
    TALLY_TRY(
        merge_metadata_at(scope, keys::account_metadata_key(order.ledger, account), metadata));
  }
  return OrderResult{id, take_log_sequence(scope, order.ledger, *boundary)};
}

}  // namespace tally::fsm
