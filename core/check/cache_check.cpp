#include "core/check/cache_check.hpp"

#include <map>
#include <set>

#include "core/check/row_description.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/store/layout.hpp"

namespace tally::check {

namespace {

struct AttributeRow {
  Bytes row_key;
  keys::Tag tag = 0;
  Bytes value;
};

using Slot = std::pair<std::uint8_t, keys::Id128>;  // (kind byte, id)

// The canonical key of an attribute row, and its kind: [0x01][kind][canonical] or, for
// idempotency records, [0x04][canonical]. None for a row of no known kind.
std::optional<std::pair<keys::AttributeKind, ByteView>> canonical_of(ByteView row_key) {
  if (row_key.size >= 1 && row_key[0] == store::kZoneIdempotency) {
    return std::make_pair(keys::AttributeKind::kIdempotency, row_key.sub(1, row_key.size - 1));
  }
  if (row_key.size < 2) return std::nullopt;
  auto kind = keys::kind_from_byte(row_key[1]);
  if (!kind || *kind == keys::AttributeKind::kIdempotency) return std::nullopt;
  return std::make_pair(*kind, row_key.sub(2, row_key.size - 2));
}

using Visible = std::set<Slot>;

// What a read sees (gen0's entry, else gen1's; a shadowed gen1 entry is never read), by slot.
Visible visible_slots(const cache::Cache& cache) {
  Visible slots;
  for (keys::AttributeKind kind : keys::kAllKinds) {
    const cache::AttributeCache& attributes = cache.kind(kind);
    for (const auto& [id, entry] : attributes.gen0())
      slots.emplace(keys::kind_byte(kind), id);
    for (const auto& [id, entry] : attributes.gen1())
      slots.emplace(keys::kind_byte(kind), id);
  }
  return slots;
}

// The attribute rows of the given slots. The cache is keyed by hashes, so finding them costs
// one hash per attribute row of the store (a whole-store scan, the price of that design), but
// only the rows the cache stands for are copied: a few generations' worth, not the store.
Result<std::map<Slot, AttributeRow>> rows_by_id(const store::KeyValueStore& store,
                                                const Visible& wanted) {
  std::map<Slot, AttributeRow> rows;
  auto visit = [&](ByteView key, ByteView value) {
    auto canonical = canonical_of(key);
    if (!canonical) return true;  // an unknown kind is the projection comparison's finding
    Slot slot{keys::kind_byte(canonical->first), keys::attribute_id(canonical->second)};
    if (wanted.count(slot) == 0) return true;
    rows[slot] =
        AttributeRow{key.to_bytes(), keys::attribute_tag(canonical->second), value.to_bytes()};
    return true;
  };
  for (std::uint8_t zone : {store::kZoneAttributes, store::kZoneIdempotency}) {
    TALLY_TRY(store::scan_range(store, store::zone_begin(zone), store::zone_end(zone), visit));
  }
  return rows;
}

std::string entry_text(const cache::CacheEntry& entry) {
  if (entry.deleted) return "tombstone tag=" + std::to_string(entry.tag);
  return "live tag=" + std::to_string(entry.tag) + " value=" + to_hex(entry.value);
}

void compare_entry(keys::AttributeKind kind, const keys::Id128& id, const cache::CacheEntry& entry,
                   const std::map<Slot, AttributeRow>& rows, CheckReport& report) {
  ++report.cache_entries_checked;
  std::string name = std::string(keys::kind_name(kind)) + " " + id.to_hex();
  auto row = rows.find(Slot{keys::kind_byte(kind), id});
  if (row == rows.end()) {
    if (!entry.deleted) {
      report.add({MismatchKind::kCacheAttribute, name, "no live entry: the store has no row",
                  entry_text(entry)});
    }
    return;
  }
  const AttributeRow& held = row->second;
  std::string row_text =
      describe_row_key(held.row_key) + " = " + describe_row_value(held.row_key, held.value);
  if (entry.tag != held.tag) {
    report.add({MismatchKind::kCacheAttribute, name,
                "tag " + std::to_string(held.tag) + " of " + row_text, entry_text(entry)});
  } else if (entry.deleted) {
    report.add({MismatchKind::kCacheAttribute, name, "live, as " + row_text, entry_text(entry)});
  } else if (entry.value != held.value) {
    report.add({MismatchKind::kCacheAttribute, name, row_text + " (" + to_hex(held.value) + ")",
                entry_text(entry)});
  }
}

}  // namespace

Status check_cache_against_rows(const cache::Cache& cache, const store::KeyValueStore& store,
                                CheckReport& report) {
  auto rows = rows_by_id(store, visible_slots(cache));
  if (!rows.ok()) return std::move(rows).error();
  for (keys::AttributeKind kind : keys::kAllKinds) {
    const cache::AttributeCache& attributes = cache.kind(kind);
    // What a read sees: gen0's entry, else gen1's (a shadowed gen1 entry is never read).
    for (const auto& [id, entry] : attributes.gen0())
      compare_entry(kind, id, entry, *rows, report);
    for (const auto& [id, entry] : attributes.gen1()) {
      if (attributes.find_gen0(id) == nullptr) compare_entry(kind, id, entry, *rows, report);
    }
  }
  return ok_status();
}

}  // namespace tally::check
