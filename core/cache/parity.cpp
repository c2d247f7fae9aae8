#include "core/cache/parity.hpp"

#include <map>

#include "core/store/layout.hpp"

namespace tally::cache {

std::map<Bytes, Bytes> mirror_rows(const Cache& cache) {
  std::map<Bytes, Bytes> rows;
  rows.emplace(cache_meta_key(), encode_cache_meta(cache.meta()));
  std::uint8_t gen0_byte = gen_byte_of(cache.generation());
  std::uint8_t gen1_byte = gen_byte_of(cache.generation() + 1);
  for (keys::AttributeKind kind : keys::kAllKinds) {
    for (const auto& [id, entry] : cache.kind(kind).gen0()) {
      rows.emplace(cache_row_key(gen0_byte, kind, id), cache_row_value(entry));
    }
    for (const auto& [id, entry] : cache.kind(kind).gen1()) {
      rows.emplace(cache_row_key(gen1_byte, kind, id), cache_row_value(entry));
    }
  }
  return rows;
}

namespace {

std::string describe_value(ByteView key, ByteView value) {
  if (key == ByteView(cache_meta_key())) {
    auto meta = decode_cache_meta(value);
    if (!meta.ok()) return "malformed meta " + to_hex(value);
    return "generation=" + std::to_string(meta->generation) +
           " epoch=" + std::to_string(meta->epoch) +
           " threshold=" + std::to_string(meta->threshold);
  }
  if (value.size < kCacheRowHeaderBytes) return "malformed " + to_hex(value);
  std::string out = value[8] == kFlagTombstone ? "tombstone" : "live";
  out += " tag=" + to_hex(value.sub(0, 8));
  if (value[8] != kFlagTombstone) {
    out += " value=" + to_hex(value.sub(kCacheRowHeaderBytes, value.size - kCacheRowHeaderBytes));
  }
  return out;
}

}  // namespace

std::string describe_row(const Cache& cache, ByteView key, ByteView value) {
  if (key == ByteView(cache_meta_key())) return "meta " + describe_value(key, value);
  if (key.size != kCacheRowKeyBytes) return "malformed key " + to_hex(key);
  std::string generation = key[1] == gen_byte_of(cache.generation()) ? "gen0" : "gen1";
  auto kind = keys::kind_from_byte(key[2]);
  std::string kind_text =
      kind ? std::string(keys::kind_name(*kind)) : "kind?" + std::to_string(key[2]);
  return generation + " " + kind_text + " " + to_hex(key.sub(3, keys::kIdBytes)) + " " +
         describe_value(key, value);
}

Result<ParityReport> check_parity(const Cache& cache, const store::KeyValueStore& store) {
  std::map<Bytes, Bytes> expected = mirror_rows(cache);
  ParityReport report;
  auto next = expected.begin();
  auto differ = [&](std::string text) {
    report.ok = false;
    report.first_difference = std::move(text);
  };
  Status scanned = store::scan_range(
      store, store::zone_begin(store::kZoneCache), store::zone_end(store::kZoneCache),
      [&](ByteView key, ByteView value) {
        ++report.rows_compared;
        if (next != expected.end() && next->first < key.to_bytes()) {
          differ("only in memory: " + describe_row(cache, next->first, next->second));
          return false;
        }
        if (next == expected.end() || !(ByteView(next->first) == key)) {
          differ("only on disk: " + describe_row(cache, key, value));
          return false;
        }
        if (!(ByteView(next->second) == value)) {
          differ("memory " + describe_row(cache, next->first, next->second) + " | disk " +
                 describe_value(key, value));
          return false;
        }
        ++next;
        return true;
      });
  if (!scanned.ok()) return std::move(scanned).error();
  if (report.ok && next != expected.end()) {
    differ("only in memory: " + describe_row(cache, next->first, next->second));
  }
  return report;
}

}  // namespace tally::cache
