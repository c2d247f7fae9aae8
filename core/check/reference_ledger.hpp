// The reference ledger: a second, independent implementation of the ledger's business rules
// (docs/design.md §6, §8), for the simulator and the checker to compare the state machine against.
//
// It is written from the specification, not from core/fsm: plain std::map state, no cache,
// no store, no coverage. Apply one proposal's orders with apply(); expected_rows() renders the
// state as the exact rows the store should hold (attribute rows, idempotency rows and ledger
// log pointers), built with the real key builders and codecs so a byte comparison is fair.
//
// Deterministic (inv#2): ordered containers only, no clock, no randomness. Not thread-safe.
// A proposal is atomic: when an order fails, every change of the proposal is undone.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/audit/audit_rows.hpp"
#include "core/bytes.hpp"
#include "core/domain/amount.hpp"
#include "core/domain/bulk.hpp"
#include "core/domain/metadata.hpp"
#include "core/domain/order.hpp"
#include "core/domain/outcome.hpp"
#include "core/domain/values.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "core/result.hpp"

namespace tally::check {

class ReferenceLedger {
 public:
  // Applies one proposal's orders exactly as the state machine would and returns the outcome.
  // timestamp_us is the proposal's timestamp (the leader's clock); audit_sequence is the audit
  // entry sequence this proposal gets, kept in idempotency records and ledger log pointers.
  // REQUIRES: audit_sequence >= 1 (0 would make a replay indistinguishable from a first run).
  // answered: the outcome the node answered (the audit chain's record), when known. If it
  // agrees with the model's, the idempotency record keeps it, message included, as the node's
  // record does: a record remembers what the client was told, and messages are free text.
  domain::Outcome apply(const std::vector<domain::Order>& orders,
                        const std::optional<std::string>& idempotency_key,
                        std::uint64_t timestamp_us, std::uint64_t audit_sequence,
                        const domain::Outcome* answered = nullptr);

  // Applies a proposal answering per order (domain/bulk.hpp): each order alone, in order, with
  // its own key, outcome and log pointer; atomic mode keeps all or nothing. answered: the
  // node's per-order outcome, when known (an order it reports as a coverage miss did not
  // run, and nothing was recorded for it).
  domain::Outcome apply_per_order(const std::vector<domain::Order>& orders, domain::BulkMode mode,
                                  const domain::OrderKeys& order_keys, std::uint64_t timestamp_us,
                                  std::uint64_t audit_sequence,
                                  const domain::Outcome* answered = nullptr);

  // Every store row the state implies, keyed and valued exactly as the store holds them:
  // attribute rows (zone 0x01), idempotency rows (zone 0x04), ledger log pointers
  // ([0x03]['L']).
  std::map<Bytes, Bytes> expected_rows() const;

  // Touched rows, for the incremental check (checkpoint.hpp): after track_touched(true), every
  // row a proposal writes or erases is remembered (by its parts, not its bytes), so the checker
  // can compare only those rows with the store instead of rendering the whole state.
  // track_touched(false) stops and forgets them. A proposal that rolls back leaves its rows
  // touched, which only costs a comparison.
  void track_touched(bool on);
  // Each touched row's key and the value the state implies now (nullopt: no row), rendered
  // exactly as expected_rows() renders it.
  std::map<Bytes, std::optional<Bytes>> touched_rows() const;

  // Reads, for tests and reports. Absent is nullopt (or zero / empty where said).
  std::optional<domain::LedgerInfo> ledger(const std::string& ledger) const;
  std::optional<domain::Metadata> ledger_metadata(const std::string& ledger) const;
  std::optional<domain::Boundary> boundary(const std::string& ledger) const;
  std::optional<domain::Volume> volume(const std::string& ledger, const std::string& account,
                                       const std::string& asset) const;
  // Zero when the volume does not exist.
  domain::SignedAmount balance(const std::string& ledger, const std::string& account,
                               const std::string& asset) const;
  // Empty when the account has no metadata row.
  domain::Metadata account_metadata(const std::string& ledger, const std::string& account) const;
  std::optional<domain::TransactionState> transaction(const std::string& ledger,
                                                      std::uint64_t transaction_id) const;
  std::optional<std::uint64_t> reference(const std::string& ledger,
                                         const std::string& reference) const;
  std::optional<fsm::IdempotencyRecord> idempotency_record(const std::string& key) const;
  std::optional<audit::LogPointer> log_pointer(const std::string& ledger,
                                               std::uint64_t log_sequence) const;
  std::vector<std::string> ledger_names() const;

 private:
  // One map per row kind, keyed by the parts of its attribute key, so the rows come out of a
  // straight walk. A ledger's data stays after DeleteLedger (soft delete); only its boundary
  // goes.
  using AccountKey = std::pair<std::string, std::string>;               // ledger, account
  using VolumeKey = std::tuple<std::string, std::string, std::string>;  // + asset
  using TransactionKey = std::pair<std::string, std::uint64_t>;         // ledger, id
  using ReferenceKey = std::pair<std::string, std::string>;             // ledger, reference
  using LogKey = std::pair<std::string, std::uint64_t>;                 // ledger, log sequence

  // Records the previous value of every entry a proposal writes, so a failing proposal can
  // be undone in reverse order. Simpler to trust than copy-on-write, and cheaper than copying
  // the whole state for every proposal.
  class Journal {
   public:
    explicit Journal(ReferenceLedger& owner) : owner_(&owner) {}
    // Writes map[key] = value, remembering what it held.
    template <class Map>
    void put(Map& map, const typename Map::key_type& key, typename Map::mapped_type value) {
      remember(map, key);
      map.insert_or_assign(key, std::move(value));
    }
    // Erases map[key] (absent is fine), remembering what it held.
    template <class Map>
    void erase(Map& map, const typename Map::key_type& key) {
      remember(map, key);
      map.erase(key);
    }
    // Restores every remembered entry, newest first, and forgets them.
    void roll_back();

