#include "core/query/log_reads.hpp"

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/codec/order_codec.hpp"
#include "core/overloaded.hpp"
#include "core/query/row_scan.hpp"

namespace tally::query {

namespace {

std::uint64_t sequence_of(ByteView key) {
  std::uint64_t sequence = 0;
  for (std::size_t i = key.size - 8; i < key.size; ++i)
    sequence = (sequence << 8) | key[i];
  return sequence;
}

// The type a logged order shows as; none for the ledger's own orders.
std::optional<LogView::Type> type_of(const domain::Order& order) {
  using T = LogView::Type;
  using Found = std::optional<T>;
  return std::visit(
      Overloaded{
          [](const domain::CreateTransaction&) { return Found(T::kNewTransaction); },
          [](const domain::RevertTransaction&) { return Found(T::kRevertedTransaction); },
          [](const domain::SetAccountMetadata&) { return Found(T::kSetMetadata); },
          [](const domain::SetTransactionMetadata&) { return Found(T::kSetMetadata); },
          [](const domain::DeleteAccountMetadata&) { return Found(T::kDeleteMetadata); },
          [](const domain::DeleteTransactionMetadata&) { return Found(T::kDeleteMetadata); },
          [](const auto&) { return Found(); },
      },
      order);
}

// The transactions a logged order made, as it made them (and the one a revert reverted).
Status fill_transactions(const store::KeyValueStore& store, const std::string& ledger,
                         const domain::OrderResult& result, LogView& view) {
  if (const auto* create = std::get_if<domain::CreateTransaction>(&view.order)) {
    domain::TransactionState state;
    state.id = result.transaction_id.value_or(0);
    state.postings = create->postings;
    state.metadata = create->metadata;
    state.timestamp_us = create->timestamp_us.value_or(view.date_us);
    state.reference = create->reference;
    view.transaction = std::move(state);
  } else if (const auto* revert = std::get_if<domain::RevertTransaction>(&view.order)) {
    auto original = get_transaction(store, ledger, revert->transaction_id);
    if (!original.ok()) return std::move(original).error();
    if (!original->has_value()) {
      return make_error(Code::kCorrupt, "a logged revert of a transaction the store lacks");
    }
    domain::TransactionState state;
    state.id = result.transaction_id.value_or(0);
    state.postings = domain::reversed_postings((*original)->postings);
    state.metadata = revert->metadata;
    state.metadata[std::string(domain::kRevertMetadataKey)] =
        std::to_string(revert->transaction_id);
    state.timestamp_us = revert->at_effective_date ? (*original)->timestamp_us : view.date_us;
    state.reverts = revert->transaction_id;
    view.transaction = std::move(state);
    view.reverted = std::move(**original);
  }
  return ok_status();
}

// The log entry a pointer names; none for the ledger's own orders.
Result<std::optional<LogView>> view_of(const store::KeyValueStore& store, const std::string& ledger,
                                       std::uint64_t id, const audit::LogPointer& pointer,
                                       std::optional<audit::AuditEntry>& entry) {
  using Found = std::optional<LogView>;
  if (!entry || entry->sequence != pointer.audit_sequence) {
    auto row = store.get(audit::audit_row_key(pointer.audit_sequence));
    if (!row.ok()) return std::move(row).error();
    if (!row->has_value()) return make_error(Code::kCorrupt, "a ledger log names no audit entry");
    auto decoded = audit::decode_audit_entry(**row);
    if (!decoded.ok()) return std::move(decoded).error();
    entry = std::move(decoded).value();
  }
  if (pointer.order_index >= entry->items.size()) {
    return make_error(Code::kCorrupt, "a ledger log names an order its entry lacks");
  }
  auto order = codec::decode_order(entry->items[pointer.order_index]);
  if (!order.ok()) return std::move(order).error();
  auto type = type_of(*order);
  if (!type) return Found();
  LogView view;
  view.id = id;
  view.type = *type;
  view.date_us = entry->timestamp_us;
  view.hash = Bytes(entry->hash.begin(), entry->hash.end());
  view.idempotency_key = entry->idempotency_key;
  if (pointer.order_index < entry->order_keys.size() && entry->order_keys[pointer.order_index]) {
    view.idempotency_key = entry->order_keys[pointer.order_index];
  }
  view.order = std::move(order).value();
  auto result = domain::result_of(entry->outcome, pointer.order_index);
  if (!result) return make_error(Code::kCorrupt, "a ledger log names an order that failed");
  TALLY_TRY(fill_transactions(store, ledger, *result, view));
  return Found(std::move(view));
}

}  // namespace

Result<Page<LogView>> list_logs(const store::KeyValueStore& store, const std::string& ledger,
                                const PageRequest& page) {
  Bytes prefix = audit::ledger_log_prefix(ledger);
  auto cursor = detail::decode_position(page.cursor, prefix);
  if (!cursor.ok()) return std::move(cursor).error();
  const bool ascending = page.order == ListOrder::kAscending;
  Bytes begin = cursor->empty() || !ascending ? prefix : store::prefix_end(*cursor);
  Bytes end = cursor->empty() || ascending ? store::prefix_end(prefix) : *cursor;
  const std::size_t limit = page_size(page);
  Page<LogView> out;
  std::optional<audit::AuditEntry> entry;
  std::optional<Error> failure;
  TALLY_TRY(store.scan(
      begin, end, ascending ? store::ScanOrder::kAscending : store::ScanOrder::kDescending,
      [&](ByteView key, ByteView value) {
        auto pointer = audit::decode_log_pointer(value);
        auto view = pointer.ok() ? view_of(store, ledger, sequence_of(key), *pointer, entry)
                                 : Result<std::optional<LogView>>(pointer.error());
        if (!view.ok()) {
          failure = std::move(view).error();
          return false;
        }
        if (!view->has_value()) return true;
        if (!passes(page.filter, [&](const Filter& leaf) { return log_leaf(leaf, **view); })) {
          return true;
        }
        if (out.data.size() == limit) {
          out.next = to_hex(audit::ledger_log_key(ledger, out.data.back().id));
          return false;
        }
        out.data.push_back(std::move(**view));
        return true;
      }));
  if (failure) return std::move(*failure);
  return out;
}

}  // namespace tally::query
