#include "core/check/cache_check.hpp"

#include "core/cache/row_agreement.hpp"
#include "core/check/row_description.hpp"

namespace tally::check {

namespace {

std::string entry_text(const cache::CacheEntry& entry) {
  if (entry.deleted) return "tombstone tag=" + std::to_string(entry.tag);
  return "live tag=" + std::to_string(entry.tag) + " value=" + to_hex(entry.value);
}

std::size_t visible_entries(const cache::Cache& cache) {
  std::size_t count = 0;
  for (keys::AttributeKind kind : keys::kAllKinds) {
    const cache::AttributeCache& attributes = cache.kind(kind);
    count += attributes.gen0().size();
    for (const auto& [id, entry] : attributes.gen1())
      count += attributes.find_gen0(id) == nullptr ? 1 : 0;
  }
  return count;
}

Mismatch mismatch_of(const cache::RowDisagreement& d) {
  std::string name = std::string(keys::kind_name(d.kind)) + " " + d.id.to_hex();
  if (!d.row_key) {
    return {MismatchKind::kCacheAttribute, name, "no live entry: the store has no row",
            entry_text(d.entry)};
  }
  std::string row_text =
      describe_row_key(*d.row_key) + " = " + describe_row_value(*d.row_key, *d.row_value);
  if (d.entry.deleted) {
    return {MismatchKind::kCacheAttribute, name, "live, as " + row_text, entry_text(d.entry)};
  }
  return {MismatchKind::kCacheAttribute, name, row_text + " (" + to_hex(*d.row_value) + ")",
          entry_text(d.entry)};
}

}  // namespace

Status check_cache_against_rows(const cache::Cache& cache, const store::KeyValueStore& store,
                                CheckReport& report) {
  report.cache_entries_checked += visible_entries(cache);
  return cache::find_row_disagreements(cache, store, [&](const cache::RowDisagreement& d) {
    report.add(mismatch_of(d));
    return true;
  });
}

}  // namespace tally::check