   private:
    template <class Map>
    void remember(Map& map, const typename Map::key_type& key) {
      owner_->note(map, key);
      auto found = map.find(key);
      std::optional<typename Map::mapped_type> previous;
      if (found != map.end()) previous = found->second;
      undo_.push_back([&map, key, previous] {
        if (previous) {
          map.insert_or_assign(key, *previous);
        } else {
          map.erase(key);
        }
      });
    }

    ReferenceLedger* owner_;
    std::vector<std::function<void()>> undo_;
  };

  // The rows touched while tracking, by the parts of their keys.
  struct Touched {
    std::set<std::string> ledgers;  // a ledger's info, metadata and boundary rows
    std::set<VolumeKey> volumes;
    std::set<AccountKey> account_metadata;
    std::set<TransactionKey> transactions;
    std::set<ReferenceKey> references;
    std::set<std::string> idempotency;
    std::set<LogKey> log_pointers;
  };
  // One overload per state map (their types all differ), called for every write.
  void note(const std::map<std::string, domain::LedgerInfo>&, const std::string& ledger);
  void note(const std::map<std::string, domain::Metadata>&, const std::string& ledger);
  void note(const std::map<std::string, domain::Boundary>&, const std::string& ledger);
  void note(const std::map<VolumeKey, domain::Volume>&, const VolumeKey& key);
  void note(const std::map<AccountKey, domain::Metadata>&, const AccountKey& key);
  void note(const std::map<TransactionKey, domain::TransactionState>&, const TransactionKey& key);
  void note(const std::map<ReferenceKey, std::uint64_t>&, const ReferenceKey& key);

  // What one order sees of its proposal.
  struct Context {
    Journal& journal;
    std::uint64_t timestamp_us;
  };

  domain::Outcome run_orders(const std::vector<domain::Order>& orders, Context context);
  // One order of a per-order proposal: its key, then the order itself (reference_per_order.cpp).
  domain::Outcome run_keyed(const domain::Order& order, const std::optional<std::string>& key,
                            Context context);
  void remember(const std::string& key, const domain::Order& order, std::uint64_t audit_sequence,
                const domain::Outcome& outcome, const domain::Outcome* answered);
  // first_index: the index, in its proposal, of the first of orders.
  void record_log_pointers(const std::vector<domain::Order>& orders,
                           const std::vector<domain::OrderResult>& results,
                           std::uint64_t audit_sequence, std::size_t first_index = 0);

  Result<domain::OrderResult> apply_order(const domain::Order& order, Context context);
  Status require_live_ledger(const std::string& ledger) const;
  std::uint64_t take_log_sequence(Context context, const std::string& ledger);

  Result<domain::OrderResult> create_ledger(const domain::CreateLedger& order, Context context);
  Result<domain::OrderResult> delete_ledger(const domain::DeleteLedger& order, Context context);
  Result<domain::OrderResult> create_transaction(const domain::CreateTransaction& order,
                                                 Context context);
  // A transaction given as a Numscript script: run against this model's own balances and
  // metadata, then written like any transaction.
  Result<domain::OrderResult> create_scripted_transaction(const domain::CreateTransaction& order,
                                                          Context context);
  // Stores a created transaction, its reference and the account metadata written with it.
  Result<domain::OrderResult> record_created(
      Context context, const domain::CreateTransaction& order, domain::TransactionState state,
      const std::map<std::string, domain::Metadata>& account_metadata);
  Result<domain::OrderResult> revert_transaction(const domain::RevertTransaction& order,
                                                 Context context);
  Result<domain::OrderResult> set_account_metadata(const domain::SetAccountMetadata& order,
                                                   Context context);
  Result<domain::OrderResult> delete_account_metadata(const domain::DeleteAccountMetadata& order,
                                                      Context context);
  Result<domain::OrderResult> set_transaction_metadata(const domain::SetTransactionMetadata& order,
                                                       Context context);
  Result<domain::OrderResult> delete_transaction_metadata(
      const domain::DeleteTransactionMetadata& order, Context context);
  Result<domain::OrderResult> set_ledger_metadata(const domain::SetLedgerMetadata& order,
                                                  Context context);
  Result<domain::OrderResult> delete_ledger_metadata(const domain::DeleteLedgerMetadata& order,
                                                     Context context);

  Status apply_postings(Context context, const std::string& ledger,
                        const std::vector<domain::Posting>& postings, bool force);
  Status add_to_volume(Context context, const VolumeKey& key, const domain::Amount& amount,
                       bool to_input);
  std::uint64_t store_transaction(Context context, const std::string& ledger,
                                  domain::TransactionState state);

  std::map<std::string, domain::LedgerInfo> ledgers_;
  std::map<std::string, domain::Metadata> ledger_metadata_;
  std::map<std::string, domain::Boundary> boundaries_;  // live ledgers only
  std::map<VolumeKey, domain::Volume> volumes_;
  std::map<AccountKey, domain::Metadata> account_metadata_;  // never an empty map
  std::map<TransactionKey, domain::TransactionState> transactions_;
  std::map<ReferenceKey, std::uint64_t> references_;
  std::map<std::string, fsm::IdempotencyRecord> idempotency_;  // cluster-wide
  std::map<LogKey, audit::LogPointer> log_pointers_;
  std::optional<Touched> touched_;  // while tracking
};

}  // namespace tally::check
