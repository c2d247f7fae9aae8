// How Tally lays its state out in one ordered key-value space (docs/design.md §3, §8).
//
// The first key byte is a zone. Doc: core/store/FORMAT.md; this header is its mirror.
//   0x00 meta        [0x00]"schema_version" -> u32 LE schema version
//   0x01 attributes  [0x01][kind][canonical key]        -> encoded attribute value
//   0x02 cache       [0x02][gen byte][kind][id 16 BE]   -> [tag 8 LE][flag][value]
//                    [0x02][0xff]                       -> cache meta (generation, epoch, ...)
//   0x03 audit/logs, 0x04 idempotency, 0x05 FSM state: see core/store/FORMAT.md.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::store {

inline constexpr std::uint8_t kZoneMeta = 0x00;
inline constexpr std::uint8_t kZoneAttributes = 0x01;
inline constexpr std::uint8_t kZoneCache = 0x02;
inline constexpr std::uint8_t kZoneAudit = 0x03;
inline constexpr std::uint8_t kZoneIdempotency = 0x04;
inline constexpr std::uint8_t kZoneFsm = 0x05;

// Bump on any change to a persisted layout or encoding; a store of another version is
// refused at open (no silent reinterpretation of old bytes).
inline constexpr std::uint32_t kSchemaVersion = 2;

// [0x01][kind][canonical]; idempotency records: [0x04][canonical] (their own zone, §8).
Bytes attribute_row_key(const keys::AttributeKey& key);

// The first key of the zone and the first key past it, for range scans and deletes.
Bytes zone_begin(std::uint8_t zone);
Bytes zone_end(std::uint8_t zone);

// The smallest key greater than every key starting with prefix; empty when none exists
// (prefix is all 0xff), meaning "unbounded".
Bytes prefix_end(ByteView prefix);

}  // namespace tally::store
