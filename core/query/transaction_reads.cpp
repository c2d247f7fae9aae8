#include "core/query/transaction_reads.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "core/query/row_scan.hpp"

namespace tally::query {

namespace {

using detail::kind_prefix;
using keys::AttributeKind;

bool selected(const TransactionQuery& query, const domain::TransactionState& state) {
  if (query.pit_us && state.timestamp_us > *query.pit_us) return false;
  return passes(query.page.filter,
                [&](const Filter& leaf) { return transaction_leaf(leaf, state); });
}

// A position in effective order: timestamp then id, 16 bytes big-endian, after the prefix.
Bytes effective_position(const Bytes& prefix, const domain::TransactionState& state) {
  Bytes out = prefix;
  for (std::uint64_t part : {state.timestamp_us, state.id}) {
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<std::uint8_t>(part >> shift));
  }
  return out;
}

using EffectiveKey = std::pair<std::uint64_t, std::uint64_t>;  // timestamp, id

EffectiveKey effective_key(const domain::TransactionState& state) {
  return {state.timestamp_us, state.id};
}

// When the transactions asked for are, by id, every transaction of the ledger from the oldest
// of them on (the one a write just made; the newest page of a list), they are the later ones:
// no scan. None otherwise, and in effective order, which may place any transaction later.
Result<std::optional<std::vector<domain::TransactionState>>> newest_by_id(
    const store::KeyValueStore& store, const std::string& ledger,
    const std::vector<domain::TransactionState>& transactions, std::uint64_t oldest,
    bool effective) {
  using Found = std::optional<std::vector<domain::TransactionState>>;
  if (effective) return Found();
  auto boundary = detail::get_value<domain::Boundary>(store, keys::boundary_key(ledger));
  if (!boundary.ok()) return std::move(boundary).error();
  if (!boundary->has_value()) return Found();
  std::vector<domain::TransactionState> distinct;
  std::set<std::uint64_t> ids;
  for (const domain::TransactionState& state : transactions) {
    if (ids.insert(state.id).second) distinct.push_back(state);
  }
  const std::uint64_t next = (*boundary)->next_transaction_id;
  if (*ids.rbegin() >= next) {
    return make_error(Code::kCorrupt, "a transaction at or past its ledger's next id");
  }
  if (next - oldest != ids.size()) return Found();
  return Found(std::move(distinct));
}

Result<Page<domain::TransactionState>> list_by_id(const store::KeyValueStore& store,
                                                  const std::string& ledger,
                                                  const TransactionQuery& query) {
  Bytes prefix = kind_prefix(AttributeKind::kTransaction, keys::ledger_prefix(ledger));
  auto cursor = detail::decode_position(query.page.cursor, prefix);
  if (!cursor.ok()) return std::move(cursor).error();
  const bool ascending = query.page.order == ListOrder::kAscending;
  Bytes from = cursor->empty() ? Bytes{} : (ascending ? store::prefix_end(*cursor) : *cursor);
  const std::size_t limit = page_size(query.page);
  Page<domain::TransactionState> out;
  TALLY_TRY(detail::for_each_transaction(
      store, ledger, ascending, from, [&](const domain::TransactionState& state) -> Result<bool> {
        if (!selected(query, state)) return true;
        if (out.data.size() == limit) {
          out.next =
              to_hex(store::attribute_row_key(keys::transaction_key(ledger, out.data.back().id)));
          return false;
        }
        out.data.push_back(state);
        return true;
      }));
  return out;
}

// Effective order has no index: every selected transaction is read, sorted, and one page cut.
Result<Page<domain::TransactionState>> list_by_effective(const store::KeyValueStore& store,
                                                         const std::string& ledger,
                                                         const TransactionQuery& query) {
  Bytes prefix = kind_prefix(AttributeKind::kTransaction, keys::ledger_prefix(ledger));
  prefix.push_back('E');
  auto cursor = detail::decode_position(query.page.cursor, prefix);
  if (!cursor.ok()) return std::move(cursor).error();
  std::optional<EffectiveKey> after;
  if (!cursor->empty()) {
    if (cursor->size() != prefix.size() + 16)
      return make_error(Code::kValidation, "invalid cursor");
    std::uint64_t parts[2] = {0, 0};
    for (std::size_t i = 0; i < 16; ++i)
      parts[i / 8] = (parts[i / 8] << 8) | (*cursor)[prefix.size() + i];
    after = EffectiveKey{parts[0], parts[1]};
  }
  const bool ascending = query.page.order == ListOrder::kAscending;
  std::vector<domain::TransactionState> all;
  TALLY_TRY(detail::for_each_transaction(
      store, ledger, true, {}, [&](const domain::TransactionState& state) -> Result<bool> {
        if (!selected(query, state)) return true;
        if (after &&
            (ascending ? effective_key(state) <= *after : effective_key(state) >= *after)) {
          return true;
        }
        all.push_back(state);
        return true;
      }));
  auto before = [&](const domain::TransactionState& a, const domain::TransactionState& b) {
    return ascending ? effective_key(a) < effective_key(b) : effective_key(b) < effective_key(a);
  };
  std::sort(all.begin(), all.end(), before);
  Page<domain::TransactionState> out;
  const std::size_t limit = page_size(query.page);
  if (all.size() > limit) {
    all.resize(limit);
    out.next = to_hex(effective_position(prefix, all.back()));
  }
  out.data = std::move(all);
  return out;
}

// The volume of (account, asset) after undoing a posting's move.
Status undo(domain::Volume& volume, const domain::Amount& amount, bool input) {
  auto& side = input ? volume.input : volume.output;
  auto less = domain::Amount::checked_sub(side, amount);
  if (!less) return make_error(Code::kCorrupt, "volumes smaller than the postings they hold");
  side = *less;
  return ok_status();
}

}  // namespace

