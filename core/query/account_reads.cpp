#include "core/query/account_reads.hpp"

#include "core/query/row_scan.hpp"

namespace tally::query {

namespace {

using detail::kind_prefix;
using keys::AttributeKind;

bool selected(const Filter* filter, const AccountView& account) {
  return passes(filter, [&](const Filter& leaf) { return account_leaf(leaf, account); });
}

Result<std::string> account_position(const std::optional<std::string>& cursor) {
  if (!cursor) return std::string();
  auto bytes = detail::decode_position(cursor, {});
  if (!bytes.ok()) return std::move(bytes).error();
  std::string after(bytes->begin(), bytes->end());
  if (after.empty() || after.find('\0') != std::string::npos) {
    return make_error(Code::kValidation, "invalid cursor");
  }
  return after;
}

// The first `segments` segments of an address (all of them when it has fewer).
std::string group_of(const std::string& address, std::size_t segments) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < segments; ++i) {
    at = address.find(':', at);
    if (at == std::string::npos) return address;
    if (i + 1 < segments) ++at;
  }
  return address.substr(0, at);
}

Status add_into(domain::Volume& sum, const domain::Volume& volume) {
  auto input = domain::Amount::checked_add(sum.input, volume.input);
  auto output = domain::Amount::checked_add(sum.output, volume.output);
  if (!input || !output) return make_error(Code::kValidation, "a sum of volumes overflows 2^256");
  sum = {*input, *output};
  return ok_status();
}

// Every volume row the filter selects, in (account, asset) order.
Result<std::vector<VolumeRow>> selected_volumes(const store::KeyValueStore& store,
                                                const std::string& ledger, const Filter* filter) {
  std::vector<VolumeRow> rows;
  TALLY_TRY(
      detail::for_each_account(store, ledger, "", [&](const AccountView& account) -> Result<bool> {
        for (const auto& [asset, volume] : account.volumes) {
          VolumeRow row{account.address, asset, volume};
          if (passes(filter, [&](const Filter& leaf) {
                return volume_leaf(leaf, row, account.metadata);
              })) {
            rows.push_back(std::move(row));
          }
        }
        return true;
      }));
  return rows;
}

Bytes volume_position(const VolumeRow& row) {
  Bytes out(row.account.begin(), row.account.end());
  out.push_back(0);
  out.insert(out.end(), row.asset.begin(), row.asset.end());
  return out;
}

}  // namespace

Result<Page<AccountView>> list_accounts(const store::KeyValueStore& store,
                                        const std::string& ledger, const PageRequest& page) {
  auto after = account_position(page.cursor);
  if (!after.ok()) return std::move(after).error();
  const std::size_t limit = page_size(page);
  Page<AccountView> out;
  TALLY_TRY(detail::for_each_account(store, ledger, *after,
                                     [&](const AccountView& account) -> Result<bool> {
                                       if (!selected(page.filter, account)) return true;
                                       if (out.data.size() == limit) {
                                         out.next = to_hex(ByteView(out.data.back().address));
                                         return false;
                                       }
                                       out.data.push_back(account);
                                       return true;
                                     }));
  return out;
}

Result<std::uint64_t> count_accounts(const store::KeyValueStore& store, const std::string& ledger,
                                     const Filter* filter) {
  std::uint64_t count = 0;
  TALLY_TRY(
      detail::for_each_account(store, ledger, "", [&](const AccountView& account) -> Result<bool> {
        count += selected(filter, account) ? 1 : 0;
        return true;
      }));
  return count;
}

Result<std::map<std::string, domain::SignedAmount>> aggregate_balances(
    const store::KeyValueStore& store, const std::string& ledger, const Filter* filter) {
  std::map<std::string, domain::Volume> sums;
  Status summed =
      detail::for_each_account(store, ledger, "", [&](const AccountView& account) -> Result<bool> {
        if (!selected(filter, account)) return true;
        for (const auto& [asset, volume] : account.volumes)
          TALLY_TRY(add_into(sums[asset], volume));
        return true;
      });
  TALLY_TRY(summed);
  std::map<std::string, domain::SignedAmount> balances;
  for (const auto& [asset, volume] : sums)
    balances[asset] = volume.balance();
  return balances;
}

Result<Page<VolumeRow>> list_volumes(const store::KeyValueStore& store, const std::string& ledger,
                                     const VolumeQuery& query) {
  auto rows = selected_volumes(store, ledger, query.page.filter);
  if (!rows.ok()) return std::move(rows).error();
  std::vector<VolumeRow> listed;
  if (query.group_by == 0) {
    listed = std::move(rows).value();
  } else {
    std::map<std::pair<std::string, std::string>, domain::Volume> groups;
    for (const VolumeRow& row : *rows)
      TALLY_TRY(add_into(groups[{group_of(row.account, query.group_by), row.asset}], row.volume));
    for (const auto& [key, volume] : groups)
      listed.push_back({key.first, key.second, volume});
  }
  auto cursor = detail::decode_position(query.page.cursor, {});
  if (!cursor.ok()) return std::move(cursor).error();
  const bool descending = query.page.order == ListOrder::kDescending;
  if (descending) std::reverse(listed.begin(), listed.end());
  Page<VolumeRow> out;
  const std::size_t limit = page_size(query.page);
  for (VolumeRow& row : listed) {
    Bytes position = volume_position(row);
    if (!cursor->empty() && (descending ? position >= *cursor : position <= *cursor)) continue;
    if (out.data.size() == limit) {
      out.next = to_hex(volume_position(out.data.back()));
      break;
    }
    out.data.push_back(std::move(row));
  }
  return out;
}

}  // namespace tally::query
