// Packed ops: a run of puts and deletes on one key range, in order, as one value.
//
// SqliteStore keeps each cache generation as a log whose rows are packs: a write appends the
// generation's ops as one pack (or a few, each closed at kPackBytesTarget), instead of one row
// per key (docs/design.md §8, core/cache/FORMAT.md). The latest op on a key is its value.
//
// Encoding, op after op: [kind: 0 put, 1 delete][key size][key], then for a put
// [value size][value]. Sizes are unsigned LEB128 in their shortest form, below 2^32, so each
// pack has exactly one encoding. A pack holds at least one op.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace tally::store {

// A pack is closed once it reaches this many bytes, so that it fits in one 4 KiB b-tree page
// with the op that crossed the line (a larger op makes a larger pack of its own).
inline constexpr std::size_t kPackBytesTarget = 3000;

struct PackedOp {
  bool put = false;  // false: a delete, value empty
  ByteView key;
  ByteView value;
};

void pack_put(Bytes& pack, ByteView key, ByteView value);
void pack_delete(Bytes& pack, ByteView key);

// The ops of pack, in order, viewing pack's bytes. CORRUPT when pack is empty, truncated, has
// trailing bytes, an unknown kind, or a size that is not in its shortest form.
Result<std::vector<PackedOp>> unpack_ops(ByteView pack);

}  // namespace tally::store
