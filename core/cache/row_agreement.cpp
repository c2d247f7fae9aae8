#include "core/cache/row_agreement.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/store/layout.hpp"

namespace tally::cache {

namespace {

using Slot = std::pair<std::uint8_t, keys::Id128>;  // (kind byte, id)

struct Visible {
  const CacheEntry* entry = nullptr;
  bool in_gen0 = true;
};

Visible visible(const AttributeCache& attributes, const keys::Id128& id) {
  if (const CacheEntry* entry = attributes.find_gen0(id)) return {entry, true};
  return {attributes.find_gen1(id), false};
}

std::size_t visible_live_count(const AttributeCache& attributes) {
  std::size_t count = 0;
  for (const auto& [id, entry] : attributes.gen0())
    count += entry.deleted ? 0 : 1;
  for (const auto& [id, entry] : attributes.gen1())
    count += !entry.deleted && attributes.find_gen0(id) == nullptr ? 1 : 0;
  return count;
}

RowDisagreement disagreement(keys::AttributeKind kind, const keys::Id128& id, Visible seen,
                             std::optional<ByteView> row_key, std::optional<ByteView> value) {
  RowDisagreement out{kind, id, seen.in_gen0, *seen.entry, std::nullopt, std::nullopt};
  if (row_key) out.row_key = row_key->to_bytes();
  if (value) out.row_value = value->to_bytes();
  return out;
}

// The rows of one kind: [0x01][kind][canonical], or [0x04][canonical] for idempotency.
struct KindRange {
  Bytes begin, end;
  std::size_t prefix_bytes;
};

KindRange range_of(keys::AttributeKind kind) {
  if (kind == keys::AttributeKind::kIdempotency) {
    return {store::zone_begin(store::kZoneIdempotency), store::zone_end(store::kZoneIdempotency),
            1};
  }
  Bytes begin{store::kZoneAttributes, keys::kind_byte(kind)};
  Bytes end = store::prefix_end(begin);
  return {std::move(begin), std::move(end), 2};
}

// The live visible entries no row matched: each has no row.
void report_unmatched(const Cache& cache, std::vector<Slot>& matched,
                      const std::function<bool(const RowDisagreement&)>& visit) {
  std::sort(matched.begin(), matched.end());
  auto unmatched = [&](keys::AttributeKind kind, const keys::Id128& id, const CacheEntry& entry) {
    return !entry.deleted &&
           !std::binary_search(matched.begin(), matched.end(), Slot{keys::kind_byte(kind), id});
  };
  for (keys::AttributeKind kind : keys::kAllKinds) {
    const AttributeCache& attributes = cache.kind(kind);
    for (const auto& [id, entry] : attributes.gen0()) {
      if (unmatched(kind, id, entry) &&
          !visit(disagreement(kind, id, {&entry, true}, std::nullopt, std::nullopt)))
        return;
    }
    for (const auto& [id, entry] : attributes.gen1()) {
      if (attributes.find_gen0(id) == nullptr && unmatched(kind, id, entry) &&
          !visit(disagreement(kind, id, {&entry, false}, std::nullopt, std::nullopt)))
        return;
    }
  }
}

}  // namespace

Status find_row_disagreements(const Cache& cache, const store::KeyValueStore& store,
                              const std::function<bool(const RowDisagreement&)>& visit) {
  std::size_t live_total = 0;
  for (keys::AttributeKind kind : keys::kAllKinds)
    live_total += visible_live_count(cache.kind(kind));
  std::vector<Slot> matched;  // the live visible entries whose row the scan met
  bool go_on = true;
  for (keys::AttributeKind kind : keys::kAllKinds) {
    const AttributeCache& attributes = cache.kind(kind);
    if (attributes.gen0().size() == 0 && attributes.gen1().size() == 0) continue;
    const KindRange range = range_of(kind);
    TALLY_TRY(store::scan_range(store, range.begin, range.end, [&](ByteView key, ByteView value) {
      ByteView canonical = key.sub(range.prefix_bytes, key.size - range.prefix_bytes);
      const keys::Id128 id = keys::attribute_id(canonical);
      const Visible seen = visible(attributes, id);
      if (seen.entry == nullptr) return true;
      if (seen.entry->tag != keys::attribute_tag(canonical)) return true;  // another key's row
      if (!seen.entry->deleted) {
        matched.emplace_back(keys::kind_byte(kind), id);
        if (seen.entry->value.view() == value) return true;
      }
      go_on = visit(disagreement(kind, id, seen, key, value));
      return go_on;
    }));
    if (!go_on) return ok_status();
  }
  if (matched.size() != live_total) report_unmatched(cache, matched, visit);
  return ok_status();
}

}  // namespace tally::cache
