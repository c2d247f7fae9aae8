// The Raft log entry and the snapshot envelope in Cap'n Proto (docs/design.md §9), converted to and
// from the core's plain structs. The schema is native/codec/entry.capnp; the core never sees
// Cap'n Proto (.ci/bans).
//
// Contract:
// - encode_* produce a flat message (segment table + segments): a whole number of 8-byte
//   words, which is what libraft requires of an entry payload (docs/toolchain.md).
// - decode_* take untrusted bytes (another node's admission, a damaged log or a peer's
//   snapshot). They never abort: anything malformed is an Error (kCorrupt), whatever the
//   bytes. The reader is bounded (traversal and nesting limits, native/limits.hpp), and input
//   that is not 8-byte aligned is copied into aligned words before it is read.
// - Round trip: decode(encode(p)) == p for every proposal; the core encoding of the decoded
//   proposal is byte-identical to that of the original. Values the core cannot represent
//   (a non-minimal amount, an unknown plan entry source, duplicate or unsorted metadata keys)
//   are rejected, so one core value has one wire form.
// Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "core/plan/proposal.hpp"
#include "core/result.hpp"

namespace tally::wire {

// What one Raft command entry carries.
struct Entry {
  std::optional<plan::Proposal> proposal;  // none: a no-op (advances the applied index only)
  std::uint64_t proposer_id = 0;           // the admitting node; 0 when unknown (revision 1)

  friend bool operator==(const Entry&, const Entry&) = default;
};

Bytes encode_entry(const Entry& entry);
Result<Entry> decode_entry(ByteView bytes);

}  // namespace tally::wire
