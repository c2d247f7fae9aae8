// The snapshot envelope (DESIGN.md §9): what a Raft snapshot carries, in Cap'n Proto
// (native/codec/entry.capnp, SnapshotEnvelope), and the row image used for stores that are
// not SQLite files (the in-memory store of the deterministic tests).
//
// Contract: encode_snapshot fills image_digest from the image; decode_snapshot refuses
// (kCorrupt) an unknown format version, an image whose SHA-256 is not image_digest, and any
// malformed message, without aborting. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <map>

#include "core/bytes.hpp"
#include "core/crypto/sha256.hpp"
#include "core/result.hpp"

namespace tally::wire {

inline constexpr std::uint32_t kSnapshotFormat = 1;

enum class ImageKind : std::uint8_t {
  kSqlite = 0,  // a SQLite database file (sqlite3_serialize)
  kRows = 1,    // encode_rows: every row of an ordered store, in key order
};

struct SnapshotEnvelope {
  std::uint32_t format_version = kSnapshotFormat;
  std::uint64_t applied_index = 0;  // the store's applied index
  std::uint64_t term = 0;           // the node's Raft term when it was taken
  ImageKind image_kind = ImageKind::kSqlite;
  Bytes image;
  crypto::Digest image_digest{};  // SHA-256 of image (set by encode_snapshot)
  crypto::Digest store_digest{};  // the store digest of the rows in the image

  friend bool operator==(const SnapshotEnvelope&, const SnapshotEnvelope&) = default;
};

Bytes encode_snapshot(const SnapshotEnvelope& envelope);
Result<SnapshotEnvelope> decode_snapshot(ByteView bytes);

using Rows = std::map<Bytes, Bytes>;
Bytes encode_rows(const Rows& rows);
Result<Rows> decode_rows(ByteView bytes);  // refuses keys out of order or repeated

}  // namespace tally::wire