Result<Page<domain::TransactionState>> list_transactions(const store::KeyValueStore& store,
                                                         const std::string& ledger,
                                                         const TransactionQuery& query) {
  if (query.by_effective) return list_by_effective(store, ledger, query);
  return list_by_id(store, ledger, query);
}

Result<Page<domain::TransactionState>> list_transactions(const store::KeyValueStore& store,
                                                         const std::string& ledger,
                                                         const PageRequest& page) {
  return list_transactions(store, ledger, TransactionQuery{page, false, std::nullopt});
}

Result<std::uint64_t> count_transactions(const store::KeyValueStore& store,
                                         const std::string& ledger, const Filter* filter,
                                         std::optional<std::uint64_t> pit_us) {
  TransactionQuery query;
  query.page.filter = filter;
  query.pit_us = pit_us;
  std::uint64_t count = 0;
  TALLY_TRY(detail::for_each_transaction(
      store, ledger, true, {}, [&](const domain::TransactionState& state) -> Result<bool> {
        count += selected(query, state) ? 1 : 0;
        return true;
      }));
  return count;
}

Result<std::optional<std::uint64_t>> reverted_at(const store::KeyValueStore& store,
                                                 const std::string& ledger,
                                                 const domain::TransactionState& transaction) {
  using Found = std::optional<std::uint64_t>;
  if (!transaction.reverted_by) return Found();
  auto revert = get_transaction(store, ledger, *transaction.reverted_by);
  if (!revert.ok()) return std::move(revert).error();
  if (!revert->has_value()) return make_error(Code::kCorrupt, "a revert the store lacks");
  return Found((*revert)->timestamp_us);
}

Result<std::map<std::uint64_t, AccountVolumes>> post_commit_volumes(
    const store::KeyValueStore& store, const std::string& ledger,
    const std::vector<domain::TransactionState>& transactions, bool effective) {
  std::map<std::uint64_t, AccountVolumes> out;
  if (transactions.empty()) return out;
  // The (account, asset) pairs asked for, at their current volumes.
  AccountVolumes current;
  std::set<EffectiveKey> wanted;
  std::uint64_t oldest = transactions.front().id;
  for (const domain::TransactionState& state : transactions) {
    wanted.insert(effective ? effective_key(state) : EffectiveKey{0, state.id});
    oldest = std::min(oldest, state.id);
    for (const domain::Posting& posting : state.postings) {
      for (const std::string* account : {&posting.source, &posting.destination}) {
        if (current[*account].count(posting.asset) != 0) continue;
        auto volume = detail::get_value<domain::Volume>(
            store, keys::volume_key(ledger, *account, posting.asset));
        if (!volume.ok()) return std::move(volume).error();
        current[*account][posting.asset] = volume->value_or(domain::Volume{});
      }
    }
  }
  // Every transaction that may come after one asked for, newest first in the order chosen.
  auto newest = newest_by_id(store, ledger, transactions, oldest, effective);
  if (!newest.ok()) return std::move(newest).error();
  std::vector<domain::TransactionState> later =
      std::move(newest).value().value_or(std::vector<domain::TransactionState>{});
  if (!newest->has_value()) {
    Bytes from =
        effective ? Bytes{} : store::attribute_row_key(keys::transaction_key(ledger, oldest));
    TALLY_TRY(detail::for_each_transaction(
        store, ledger, true, from, [&](const domain::TransactionState& state) -> Result<bool> {
          later.push_back(state);
          return true;
        }));
  }
  std::sort(later.begin(), later.end(), [&](const auto& a, const auto& b) {
    return effective ? effective_key(b) < effective_key(a) : b.id < a.id;
  });
  for (const domain::TransactionState& state : later) {
    if (wanted.count(effective ? effective_key(state) : EffectiveKey{0, state.id}) != 0) {
      AccountVolumes& mine = out[state.id];
      for (const domain::Posting& posting : state.postings) {
        mine[posting.source][posting.asset] = current[posting.source][posting.asset];
        mine[posting.destination][posting.asset] = current[posting.destination][posting.asset];
      }
    }
    for (const domain::Posting& posting : state.postings) {
      auto source = current.find(posting.source);
      if (source != current.end() && source->second.count(posting.asset) != 0) {
        TALLY_TRY(undo(source->second[posting.asset], posting.amount, false));
      }
      auto destination = current.find(posting.destination);
      if (destination != current.end() && destination->second.count(posting.asset) != 0) {
        TALLY_TRY(undo(destination->second[posting.asset], posting.amount, true));
      }
    }
  }
  return out;
}

AccountVolumes pre_commit_volumes(const AccountVolumes& post,
                                  const std::vector<domain::Posting>& postings) {
  AccountVolumes pre = post;
  for (const domain::Posting& posting : postings) {
    auto& source = pre[posting.source][posting.asset];
    source.output =
        domain::Amount::checked_sub(source.output, posting.amount).value_or(domain::Amount{});
    auto& destination = pre[posting.destination][posting.asset];
    destination.input =
        domain::Amount::checked_sub(destination.input, posting.amount).value_or(domain::Amount{});
  }
  return pre;
}

}  // namespace tally::query
