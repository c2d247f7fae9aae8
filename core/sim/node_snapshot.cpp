#include "core/sim/node_snapshot.hpp"

#include <set>

#include "core/cache/cache_mirror.hpp"
#include "core/cache/parity.hpp"
#include "core/crypto/sha256.hpp"

namespace tally::sim {

namespace {

using KeyOf = std::pair<std::uint8_t, keys::Id128>;

bool same_slot(const CacheSlot& memory, const CacheSlot& disk) {
  return memory.present == disk.present && memory.tombstone == disk.tombstone &&
         memory.tag_hex == disk.tag_hex && memory.value_hex == disk.value_hex && !disk.malformed;
}

bool is_watched(const NodeSource& source, const KeyOf& key) {
  if (source.watched == nullptr) return false;
  for (const auto& [label, watched] : *source.watched) {
    if (keys::kind_byte(watched.kind) == key.first &&
        keys::attribute_id(watched.canonical) == key.second) {
      return true;
    }
  }
  return false;
}

// Every (kind, id) in play: watched keys first, then memory and disk in key order.
std::vector<KeyOf> keys_in_play(const NodeSource& source) {
  std::vector<KeyOf> order;
  std::set<KeyOf> seen;
  if (source.watched != nullptr) {
    for (const auto& [label, key] : *source.watched) {
      KeyOf k{keys::kind_byte(key.kind), keys::attribute_id(key.canonical)};
      if (seen.insert(k).second) order.push_back(k);
    }
  }
  std::set<KeyOf> others;
  if (source.machine != nullptr) {
    for (keys::AttributeKind kind : keys::kAllKinds) {
      for (const auto& [id, entry] : source.machine->cache().kind(kind).gen0())
        others.insert({keys::kind_byte(kind), id});
      for (const auto& [id, entry] : source.machine->cache().kind(kind).gen1())
        others.insert({keys::kind_byte(kind), id});
    }
  }
  Status scanned = source.store->scan(
      cache::gen_range_begin(0), cache::gen_range_end(1), store::ScanOrder::kAscending,
      [&others](ByteView key, ByteView) {
        if (key.size != cache::kCacheRowKeyBytes) return true;
        if (keys::kind_from_byte(key.data[2]))
          others.insert({key.data[2], keys::Id128::from_bytes(key.sub(3, keys::kIdBytes))});
        return true;
      });
  TALLY_INVARIANT(scanned.ok(), "a stepping-model store scan failed: " +
                                    (scanned.ok() ? "" : scanned.error().message));
  for (const KeyOf& k : others) {
    if (seen.insert(k).second) order.push_back(k);
  }
  return order;
}

void fill_counters(const NodeSource& source, NodeStep& node) {
  if (source.machine == nullptr) {
    auto meta = source.store->get(cache::cache_meta_key());
    if (meta.ok() && meta->has_value()) {
      auto decoded = cache::decode_cache_meta(**meta);
      if (decoded.ok()) node.generation = decoded->generation;
    }
    node.parity_detail = "the node is down: memory is empty until it restarts";
    return;
  }
  const cache::Cache& cache = source.machine->cache();
  node.applied_index = source.machine->applied_index();
  node.generation = cache.generation();
  node.epoch = cache.epoch();
  node.threshold = cache.threshold();
  node.gen0_entries = cache.gen0_size();
  node.gen1_entries = cache.gen1_size();
  auto parity = cache::check_parity(cache, *source.store);
  node.parity_ok = parity.ok() && parity->ok;
  node.parity_detail = parity.ok() ? parity->first_difference : parity.error().message;
  node.mirror_rows = parity.ok() ? parity->rows_compared : 0;
  node.digest = cache_digest(cache);
}

}  // namespace

std::string tag_hex(keys::Tag tag) {
  Bytes bytes;
  for (int shift = 56; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<std::uint8_t>(tag >> shift));
  return to_hex(bytes);
}

CacheSlot slot_of(keys::AttributeKind kind, const cache::CacheEntry* entry) {
  CacheSlot slot;
  if (entry == nullptr) return slot;
  slot.present = true;
  slot.tombstone = entry->deleted;
  slot.tag_hex = tag_hex(entry->tag);
  if (!entry->deleted) {
    slot.value_hex = to_hex(entry->value);
    slot.value_bytes = entry->value.size();
    slot.decoded = describe_value(kind, entry->value);
  }
  return slot;
}

CacheSlot disk_slot(const store::KeyValueStore& store, std::uint8_t gen_byte,
                    keys::AttributeKind kind, const keys::Id128& id) {
  Bytes key = cache::cache_row_key(gen_byte, kind, id);
  auto value = store.get(key);
  TALLY_INVARIANT(value.ok(), "a stepping-model store read failed");
  if (!value->has_value()) return {};
  auto row = cache::decode_cache_row(key, **value);
  if (!row.ok()) {
    CacheSlot slot;
    slot.present = true;
    slot.malformed = true;
    slot.value_hex = to_hex(**value);
    slot.decoded = row.error().message;
    return slot;
  }
  return slot_of(kind, &row->entry);
}

std::string cache_digest(const cache::Cache& cache) {
  crypto::Sha256 hash;
  Bytes header;
  for (const auto& [key, value] : cache::mirror_rows(cache)) {
    header.clear();
    put_u64_le(header, key.size());
    put_u64_le(header, value.size());
    hash.update(header);
    hash.update(key);
    hash.update(value);
  }
  crypto::Digest digest = hash.finish();
  return to_hex(ByteView(digest.data(), digest.size()));
}

NodeStep snapshot_node(const NodeSource& source) {
  TALLY_INVARIANT(source.store != nullptr && source.names != nullptr,
                  "a node snapshot needs a store and key names");
  NodeStep node;
  node.name = source.name;
  node.up = source.machine != nullptr;
  fill_counters(source, node);
  std::uint8_t gen0_byte = cache::gen_byte_of(node.generation);
  std::uint8_t gen1_byte = cache::gen_byte_of(node.generation + 1);
  for (const KeyOf& k : keys_in_play(source)) {
    keys::AttributeKind kind = *keys::kind_from_byte(k.first);
    KeyRow row;
    row.label = source.names->name(kind, k.second);
    row.watched = is_watched(source, k);
    row.kind = std::string(keys::kind_name(kind));
    row.id_hex = k.second.to_hex();
    if (node.up) {
      const cache::AttributeCache& generations = source.machine->cache().kind(kind);
      row.memory_gen0 = slot_of(kind, generations.find_gen0(k.second));
      row.memory_gen1 = slot_of(kind, generations.find_gen1(k.second));
    }
    row.disk_gen0 = disk_slot(*source.store, gen0_byte, kind, k.second);
    row.disk_gen1 = disk_slot(*source.store, gen1_byte, kind, k.second);
    row.gen0_differs = node.up && !same_slot(row.memory_gen0, row.disk_gen0);
    row.gen1_differs = node.up && !same_slot(row.memory_gen1, row.disk_gen1);
    node.keys.push_back(std::move(row));
  }
  return node;
}

}  // namespace tally::sim
