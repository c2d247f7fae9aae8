// The native side's bounds on untrusted input, in one place, tied to the core's
// (core/limits.hpp) by static_asserts: what a request, a log entry, a snapshot envelope, a
// token or a certificate may make a node read or hold before it refuses it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/limits.hpp"

namespace tally::limits {

// --- Log entries and Cap'n Proto messages (native/codec/) ---
// An entry carries at most kOrdersPerProposalMax orders and kPlanEntriesMax plan entries,
// with seeds of at most kEncodedFieldBytesMax each in principle; 64 MiB bounds what one log
// entry may make a node read. Larger entries are refused before they are parsed.
inline constexpr std::size_t kEntryBytesMax = std::size_t{64} << 20;
// The deepest path is Entry > Proposal > orders > AdmittedOrder > Order > CreateTransaction >
// metadata > MetadataEntry > MetadataValue: 9 levels. 16 leaves room for new fields.
inline constexpr int kMessageNestingMax = 16;
// A message that carries a whole image as one Data field (a format-1 snapshot envelope, a row
// image): at most Cap'n Proto's 2^29 - 1 bytes for one blob. Format-2 snapshots carry the
// image in raw chunks after a small envelope, so this does not bound the store.
inline constexpr std::size_t kSnapshotEnvelopeBytesMax = (std::size_t{1} << 29) + 4096;
// The chunk size a snapshot reader accepts: a hostile envelope cannot make it plan for absurd
// chunks.
inline constexpr std::uint64_t kSnapshotChunkBytesMax = std::uint64_t{1} << 30;

// --- HTTP and JSON (native/http/, native/json/) ---
// A request body, unless its route says otherwise (bodies are buffered whole).
inline constexpr std::size_t kHttpBodyBytesDefault = std::size_t{4} << 20;
inline constexpr std::size_t kJsonDepthMax = 32;  // a bulk of transactions with metadata is 5
inline constexpr std::size_t kFilterDepthMax = 16;

// --- Credentials (native/auth/, native/tls/) ---
inline constexpr std::size_t kTokenBytesMax = 8 * 1024;
inline constexpr std::size_t kPemBytesMax = 64 * 1024;
inline constexpr std::size_t kClusterIdBytesMax = 63;  // a DNS label: it names certificates
inline constexpr std::size_t kPeerAddressBytesMax = 1024;

static_assert(kEntryBytesMax % 8 == 0, "Cap'n Proto reads whole words");
static_assert(kEntryBytesMax >= kEncodedFieldBytesMax, "an entry holds its largest field");
static_assert(kHttpBodyBytesDefault <= kEntryBytesMax,
              "a request's body fits in the one entry it becomes");
static_assert(kFilterDepthMax < kJsonDepthMax, "a filter is JSON inside a request");
static_assert(kScriptBytesMax <= kHttpBodyBytesDefault, "a script fits in a request's body");

}  // namespace tally::limits
