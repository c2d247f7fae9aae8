#include "core/query/ledger_reads.hpp"

#include <set>

#include "core/codec/value_codec.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/limits.hpp"
#include "core/store/layout.hpp"

namespace tally::query {

namespace {

using keys::AttributeKind;

std::size_t page_size(const PageRequest& page) {
  if (page.limit == 0) return limits::kPageSizeDefault;
  return std::min(page.limit, limits::kPageSizeMax);
}

// [0x01][kind][parts...]: the row-key prefix of a kind, optionally narrowed by a prefix.
Bytes kind_prefix(AttributeKind kind, const Bytes& canonical_prefix = {}) {
  Bytes out{store::kZoneAttributes, keys::kind_byte(kind)};
  append(out, canonical_prefix);
  return out;
}

Result<Bytes> decode_cursor(const std::optional<std::string>& cursor, const Bytes& prefix) {
  if (!cursor) return Bytes{};
  Bytes out;
  const std::string& hex = *cursor;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  bool valid = hex.size() % 2 == 0 && hex.size() <= 2 * 1024;
  for (std::size_t i = 0; valid && i < hex.size(); i += 2) {
    int high = digit(hex[i]), low = digit(hex[i + 1]);
    valid = high >= 0 && low >= 0;
    out.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  if (!valid || out.size() < prefix.size() ||
      !std::equal(prefix.begin(), prefix.end(), out.begin())) {
    return make_error(Code::kValidation, "invalid cursor");
  }
  return out;
}

// The first string part of canonical bytes at offset, up to its 0x00 separator.
std::string part_at(ByteView bytes, std::size_t offset) {
  std::size_t end = offset;
  while (end < bytes.size && bytes[end] != 0)
    ++end;
  return std::string(bytes.data + offset, bytes.data + end);
}

template <class T>
Result<T> decode_row(ByteView value) {
  return codec::ValueCodec<T>::decode(value);
}

template <class T>
Result<std::optional<T>> get_value(const store::KeyValueStore& store,
                                   const keys::AttributeKey& key) {
  auto raw = store.get(store::attribute_row_key(key));
  if (!raw.ok()) return std::move(raw).error();
  if (!raw->has_value()) return std::optional<T>();
  auto value = decode_row<T>(**raw);
  if (!value.ok()) return std::move(value).error();
  return std::optional<T>(std::move(value).value());
}

// Distinct addresses of one kind's rows in a ledger, after `after`, at most `count`.
Result<std::vector<std::string>> addresses(const store::KeyValueStore& store, AttributeKind kind,
                                           const std::string& ledger, const std::string& after,
                                           std::size_t count) {
  Bytes prefix = kind_prefix(kind, keys::ledger_prefix(ledger));
  Bytes begin = after.empty()
                    ? prefix
                    : store::prefix_end(kind_prefix(kind, keys::account_prefix(ledger, after)));
  std::vector<std::string> found;
  TALLY_TRY(store::scan_range(store, begin, store::prefix_end(prefix), [&](ByteView key, ByteView) {
    std::string address = part_at(key, prefix.size());
    if (found.empty() || found.back() != address) found.push_back(address);
    if (found.size() > count) {
      found.pop_back();
      return false;
    }
    return true;
  }));
  return found;
}

}  // namespace

Result<std::optional<domain::LedgerInfo>> get_ledger_info(const store::KeyValueStore& store,
                                                          const std::string& ledger) {
  return get_value<domain::LedgerInfo>(store, keys::ledger_key(ledger));
}

Result<std::optional<LedgerView>> get_ledger(const store::KeyValueStore& store,
                                             const std::string& ledger) {
  auto info = get_ledger_info(store, ledger);
  if (!info.ok()) return std::move(info).error();
  if (!info->has_value()) return std::optional<LedgerView>();
  auto metadata = get_value<domain::Metadata>(store, keys::ledger_metadata_key(ledger));
  if (!metadata.ok()) return std::move(metadata).error();
  return std::optional<LedgerView>(
      LedgerView{std::move(**info), metadata->value_or(domain::Metadata{})});
}

Result<Page<LedgerView>> list_ledgers(const store::KeyValueStore& store, const PageRequest& page) {
  Bytes prefix = kind_prefix(AttributeKind::kLedger);
  auto cursor = decode_cursor(page.cursor, prefix);
  if (!cursor.ok()) return std::move(cursor).error();
  Bytes begin = cursor->empty() ? prefix : store::prefix_end(*cursor);
  std::size_t limit = page_size(page);
  Page<LedgerView> out;
  std::vector<std::string> names;
  Bytes last_key;
  TALLY_TRY(store::scan_range(store, begin, store::prefix_end(prefix), [&](ByteView key, ByteView) {
    if (names.size() == limit) {
      out.next = to_hex(last_key);
      return false;
    }
    names.push_back(part_at(key, prefix.size()));
    last_key = key.to_bytes();
    return true;
  }));
  for (const std::string& name : names) {
    auto view = get_ledger(store, name);
    if (!view.ok()) return std::move(view).error();
    out.data.push_back(std::move(**view));
  }
  return out;
}

Result<std::optional<domain::TransactionState>> get_transaction(const store::KeyValueStore& store,
                                                                const std::string& ledger,
                                                                std::uint64_t id) {
  return get_value<domain::TransactionState>(store, keys::transaction_key(ledger, id));
}

Result<Page<domain::TransactionState>> list_transactions(const store::KeyValueStore& store,
                                                         const std::string& ledger,
                                                         const PageRequest& page) {
  Bytes prefix = kind_prefix(AttributeKind::kTransaction, keys::ledger_prefix(ledger));
  auto cursor = decode_cursor(page.cursor, prefix);
  if (!cursor.ok()) return std::move(cursor).error();
  Bytes end = cursor->empty() ? store::prefix_end(prefix) : *cursor;  // exclusive: newest first
  std::size_t limit = page_size(page);
  Page<domain::TransactionState> out;
  std::optional<Error> failure;
  TALLY_TRY(
      store.scan(prefix, end, store::ScanOrder::kDescending, [&](ByteView key, ByteView value) {
        if (out.data.size() == limit) {
          out.next =
              to_hex(store::attribute_row_key(keys::transaction_key(ledger, out.data.back().id)));
          return false;
        }
        auto state = decode_row<domain::TransactionState>(value);
        if (!state.ok()) {
          failure = std::move(state).error();
          return false;
        }
        (void)key;
        out.data.push_back(std::move(state).value());
        return true;
      }));
  if (failure) return std::move(*failure);
  return out;
}

Result<std::optional<AccountView>> get_account(const store::KeyValueStore& store,
                                               const std::string& ledger,
                                               const std::string& address) {
  AccountView view{address, {}, {}};
  Bytes prefix = kind_prefix(AttributeKind::kVolume, keys::account_prefix(ledger, address));
  std::optional<Error> failure;
  TALLY_TRY(store::scan_range(
      store, prefix, store::prefix_end(prefix), [&](ByteView key, ByteView value) {
        auto volume = decode_row<domain::Volume>(value);
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

Result<Page<AccountView>> list_accounts(const store::KeyValueStore& store,
                                        const std::string& ledger, const PageRequest& page) {
  std::string after;
  if (page.cursor) {
    auto cursor = decode_cursor(page.cursor, {});
    if (!cursor.ok()) return std::move(cursor).error();
    after.assign(cursor->begin(), cursor->end());
    if (after.empty() || after.find('\0') != std::string::npos) {
      return make_error(Code::kValidation, "invalid cursor");
    }
  }
  std::size_t limit = page_size(page);
  std::set<std::string> merged;
  for (AttributeKind kind : {AttributeKind::kVolume, AttributeKind::kAccountMetadata}) {
    auto found = addresses(store, kind, ledger, after, limit + 1);
    if (!found.ok()) return std::move(found).error();
    merged.insert(found->begin(), found->end());
  }
  Page<AccountView> out;
  for (const std::string& address : merged) {
    if (out.data.size() == limit) {
      out.next = to_hex(ByteView(out.data.back().address));
      break;
    }
    auto account = get_account(store, ledger, address);
    if (!account.ok()) return std::move(account).error();
    if (account->has_value()) out.data.push_back(std::move(**account));
  }
  return out;
}

Result<std::map<std::string, domain::SignedAmount>> aggregate_balances(
    const store::KeyValueStore& store, const std::string& ledger,
    const std::string& address_prefix) {
  Bytes ledger_bytes = keys::ledger_prefix(ledger);
  Bytes prefix = kind_prefix(AttributeKind::kVolume, ledger_bytes);
  append(prefix, ByteView(address_prefix));
  std::map<std::string, domain::Amount> inputs, outputs;
  std::optional<Error> failure;
  TALLY_TRY(store::scan_range(
      store, prefix, store::prefix_end(prefix), [&](ByteView key, ByteView value) {
        std::size_t account_at = 2 + ledger_bytes.size();
        std::string account = part_at(key, account_at);
        std::string asset = part_at(key, account_at + account.size() + 1);
        auto volume = decode_row<domain::Volume>(value);
        auto in =
            volume.ok() ? domain::Amount::checked_add(inputs[asset], volume->input) : std::nullopt;
        auto out = volume.ok() ? domain::Amount::checked_add(outputs[asset], volume->output)
                               : std::nullopt;
        if (!in || !out) {
          failure = volume.ok() ? make_error(Code::kValidation, "aggregate overflows 2^256")
                                : std::move(volume).error();
          return false;
        }
        inputs[asset] = *in;
        outputs[asset] = *out;
        return true;
      }));
  if (failure) return std::move(*failure);
  std::map<std::string, domain::SignedAmount> balances;
  for (const auto& [asset, input] : inputs)
    balances[asset] = domain::balance_of(input, outputs[asset]);
  return balances;
}

}  // namespace tally::query
