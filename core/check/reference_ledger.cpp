#include "core/check/reference_ledger.hpp"

#include <set>

#include "core/codec/value_codec.hpp"
#include "core/domain/posting.hpp"
#include "core/domain/validation.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/numscript/script_transaction.hpp"
#include "core/overloaded.hpp"
#include "core/store/layout.hpp"

namespace tally::check {

namespace {

using domain::Metadata;
using domain::OrderResult;
using domain::Outcome;

// The merge the rules describe: changes overwrite or add keys, and the result must stay within
// the metadata limits (at most 256 entries). Written out rather than calling
// domain::merge_metadata, so that this model does not share that code with the state machine.
Result<Metadata> merged(const Metadata& base, const Metadata& changes) {
  Metadata result = base;
  for (const auto& [key, value] : changes)
    result.insert_or_assign(key, value);
  TALLY_TRY(domain::validate_metadata(result));
  return result;
}

// A ledger order answers with its log sequence and, for the two transaction orders, the id.
OrderResult logged(std::uint64_t log_sequence) {
  return OrderResult{std::nullopt, log_sequence};
}

void add_raw_row(std::map<Bytes, Bytes>& rows, Bytes key, Bytes value) {
  bool inserted = rows.emplace(std::move(key), std::move(value)).second;
  TALLY_INVARIANT(inserted, "two model entries render to one store row");
}

template <class T>
void add_row(std::map<Bytes, Bytes>& rows, const keys::AttributeKey& key, const T& value) {
  add_raw_row(rows, store::attribute_row_key(key), codec::ValueCodec<T>::encode(value));
}

template <class Map>
std::optional<typename Map::mapped_type> find_value(const Map& map,
                                                    const typename Map::key_type& key) {
  auto found = map.find(key);
  if (found == map.end()) return std::nullopt;
  return found->second;
}

}  // namespace

void ReferenceLedger::Journal::roll_back() {
  for (auto undo = undo_.rbegin(); undo != undo_.rend(); ++undo)
    (*undo)();
  undo_.clear();
}

// ---- Proposals ------------------------------------------------------------------------------

domain::Outcome ReferenceLedger::apply(const std::vector<domain::Order>& orders,
                                       const std::optional<std::string>& idempotency_key,
                                       std::uint64_t timestamp_us, std::uint64_t audit_sequence,
                                       const domain::Outcome* answered) {
  TALLY_INVARIANT(audit_sequence >= 1, "audit sequences start at 1");
  crypto::Digest intent = fsm::intent_hash(orders);
  if (idempotency_key) {
    auto record = idempotency_.find(*idempotency_key);
    if (record != idempotency_.end()) {
      // Same key, same intent: answer what the first run answered, apply nothing again.
      if (record->second.intent_hash == intent) {
        Outcome replay = record->second.outcome;
        replay.replay_of_sequence = record->second.audit_sequence;
        return replay;
      }
      return Outcome::failure(
          0, make_error(Code::kIdempotencyConflict, "idempotency key reused with another intent"));
    }
  }

  Journal journal(*this);
  Outcome outcome = run_orders(orders, Context{journal, timestamp_us});
  if (outcome.ok()) record_log_pointers(orders, outcome.results, audit_sequence);

  // A coverage miss says nothing about the request itself (admission declared too little), so
  // a retry must run again rather than replay the miss. This model never produces one.
  bool coverage_miss = !outcome.ok() && outcome.code == Code::kCoverageMiss;
  if (idempotency_key && !coverage_miss) {
    bool adopt = answered != nullptr && domain::outcomes_agree(*answered, outcome);
    if (touched_) touched_->idempotency.insert(*idempotency_key);
    idempotency_.insert_or_assign(
        *idempotency_key,
        fsm::IdempotencyRecord{intent, audit_sequence, adopt ? *answered : outcome});
  }
  return outcome;
}

domain::Outcome ReferenceLedger::run_orders(const std::vector<domain::Order>& orders,
                                            Context context) {
  // A cluster configuration order must be alone; checked before any order runs.
  if (orders.size() >= 2) {
    for (std::size_t index = 0; index < orders.size(); ++index) {
      if (std::holds_alternative<domain::SetRotationThreshold>(orders[index])) {
        return Outcome::failure(
            static_cast<std::uint32_t>(index),
            make_error(Code::kValidation, "a cluster configuration order must be alone"));
      }
    }
  }

  std::vector<OrderResult> results;
  for (std::size_t index = 0; index < orders.size(); ++index) {
    Status valid = domain::validate_order(orders[index]);
    if (!valid.ok()) {
      context.journal.roll_back();  // atomic proposal: the earlier orders' effects go too
      return Outcome::failure(static_cast<std::uint32_t>(index), valid.error());
    }
    Result<OrderResult> result = apply_order(orders[index], context);
    if (!result.ok()) {
      context.journal.roll_back();
      return Outcome::failure(static_cast<std::uint32_t>(index), result.error());
    }
    results.push_back(result.value());
  }
  return Outcome::success(std::move(results));
}

void ReferenceLedger::record_log_pointers(const std::vector<domain::Order>& orders,
                                          const std::vector<domain::OrderResult>& results,
                                          std::uint64_t audit_sequence, std::size_t first_index) {
  TALLY_INVARIANT(orders.size() == results.size(), "one result per order");
  for (std::size_t index = 0; index < orders.size(); ++index) {
    const std::string* ledger = domain::order_ledger(orders[index]);
    if (ledger == nullptr || !results[index].log_sequence) continue;
    LogKey key{*ledger, *results[index].log_sequence};
    if (touched_) touched_->log_pointers.insert(key);
    // Log sequences are handed out once per ledger, so no pointer is ever overwritten.
    bool inserted =
        log_pointers_
            .emplace(key, audit::LogPointer{audit_sequence,
                                            static_cast<std::uint32_t>(first_index + index)})
            .second;
    TALLY_INVARIANT(inserted, "a ledger log sequence was handed out twice");
  }
}

Result<domain::OrderResult> ReferenceLedger::apply_order(const domain::Order& order,
                                                         Context context) {
  // Every ledger order but CreateLedger needs a live ledger; checked first, before its rules.
  if (!std::holds_alternative<domain::CreateLedger>(order)) {
    const std::string* ledger = domain::order_ledger(order);
    if (ledger != nullptr) TALLY_TRY(require_live_ledger(*ledger));
  }
  return std::visit(
      Overloaded{
          [&](const domain::CreateLedger& o) { return create_ledger(o, context); },
          [&](const domain::DeleteLedger& o) { return delete_ledger(o, context); },
          [&](const domain::CreateTransaction& o) { return create_transaction(o, context); },
          [&](const domain::RevertTransaction& o) { return revert_transaction(o, context); },
          [&](const domain::SetAccountMetadata& o) { return set_account_metadata(o, context); },
          [&](const domain::DeleteAccountMetadata& o) {
            return delete_account_metadata(o, context);
          },
          [&](const domain::SetTransactionMetadata& o) {
            return set_transaction_metadata(o, context);
          },
          [&](const domain::DeleteTransactionMetadata& o) {
            return delete_transaction_metadata(o, context);
          },
          [&](const domain::SetLedgerMetadata& o) { return set_ledger_metadata(o, context); },
          [&](const domain::DeleteLedgerMetadata& o) { return delete_ledger_metadata(o, context); },
          // Cluster configuration: the cache's business, nothing for the ledgers.
          [&](const domain::SetRotationThreshold&) -> Result<OrderResult> { return OrderResult{}; },
      },
      order);
}

Status ReferenceLedger::require_live_ledger(const std::string& ledger) const {
  auto info = ledgers_.find(ledger);
  if (info == ledgers_.end()) return make_error(Code::kLedgerNotFound, "no ledger " + ledger);
  if (info->second.deleted)
    return make_error(Code::kLedgerNotFound, "ledger " + ledger + " is deleted");
  return ok_status();
}

std::uint64_t ReferenceLedger::take_log_sequence(Context context, const std::string& ledger) {
  domain::Boundary boundary = boundaries_.at(ledger);  // a live ledger always has one
  std::uint64_t log_sequence = boundary.next_log_sequence;
  boundary.next_log_sequence += 1;
  context.journal.put(boundaries_, ledger, boundary);
  return log_sequence;
}

// ---- Ledgers --------------------------------------------------------------------------------

Result<domain::OrderResult> ReferenceLedger::create_ledger(const domain::CreateLedger& order,
                                                           Context context) {
  // A deleted ledger keeps its name: it cannot be created again.
  if (ledgers_.count(order.ledger) != 0) {
    return make_error(Code::kAlreadyExists, "ledger " + order.ledger + " exists");
  }
  context.journal.put(ledgers_, order.ledger,
                      domain::LedgerInfo{order.ledger, context.timestamp_us, false, 0});
  // The metadata row exists for the ledger's whole life, even when empty.
  context.journal.put(ledger_metadata_, order.ledger, order.metadata);
  context.journal.put(boundaries_, order.ledger, domain::Boundary{0, 0});
  return logged(take_log_sequence(context, order.ledger));
}

Result<domain::OrderResult> ReferenceLedger::delete_ledger(const domain::DeleteLedger& order,
                                                           Context context) {
  // The deletion is logged at the next sequence, but nothing follows it, so the boundary is
  // dropped rather than advanced.
  std::uint64_t log_sequence = boundaries_.at(order.ledger).next_log_sequence;
  domain::LedgerInfo info = ledgers_.at(order.ledger);
  info.deleted = true;
  info.deleted_at_us = context.timestamp_us;
  context.journal.put(ledgers_, order.ledger, info);
  context.journal.erase(boundaries_, order.ledger);
  return logged(log_sequence);
}

Result<domain::OrderResult> ReferenceLedger::set_ledger_metadata(
    const domain::SetLedgerMetadata& order, Context context) {
  Result<Metadata> metadata = merged(ledger_metadata_.at(order.ledger), order.metadata);
  if (!metadata.ok()) return metadata.error();
  context.journal.put(ledger_metadata_, order.ledger, std::move(metadata).value());
  return logged(take_log_sequence(context, order.ledger));
}

Result<domain::OrderResult> ReferenceLedger::delete_ledger_metadata(
    const domain::DeleteLedgerMetadata& order, Context context) {
  // The ledger's metadata row stays even when this empties it.
  Metadata metadata = ledger_metadata_.at(order.ledger);
  metadata.erase(order.key);
  context.journal.put(ledger_metadata_, order.ledger, std::move(metadata));
  return logged(take_log_sequence(context, order.ledger));
}

// ---- Accounts -------------------------------------------------------------------------------

Result<domain::OrderResult> ReferenceLedger::set_account_metadata(
    const domain::SetAccountMetadata& order, Context context) {
  AccountKey key{order.ledger, order.account};
  Result<Metadata> metadata =
      merged(find_value(account_metadata_, key).value_or(Metadata{}), order.metadata);
  if (!metadata.ok()) return metadata.error();
  context.journal.put(account_metadata_, key, std::move(metadata).value());
  return logged(take_log_sequence(context, order.ledger));
}

Result<domain::OrderResult> ReferenceLedger::delete_account_metadata(
    const domain::DeleteAccountMetadata& order, Context context) {
  AccountKey key{order.ledger, order.account};
  std::optional<Metadata> metadata = find_value(account_metadata_, key);
  if (metadata && metadata->erase(order.key) != 0) {
    // Accounts never keep an empty metadata row: the last key takes the row with it.
    if (metadata->empty()) {
      context.journal.erase(account_metadata_, key);
    } else {
      context.journal.put(account_metadata_, key, std::move(*metadata));
    }
  }
  return logged(take_log_sequence(context, order.ledger));
}

// ---- Transactions ---------------------------------------------------------------------------

Result<domain::OrderResult> ReferenceLedger::create_transaction(
    const domain::CreateTransaction& order, Context context) {
  if (order.script) return create_scripted_transaction(order, context);
  // The reference is checked before any posting: a duplicate is CONFLICT even when the
  // postings would also fail.
  if (order.reference && references_.count({order.ledger, *order.reference}) != 0) {
    return make_error(Code::kConflict, "reference " + *order.reference + " is taken");
  }
  TALLY_TRY(apply_postings(context, order.ledger, order.postings, order.force));
  domain::TransactionState state;
  state.postings = order.postings;
  state.metadata = order.metadata;
  state.timestamp_us = order.timestamp_us.value_or(context.timestamp_us);
  state.reference = order.reference;
  return record_created(context, order, std::move(state), order.account_metadata);
}

Result<domain::OrderResult> ReferenceLedger::record_created(
    Context context, const domain::CreateTransaction& order, domain::TransactionState state,
    const std::map<std::string, Metadata>& account_metadata) {
  std::uint64_t id = store_transaction(context, order.ledger, std::move(state));
  if (order.reference) {
    context.journal.put(references_, ReferenceKey{order.ledger, *order.reference}, id);
  }
  // Account metadata rides with the transaction: merged per account, no log sequence of its own.
  for (const auto& [account, changes] : account_metadata) {
    AccountKey key{order.ledger, account};
    Result<Metadata> metadata =
        merged(find_value(account_metadata_, key).value_or(Metadata{}), changes);
    if (!metadata.ok()) return metadata.error();
    context.journal.put(account_metadata_, key, std::move(metadata).value());
  }
  return OrderResult{id, take_log_sequence(context, order.ledger)};
}

Result<domain::OrderResult> ReferenceLedger::revert_transaction(
    const domain::RevertTransaction& order, Context context) {
  TransactionKey original_key{order.ledger, order.transaction_id};
  std::optional<domain::TransactionState> original = find_value(transactions_, original_key);
  if (!original) {
    return make_error(Code::kNotFound, "no transaction " + std::to_string(order.transaction_id));
  }
  if (original->reverted_by) {
    return make_error(
        Code::kAlreadyReverted,
        "transaction " + std::to_string(order.transaction_id) + " is already reverted");
  }
  std::vector<domain::Posting> postings = domain::reversed_postings(original->postings);
  TALLY_TRY(apply_postings(context, order.ledger, postings, order.force));
  domain::TransactionState revert;
  revert.postings = std::move(postings);
  // The revert names what it reverts in its metadata, over any key of the request's.
  revert.metadata = order.metadata;
  revert.metadata[std::string(domain::kRevertMetadataKey)] = std::to_string(order.transaction_id);
  revert.timestamp_us = order.at_effective_date ? original->timestamp_us : context.timestamp_us;
  revert.reverts = original->id;
  std::uint64_t id = store_transaction(context, order.ledger, std::move(revert));
  original->reverted_by = id;
  context.journal.put(transactions_, original_key, std::move(*original));
  return OrderResult{id, take_log_sequence(context, order.ledger)};
}

Result<domain::OrderResult> ReferenceLedger::set_transaction_metadata(
    const domain::SetTransactionMetadata& order, Context context) {
  TransactionKey key{order.ledger, order.transaction_id};
  std::optional<domain::TransactionState> state = find_value(transactions_, key);
  if (!state) {
    return make_error(Code::kNotFound, "no transaction " + std::to_string(order.transaction_id));
  }
  Result<Metadata> metadata = merged(state->metadata, order.metadata);
  if (!metadata.ok()) return metadata.error();
  state->metadata = std::move(metadata).value();
  context.journal.put(transactions_, key, std::move(*state));
  return logged(take_log_sequence(context, order.ledger));
}

Result<domain::OrderResult> ReferenceLedger::delete_transaction_metadata(
    const domain::DeleteTransactionMetadata& order, Context context) {
  TransactionKey key{order.ledger, order.transaction_id};
  std::optional<domain::TransactionState> state = find_value(transactions_, key);
  if (!state) {
    return make_error(Code::kNotFound, "no transaction " + std::to_string(order.transaction_id));
  }
  state->metadata.erase(order.key);
  context.journal.put(transactions_, key, std::move(*state));
  return logged(take_log_sequence(context, order.ledger));
}

Result<domain::OrderResult> ReferenceLedger::create_scripted_transaction(
    const domain::CreateTransaction& order, Context context) {
  // The ledger's balances and account metadata, as the script reads them.
  class ModelState final : public numscript::StateView {
   public:
    ModelState(const ReferenceLedger& model, const std::string& ledger)
        : model_(&model), ledger_(&ledger) {}
    Result<numscript::Integer> balance(const std::string& account,
                                       const std::string& asset) override {
      return numscript::Integer::from_signed_amount(model_->balance(*ledger_, account, asset));
    }
    Result<std::optional<std::string>> metadata(const std::string& account,
                                                const std::string& key) override {
      Metadata metadata = model_->account_metadata(*ledger_, account);
      auto found = metadata.find(key);
      if (found == metadata.end()) return std::optional<std::string>();
      return numscript::metadata_text(found->second);
    }

   private:
    const ReferenceLedger* model_;
    const std::string* ledger_;
  };
  ModelState state(*this, order.ledger);
  auto run = numscript::run_script_transaction(order, state);
  if (!run.ok()) return std::move(run).error();
  if (order.reference && references_.count({order.ledger, *order.reference}) != 0) {
    return make_error(Code::kConflict, "reference " + *order.reference + " is taken");
  }
  TALLY_TRY(apply_postings(context, order.ledger, run->postings, /*force=*/true));
  domain::TransactionState transaction;
  transaction.postings = std::move(run->postings);
  transaction.metadata = std::move(run->metadata);
  transaction.timestamp_us = order.timestamp_us.value_or(context.timestamp_us);
  transaction.reference = order.reference;
  return record_created(context, order, std::move(transaction), run->account_metadata);
}

std::uint64_t ReferenceLedger::store_transaction(Context context, const std::string& ledger,
                                                 domain::TransactionState state) {
  domain::Boundary boundary = boundaries_.at(ledger);
  state.id = boundary.next_transaction_id;
  boundary.next_transaction_id += 1;
  context.journal.put(boundaries_, ledger, boundary);
  std::uint64_t id = state.id;
  context.journal.put(transactions_, TransactionKey{ledger, id}, std::move(state));
  return id;
}

// ---- Postings -------------------------------------------------------------------------------

Status ReferenceLedger::apply_postings(Context context, const std::string& ledger,
                                       const std::vector<domain::Posting>& postings, bool force) {
  // Volumes move first, posting by posting (an overflow stops at once); funds are judged on
  // the final balances, so a source may be refilled by a later posting of the same order.
  for (const domain::Posting& posting : postings) {
    TALLY_TRY(add_to_volume(context, VolumeKey{ledger, posting.source, posting.asset},
                            posting.amount, false));
    TALLY_TRY(add_to_volume(context, VolumeKey{ledger, posting.destination, posting.asset},
                            posting.amount, true));
  }
  if (force) return ok_status();
  std::set<std::pair<std::string, std::string>> sources;  // account, asset
  for (const domain::Posting& posting : postings)
    sources.emplace(posting.source, posting.asset);
  for (const auto& [account, asset] : sources) {
    if (domain::is_world(account)) continue;
    if (volumes_.at(VolumeKey{ledger, account, asset}).balance().negative) {
      return make_error(Code::kInsufficientFunds,
                        "account " + account + " would go below zero in " + asset);
    }
  }
  return ok_status();
}

Status ReferenceLedger::add_to_volume(Context context, const VolumeKey& key,
                                      const domain::Amount& amount, bool to_input) {
  // A touched volume gets a row even when the amount is zero.
  domain::Volume volume = find_value(volumes_, key).value_or(domain::Volume{});
  domain::Amount& side = to_input ? volume.input : volume.output;
  std::optional<domain::Amount> sum = domain::Amount::checked_add(side, amount);
  if (!sum) {
    return make_error(Code::kValidation,
                      "volume of " + std::get<1>(key) + " in " + std::get<2>(key) + " overflows");
  }
  side = *sum;
  context.journal.put(volumes_, key, volume);
  return ok_status();
}

// ---- Rows -----------------------------------------------------------------------------------

std::map<Bytes, Bytes> ReferenceLedger::expected_rows() const {
  std::map<Bytes, Bytes> rows;
  for (const auto& [name, info] : ledgers_)
    add_row(rows, keys::ledger_key(name), info);
  for (const auto& [name, metadata] : ledger_metadata_)
    add_row(rows, keys::ledger_metadata_key(name), metadata);
  for (const auto& [name, boundary] : boundaries_)
    add_row(rows, keys::boundary_key(name), boundary);
  for (const auto& [key, volume] : volumes_) {
    const auto& [ledger, account, asset] = key;
    add_row(rows, keys::volume_key(ledger, account, asset), volume);
  }
  for (const auto& [key, metadata] : account_metadata_)
    add_row(rows, keys::account_metadata_key(key.first, key.second), metadata);
  for (const auto& [key, state] : transactions_)
    add_row(rows, keys::transaction_key(key.first, key.second), state);
  for (const auto& [key, id] : references_)
    add_row(rows, keys::reference_key(key.first, key.second), domain::ReferenceTarget{id});
  for (const auto& [key, record] : idempotency_) {
    add_raw_row(rows, store::attribute_row_key(keys::idempotency_key(key)),
                fsm::encode_idempotency_record(record));
  }
  for (const auto& [key, pointer] : log_pointers_)
    add_raw_row(rows, audit::ledger_log_key(key.first, key.second),
                audit::encode_log_pointer(pointer));
  return rows;
}

// ---- Touched rows (the incremental check) ----------------------------------------------------

void ReferenceLedger::track_touched(bool on) {
  if (on) {
    touched_.emplace();
  } else {
    touched_.reset();
  }
}

void ReferenceLedger::note(const std::map<std::string, domain::LedgerInfo>&,
                           const std::string& ledger) {
  if (touched_) touched_->ledgers.insert(ledger);
}
void ReferenceLedger::note(const std::map<std::string, domain::Metadata>&,
                           const std::string& ledger) {
  if (touched_) touched_->ledgers.insert(ledger);
}
void ReferenceLedger::note(const std::map<std::string, domain::Boundary>&,
                           const std::string& ledger) {
  if (touched_) touched_->ledgers.insert(ledger);
}
void ReferenceLedger::note(const std::map<VolumeKey, domain::Volume>&, const VolumeKey& key) {
  if (touched_) touched_->volumes.insert(key);
}
void ReferenceLedger::note(const std::map<AccountKey, domain::Metadata>&, const AccountKey& key) {
  if (touched_) touched_->account_metadata.insert(key);
}
void ReferenceLedger::note(const std::map<TransactionKey, domain::TransactionState>&,
                           const TransactionKey& key) {
  if (touched_) touched_->transactions.insert(key);
}
void ReferenceLedger::note(const std::map<ReferenceKey, std::uint64_t>&, const ReferenceKey& key) {
  if (touched_) touched_->references.insert(key);
}

namespace {

using TouchedRows = std::map<Bytes, std::optional<Bytes>>;

template <class T>
void touched_row(TouchedRows& rows, const keys::AttributeKey& key, const std::optional<T>& value) {
  std::optional<Bytes> bytes;
  if (value) bytes = codec::ValueCodec<T>::encode(*value);
  rows.insert_or_assign(store::attribute_row_key(key), std::move(bytes));
}

}  // namespace

TouchedRows ReferenceLedger::touched_rows() const {
  TouchedRows rows;
  if (!touched_) return rows;
  for (const std::string& name : touched_->ledgers) {
    touched_row(rows, keys::ledger_key(name), find_value(ledgers_, name));
    touched_row(rows, keys::ledger_metadata_key(name), find_value(ledger_metadata_, name));
    touched_row(rows, keys::boundary_key(name), find_value(boundaries_, name));
  }
  for (const VolumeKey& key : touched_->volumes) {
    const auto& [ledger, account, asset] = key;
    touched_row(rows, keys::volume_key(ledger, account, asset), find_value(volumes_, key));
  }
  for (const AccountKey& key : touched_->account_metadata) {
    touched_row(rows, keys::account_metadata_key(key.first, key.second),
                find_value(account_metadata_, key));
  }
  for (const TransactionKey& key : touched_->transactions) {
    touched_row(rows, keys::transaction_key(key.first, key.second), find_value(transactions_, key));
  }
  for (const ReferenceKey& key : touched_->references) {
    std::optional<domain::ReferenceTarget> target;
    if (auto id = find_value(references_, key)) target = domain::ReferenceTarget{*id};
    touched_row(rows, keys::reference_key(key.first, key.second), target);
  }
  for (const std::string& key : touched_->idempotency) {
    std::optional<Bytes> bytes;
    if (auto record = find_value(idempotency_, key))
      bytes = fsm::encode_idempotency_record(*record);
    rows.insert_or_assign(store::attribute_row_key(keys::idempotency_key(key)), std::move(bytes));
  }
  for (const LogKey& key : touched_->log_pointers) {
    std::optional<Bytes> bytes;
    if (auto pointer = find_value(log_pointers_, key)) bytes = audit::encode_log_pointer(*pointer);
    rows.insert_or_assign(audit::ledger_log_key(key.first, key.second), std::move(bytes));
  }
  return rows;
}

// ---- Reads ----------------------------------------------------------------------------------

std::optional<domain::LedgerInfo> ReferenceLedger::ledger(const std::string& ledger) const {
  return find_value(ledgers_, ledger);
}

std::optional<domain::Metadata> ReferenceLedger::ledger_metadata(const std::string& ledger) const {
  return find_value(ledger_metadata_, ledger);
}

std::optional<domain::Boundary> ReferenceLedger::boundary(const std::string& ledger) const {
  return find_value(boundaries_, ledger);
}

std::optional<domain::Volume> ReferenceLedger::volume(const std::string& ledger,
                                                      const std::string& account,
                                                      const std::string& asset) const {
  return find_value(volumes_, VolumeKey{ledger, account, asset});
}

domain::SignedAmount ReferenceLedger::balance(const std::string& ledger, const std::string& account,
                                              const std::string& asset) const {
  return volume(ledger, account, asset).value_or(domain::Volume{}).balance();
}

domain::Metadata ReferenceLedger::account_metadata(const std::string& ledger,
                                                   const std::string& account) const {
  return find_value(account_metadata_, AccountKey{ledger, account}).value_or(Metadata{});
}

std::optional<domain::TransactionState> ReferenceLedger::transaction(
    const std::string& ledger, std::uint64_t transaction_id) const {
  return find_value(transactions_, TransactionKey{ledger, transaction_id});
}

std::optional<std::uint64_t> ReferenceLedger::reference(const std::string& ledger,
                                                        const std::string& reference) const {
  return find_value(references_, ReferenceKey{ledger, reference});
}

std::optional<fsm::IdempotencyRecord> ReferenceLedger::idempotency_record(
    const std::string& key) const {
  return find_value(idempotency_, key);
}

std::optional<audit::LogPointer> ReferenceLedger::log_pointer(const std::string& ledger,
                                                              std::uint64_t log_sequence) const {
  return find_value(log_pointers_, LogKey{ledger, log_sequence});
}

std::vector<std::string> ReferenceLedger::ledger_names() const {
  std::vector<std::string> names;
  for (const auto& [name, info] : ledgers_)
    names.push_back(name);
  return names;
}

}  // namespace tally::check
