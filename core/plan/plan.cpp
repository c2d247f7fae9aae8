#include "core/plan/plan.hpp"

namespace tally::plan {

std::string_view source_name(EntrySource source) {
  switch (source) {
    case EntrySource::kCacheHit: return "hit";
    case EntrySource::kStoreSeed: return "seed";
    case EntrySource::kStoreAbsent: return "absent";
  }
  return "?";
}

bool coverage_bit(const Bytes& bits, std::size_t entry_index) {
  std::size_t byte = entry_index / 8;
  if (byte >= bits.size()) return false;
  return (bits[byte] >> (entry_index % 8)) & 1;
}

void set_coverage_bit(Bytes& bits, std::size_t entry_index) {
  std::size_t byte = entry_index / 8;
  if (bits.size() <= byte) bits.resize(byte + 1, 0);
  bits[byte] = static_cast<std::uint8_t>(bits[byte] | (1u << (entry_index % 8)));
}

}  // namespace tally::plan
