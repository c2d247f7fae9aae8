#include "core/cache/cache.hpp"

#include <algorithm>
#include <string>

#include "core/store/layout.hpp"

namespace tally::cache {

std::string_view verdict_name(CacheVerdict verdict) {
  switch (verdict) {
    case CacheVerdict::kHit: return "Hit";
    case CacheVerdict::kMiss: return "Miss";
    case CacheVerdict::kUnreachable: return "Unreachable";
  }
  return "?";
}

Cache Cache::create(std::uint64_t threshold, store::Batch& mirror) {
  TALLY_INVARIANT(threshold >= 1, "rotation threshold must be at least 1");
  Cache cache;
  cache.meta_ = CacheMeta{0, 0, threshold};
  cache.write_meta(mirror);
  return cache;
}

std::uint64_t Cache::gen0_base_index() const {
  return base_index_of(meta_.generation, meta_.threshold);
}

std::optional<std::uint64_t> Cache::gen1_base_index() const {
  if (meta_.generation == 0) return std::nullopt;
  return base_index_of(meta_.generation - 1, meta_.threshold);
}

const CacheEntry* Cache::get(keys::AttributeKind kind, const keys::Id128& id) const {
  return this->kind(kind).get(id);
}

void Cache::write_row(store::Batch& mirror, std::uint8_t gen_byte, keys::AttributeKind kind,
                      const keys::Id128& id, const CacheEntry& entry) const {
  mirror.put(cache_row_key(gen_byte, kind, id), cache_row_value(entry));
}

void Cache::write_meta(store::Batch& mirror) {
  mirror.put(cache_meta_key(), encode_cache_meta(meta_));
}

void Cache::put(keys::AttributeKind kind, const keys::Id128& id, keys::Tag tag, Bytes value,
                store::Batch& mirror) {
  CacheEntry entry = live_entry(tag, std::move(value));
  write_row(mirror, gen_byte_of(meta_.generation), kind, id, entry);
  mutable_kind(kind).put(id, std::move(entry));
}

std::optional<Bytes> Cache::get_and_put(keys::AttributeKind kind, const keys::Id128& id,
                                        keys::Tag tag, Bytes value, store::Batch& mirror) {
  std::optional<Bytes> previous;
  const CacheEntry* current = get(kind, id);
  if (current != nullptr && !current->deleted) previous = current->value.to_bytes();
  put(kind, id, tag, std::move(value), mirror);
  return previous;
}

DelOutcome Cache::del(keys::AttributeKind kind, const keys::Id128& id, store::Batch& mirror) {
  DelOutcome outcome = mutable_kind(kind).del(id);
  if (outcome != DelOutcome::kNotFound) {
    const CacheEntry* tombstone = this->kind(kind).find_gen0(id);
    TALLY_INVARIANT(tombstone != nullptr && tombstone->deleted, "del left no gen0 tombstone");
    // inv#1: one row, at the gen0 byte only; gen1's row stays as gen1's memory does.
    write_row(mirror, gen_byte_of(meta_.generation), kind, id, *tombstone);
  }
  return outcome;
}

bool Cache::del_pre_fix_for_teaching(keys::AttributeKind kind, const keys::Id128& id,
                                     store::Batch& mirror) {
  const CacheEntry* current = get(kind, id);
  if (current == nullptr || current->deleted) return false;
  CacheEntry tombstone = tombstone_entry(current->tag);
  // The bug: memory writes gen0 only (s.M.Put), disk tombstones both gen bytes.
  write_row(mirror, 0, kind, id, tombstone);
  write_row(mirror, 1, kind, id, tombstone);
  mutable_kind(kind).put(id, std::move(tombstone));
  return true;
}

Status Cache::check_preload(keys::AttributeKind kind, const keys::Id128& id, keys::Tag tag) const {
  const AttributeCache& attributes = this->kind(kind);
  for (const CacheEntry* held : {attributes.find_gen0(id), attributes.find_gen1(id)}) {
    if (held != nullptr && held->tag != tag) {
      return make_error(Code::kCollisionDetected, std::string(keys::kind_name(kind)) + " id " +
                                                      id.to_hex() +
                                                      ": seed tag differs from the cached tag");
    }
  }
  return ok_status();
}

bool Cache::preload(keys::AttributeKind kind, const keys::Id128& id, keys::Tag tag,
                    const Bytes& value, store::Batch& mirror) {
  AttributeCache& attributes = mutable_kind(kind);
  const CacheEntry* in_gen0 = attributes.find_gen0(id);
  const CacheEntry* in_gen1 = attributes.find_gen1(id);
  TALLY_INVARIANT(in_gen0 == nullptr || in_gen0->tag == tag, "preload without check_preload");
  TALLY_INVARIANT(in_gen1 == nullptr || in_gen1->tag == tag, "preload without check_preload");
  // A tombstone in either generation is fresher than any seed read from the store.
  if ((in_gen0 != nullptr && in_gen0->deleted) || (in_gen1 != nullptr && in_gen1->deleted)) {
    return false;
  }
  bool wrote = false;
  if (in_gen1 == nullptr) {
    CacheEntry entry = live_entry(tag, value);
    write_row(mirror, gen_byte_of(meta_.generation + 1), kind, id, entry);
    attributes.put_gen1(id, std::move(entry));
    wrote = true;
  }
  if (in_gen0 == nullptr) {
    CacheEntry entry = *attributes.find_gen1(id);
    write_row(mirror, gen_byte_of(meta_.generation), kind, id, entry);
    attributes.put(id, std::move(entry));
    wrote = true;
  }
  return wrote;
}

CacheVerdict Cache::check(std::uint64_t at, keys::AttributeKind kind, const keys::Id128& id) const {
  std::uint64_t target = generation_of(at, meta_.threshold);
  if (target < meta_.generation) return CacheVerdict::kMiss;  // behind the FSM: d < 0
  std::uint64_t distance = target - meta_.generation;
  if (distance >= 2) return CacheVerdict::kUnreachable;
  const AttributeCache& attributes = this->kind(kind);
  if (attributes.find_gen0(id) != nullptr) return CacheVerdict::kHit;
  if (distance == 0 && attributes.find_gen1(id) != nullptr) return CacheVerdict::kHit;
  return CacheVerdict::kMiss;
}

void Cache::sweep_retired() {
  // Each kind frees at most the quota: bounded work per applied index, whatever the sizes.
  for (AttributeCache& attributes : kinds_) {
    if (attributes.retired_size() > 0) attributes.sweep(sweep_quota_);
  }
}

void Cache::plan_sweep() {
  std::size_t retired = 0;
  for (const AttributeCache& attributes : kinds_)
    retired += attributes.retired_size();
  // Done within half a generation of applies, so sweeps keep ahead of the next rotation.
  std::uint64_t steps = std::max<std::uint64_t>(1, meta_.threshold / 2);
  sweep_quota_ = kSweepPerAdvanceMin + static_cast<std::size_t>(retired / steps);
}

AdvanceOutcome Cache::advance_to(std::uint64_t index, store::Batch& mirror) {
  sweep_retired();  // memory only: frees part of a retired generation, bounded
  std::uint64_t target = generation_of(index, meta_.threshold);
  TALLY_INVARIANT(target >= meta_.generation, "cache generation " +
                                                  std::to_string(meta_.generation) +
                                                  " is ahead of index " + std::to_string(index));
  AdvanceOutcome outcome{AdvanceKind::kNone, meta_.generation, target};
  if (target == meta_.generation) return outcome;
  if (target == meta_.generation + 1) {
    // The new gen0 reuses the byte of the old gen1: clear it; old gen0 rows become gen1.
    std::uint8_t reused = gen_byte_of(target);
    mirror.del_range(gen_range_begin(reused), gen_range_end(reused));
    for (AttributeCache& attributes : kinds_)
      attributes.rotate();
    plan_sweep();
    outcome.kind = AdvanceKind::kRotated;
  } else {
    for (std::uint8_t gen_byte : {std::uint8_t{0}, std::uint8_t{1}}) {
      mirror.del_range(gen_range_begin(gen_byte), gen_range_end(gen_byte));
    }
    for (AttributeCache& attributes : kinds_)
      attributes.clear();
    plan_sweep();
    outcome.kind = AdvanceKind::kDroppedBoth;
  }
  meta_.generation = target;
  write_meta(mirror);
  return outcome;
}

void Cache::reset(std::uint64_t new_threshold, std::uint64_t applied_index, store::Batch& mirror) {
  TALLY_INVARIANT(new_threshold >= 1, "rotation threshold must be at least 1");
  for (std::uint8_t gen_byte : {std::uint8_t{0}, std::uint8_t{1}}) {
    mirror.del_range(gen_range_begin(gen_byte), gen_range_end(gen_byte));
  }
  for (AttributeCache& attributes : kinds_)
    attributes.clear();
  meta_.epoch += 1;
  meta_.threshold = new_threshold;
  meta_.generation = generation_of(applied_index, new_threshold);
  plan_sweep();
  write_meta(mirror);
}

std::size_t Cache::gen0_size() const {
  std::size_t count = 0;
  for (const AttributeCache& attributes : kinds_)
    count += attributes.gen0().size();
  return count;
}

std::size_t Cache::gen1_size() const {
  std::size_t count = 0;
  for (const AttributeCache& attributes : kinds_)
    count += attributes.gen1().size();
  return count;
}

Result<Cache> Cache::restore(const store::KeyValueStore& store) {
  std::optional<CacheMeta> meta;
  std::vector<CacheRow> rows;
  std::optional<Error> failure;
  const Bytes meta_key = cache_meta_key();
  Status scanned =
      store::scan_range(store, store::zone_begin(store::kZoneCache),
                        store::zone_end(store::kZoneCache), [&](ByteView key, ByteView value) {
                          if (key == ByteView(meta_key)) {
                            auto decoded = decode_cache_meta(value);
                            if (!decoded.ok()) {
                              failure = std::move(decoded).error();
                              return false;
                            }
                            meta = *decoded;
                            return true;
                          }
                          auto row = decode_cache_row(key, value);
                          if (!row.ok()) {
                            failure = std::move(row).error();
                            return false;
                          }
                          rows.push_back(std::move(row).value());
                          return true;
                        });
  if (!scanned.ok()) return std::move(scanned).error();
  if (failure) return std::move(*failure);

  if (!meta) {
    return make_error(Code::kCorrupt, "cache meta row " + to_hex(meta_key) +
                                          " is missing: the cache's generation is unknown");
  }
  Cache cache;
  cache.meta_ = *meta;
  std::uint8_t gen0_byte = gen_byte_of(cache.meta_.generation);
  for (CacheRow& row : rows) {
    AttributeCache& attributes = cache.mutable_kind(row.kind);
    if (row.gen_byte == gen0_byte) {
      attributes.put(row.id, std::move(row.entry));
    } else {
      attributes.put_gen1(row.id, std::move(row.entry));
    }
  }
  return cache;
}

}  // namespace tally::cache
