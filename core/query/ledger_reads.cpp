#include "core/query/ledger_reads.hpp"

#include "core/limits.hpp"
#include "core/query/row_scan.hpp"

namespace tally::query {

using detail::get_value;
using detail::kind_prefix;
using detail::part_at;
using keys::AttributeKind;

std::size_t page_size(const PageRequest& page) {
  if (page.limit == 0) return limits::kPageSizeDefault;
  return std::min(page.limit, limits::kPageSizeMax);
}

Result<std::optional<LedgerView>> get_ledger(const store::KeyValueStore& store,
                                             const std::string& ledger) {
  auto info = get_value<domain::LedgerInfo>(store, keys::ledger_key(ledger));
  if (!info.ok()) return std::move(info).error();
  if (!info->has_value()) return std::optional<LedgerView>();
  auto metadata = get_value<domain::Metadata>(store, keys::ledger_metadata_key(ledger));
  if (!metadata.ok()) return std::move(metadata).error();
  return std::optional<LedgerView>(
      LedgerView{std::move(**info), metadata->value_or(domain::Metadata{})});
}

Result<Page<LedgerView>> list_ledgers(const store::KeyValueStore& store, const PageRequest& page,
                                      bool include_deleted) {
  Bytes prefix = kind_prefix(AttributeKind::kLedger);
  auto cursor = detail::decode_position(page.cursor, prefix);
  if (!cursor.ok()) return std::move(cursor).error();
  const bool descending = page.order == ListOrder::kDescending;
  Bytes begin = cursor->empty() || descending ? prefix : store::prefix_end(*cursor);
  Bytes end = cursor->empty() || !descending ? store::prefix_end(prefix) : *cursor;
  std::size_t limit = page_size(page);
  std::vector<std::pair<std::string, Bytes>> names;  // name, row key
  TALLY_TRY(store.scan(begin, end,
                       descending ? store::ScanOrder::kDescending : store::ScanOrder::kAscending,
                       [&](ByteView key, ByteView) {
                         names.emplace_back(part_at(key, prefix.size()), key.to_bytes());
                         return true;
                       }));
  Page<LedgerView> out;
  for (const auto& [name, key] : names) {
    auto view = get_ledger(store, name);
    if (!view.ok()) return std::move(view).error();
    if (!view->has_value()) continue;
    if (!include_deleted && (*view)->info.deleted) continue;
    if (!passes(page.filter, [&](const Filter& leaf) { return ledger_leaf(leaf, **view); })) {
      continue;
    }
    if (out.data.size() == limit) {
      out.next = to_hex(store::attribute_row_key(keys::ledger_key(out.data.back().info.name)));
      break;
    }
    out.data.push_back(std::move(**view));
  }
  return out;
}

Result<std::optional<domain::TransactionState>> get_transaction(const store::KeyValueStore& store,
                                                                const std::string& ledger,
                                                                std::uint64_t id) {
  return get_value<domain::TransactionState>(store, keys::transaction_key(ledger, id));
}

Result<std::optional<AccountView>> get_account(const store::KeyValueStore& store,
                                               const std::string& ledger,
                                               const std::string& address) {
  AccountView view{address, {}, {}};
  Bytes prefix = kind_prefix(AttributeKind::kVolume, keys::account_prefix(ledger, address));
  std::optional<Error> failure;
  TALLY_TRY(store::scan_range(
      store, prefix, store::prefix_end(prefix), [&](ByteView key, ByteView value) {
        auto volume = codec::ValueCodec<domain::Volume>::decode(value);
        if (!volume.ok()) {
          failure = std::move(volume).error();
          return false;
        }
        view.volumes.emplace(part_at(key, prefix.size()), std::move(volume).value());
        return true;
      }));
  if (failure) return std::move(*failure);
  auto metadata = get_value<domain::Metadata>(store, keys::account_metadata_key(ledger, address));
  if (!metadata.ok()) return std::move(metadata).error();
  if (view.volumes.empty() && !metadata->has_value()) return std::optional<AccountView>();
  view.metadata = metadata->value_or(domain::Metadata{});
  return std::optional<AccountView>(std::move(view));
}

}  // namespace tally::query
