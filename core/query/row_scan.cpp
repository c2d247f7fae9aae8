#include "core/query/row_scan.hpp"

#include <set>

namespace tally::query::detail {

using keys::AttributeKind;

Bytes kind_prefix(AttributeKind kind, const Bytes& canonical_prefix) {
  Bytes out{store::kZoneAttributes, keys::kind_byte(kind)};
  append(out, canonical_prefix);
  return out;
}

Result<Bytes> decode_position(const std::optional<std::string>& position, const Bytes& prefix) {
  if (!position) return Bytes{};
  std::optional<Bytes> out =
      position->size() <= 2 * 1024 ? from_hex(*position) : std::optional<Bytes>();
  if (!out || out->size() < prefix.size() ||
      !std::equal(prefix.begin(), prefix.end(), out->begin())) {
    return make_error(Code::kValidation, "invalid cursor");
  }
  return std::move(*out);
}

std::string part_at(ByteView bytes, std::size_t offset) {
  std::size_t end = offset;
  while (end < bytes.size && bytes[end] != 0)
    ++end;
  return std::string(bytes.data + offset, bytes.data + end);
}

namespace {

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

constexpr std::size_t kAccountsPerRound = 256;

}  // namespace

Status for_each_account(const store::KeyValueStore& store, const std::string& ledger,
                        const std::string& after, const AccountVisitor& visit) {
  std::string from = after;
  for (;;) {
    // The next addresses of both kinds; the round ends at the first kind's last address, so
    // no address of the other kind is skipped.
    std::set<std::string> merged;
    std::optional<std::string> horizon;
    for (AttributeKind kind : {AttributeKind::kVolume, AttributeKind::kAccountMetadata}) {
      auto found = addresses(store, kind, ledger, from, kAccountsPerRound);
      if (!found.ok()) return std::move(found).error();
      merged.insert(found->begin(), found->end());
      if (found->size() == kAccountsPerRound && (!horizon || found->back() < *horizon)) {
        horizon = found->back();
      }
    }
    for (const std::string& address : merged) {
      if (horizon && *horizon < address) break;
      auto account = get_account(store, ledger, address);
      if (!account.ok()) return std::move(account).error();
      if (!account->has_value()) continue;
      auto more = visit(**account);
      if (!more.ok()) return std::move(more).error();
      if (!*more) return ok_status();
      from = address;
    }
    if (!horizon) return ok_status();
    from = *horizon;
  }
}

Status for_each_transaction(const store::KeyValueStore& store, const std::string& ledger,
                            bool ascending, const Bytes& from, const TransactionVisitor& visit) {
  Bytes prefix = kind_prefix(AttributeKind::kTransaction, keys::ledger_prefix(ledger));
  Bytes begin = ascending && !from.empty() ? from : prefix;
  Bytes end = !ascending && !from.empty() ? from : store::prefix_end(prefix);
  std::optional<Error> failure;
  TALLY_TRY(store.scan(begin, end,
                       ascending ? store::ScanOrder::kAscending : store::ScanOrder::kDescending,
                       [&](ByteView, ByteView value) {
                         auto state = codec::ValueCodec<domain::TransactionState>::decode(value);
                         if (!state.ok()) {
                           failure = std::move(state).error();
                           return false;
                         }
                         auto more = visit(*state);
                         if (!more.ok()) {
                           failure = std::move(more).error();
                           return false;
                         }
                         return *more;
                       }));
  if (failure) return std::move(*failure);
  return ok_status();
}

}  // namespace tally::query::detail
