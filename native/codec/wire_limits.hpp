// Reader limits for Cap'n Proto messages from untrusted sources (docs/design.md §9).
//
// A Cap'n Proto reader follows pointers lazily; these bounds stop a hostile message from
// making it read more than its own size many times over (traversal) or recurse without end
// (nesting). Related core limits are in core/limits.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/limits.hpp"

namespace tally::wire {

// An entry carries at most kOrdersPerProposalMax orders and kPlanEntriesMax plan entries,
// with seeds of at most kEncodedFieldBytesMax each in principle; 64 MiB bounds what one log
// entry may make a node read. Larger entries are refused before they are parsed.
inline constexpr std::size_t kEntryBytesMax = std::size_t{64} << 20;
// The deepest path is Entry > Proposal > orders > AdmittedOrder > Order > CreateTransaction >
// metadata > MetadataEntry > MetadataValue: 9 levels. 16 leaves room for new fields.
inline constexpr int kNestingLimit = 16;
// A message that carries a whole image as one Data field (a format-1 snapshot envelope, a row
// image): at most Cap'n Proto's 2^29 - 1 bytes for one blob (512 MiB). Format-2 snapshots
// carry the image in raw chunks after a small envelope, so this does not bound the store.
inline constexpr std::size_t kSnapshotBytesMax = (std::size_t{1} << 29) + 4096;
// Traversal limits in words: each message may be read whole about twice.
inline constexpr std::uint64_t traversal_words(std::size_t message_bytes) {
  return 2 * (message_bytes / 8) + 64;
}

static_assert(kEntryBytesMax % 8 == 0);
static_assert(kEntryBytesMax >= limits::kEncodedFieldBytesMax);

}  // namespace tally::wire
