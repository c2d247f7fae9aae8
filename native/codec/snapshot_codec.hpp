// The snapshot format (docs/design.md §9): what a Raft snapshot carries, in Cap'n Proto
// (native/codec/entry.capnp, SnapshotEnvelope), and the row image used for stores that are
// not SQLite files (the in-memory store of the deterministic tests).
//
// Format 2 (what nodes write): a small envelope message (applied index, term, image kind,
// image size, chunk layout, image digest, store digest), followed by the image itself as
// chunk_count raw chunks of chunk_bytes each (the last one 1..chunk_bytes). The taker hands
// libraft one buffer per chunk, so no buffer and no Cap'n Proto blob ever holds the whole
// image (a Data blob caps at 512 MiB); libraft concatenates the buffers on disk and on the
// wire, so a restoring node sees envelope + chunks as one byte string.
// Format 1 (read only, kept so that a node restarting on a snapshot an older build wrote, or
// receiving one from an older leader, still restores it): one envelope with the image inside.
//
// Contract: read_snapshot parses the envelope and checks the layout (format, kind, digest
// sizes, chunk count against image size, the exact number of bytes after the envelope)
// without hashing the image, so a node can refuse a snapshot older than its store cheaply;
// verify_snapshot_image then checks the image digest. Both refuse (kCorrupt) without
// aborting on any input. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <map>

#include "core/bytes.hpp"
#include "core/crypto/sha256.hpp"
#include "core/result.hpp"
#include "native/limits.hpp"

namespace tally::wire {

inline constexpr std::uint32_t kSnapshotFormatSingle = 1;   // image inside the envelope
inline constexpr std::uint32_t kSnapshotFormatChunked = 2;  // image in chunks after it
// The default chunk: large enough that a 100 MB store is a handful of buffers, small enough
// that one allocation never dominates memory.
inline constexpr std::uint64_t kSnapshotChunkBytes = std::uint64_t{16} << 20;
static_assert(kSnapshotChunkBytes <= limits::kSnapshotChunkBytesMax);

enum class ImageKind : std::uint8_t {
  kSqlite = 0,  // a SQLite database file image (sqlite3_serialize)
  kRows = 1,    // encode_rows: every row of an ordered store, in key order
};

// What a format-2 envelope says.
struct SnapshotHeader {
  std::uint32_t format_version = kSnapshotFormatChunked;
  std::uint64_t applied_index = 0;  // the store's applied index
  std::uint64_t term = 0;           // the node's Raft term when it was taken
  ImageKind image_kind = ImageKind::kSqlite;
  std::uint64_t image_bytes = 0;  // the image's size: the bytes after the envelope
  std::uint64_t chunk_bytes = kSnapshotChunkBytes;
  std::uint32_t chunk_count = 0;  // snapshot_chunk_count(image_bytes, chunk_bytes)
  crypto::Digest image_digest{};  // SHA-256 of the image (the chunks concatenated)
  crypto::Digest store_digest{};  // the store digest of the rows in the image

  friend bool operator==(const SnapshotHeader&, const SnapshotHeader&) = default;
};

// ceil(image_bytes / chunk_bytes). REQUIRES: chunk_bytes > 0.
std::uint64_t snapshot_chunk_count(std::uint64_t image_bytes, std::uint64_t chunk_bytes);

// The envelope of a format-2 snapshot, a whole number of 8-byte words; the chunks follow it.
// REQUIRES: header.format_version is 2 and chunk_count matches image_bytes and chunk_bytes.
Bytes encode_snapshot_header(const SnapshotHeader& header);

// A decoded snapshot. For format 2, image views the caller's bytes (no copy): the view must
// not outlive them. For format 1, the image is copied into single_image (the Data blob may
// lie in an aligned copy that does not survive decoding).
struct SnapshotView {
  SnapshotHeader header;
  ByteView chunked_image;
  Bytes single_image;
  ByteView image() const {
    return header.format_version == kSnapshotFormatSingle ? ByteView(single_image) : chunked_image;
  }
};

Result<SnapshotView> read_snapshot(ByteView bytes);
Status verify_snapshot_image(const SnapshotView& view);

// Format 1, as revision 1 of the schema wrote it (the whole image inside the envelope).
// Nodes read it but write format 2; tests write it, to prove old snapshots still restore.
// REQUIRES: image below 512 MiB.
Bytes encode_single_snapshot(const SnapshotHeader& header, ByteView image);

using Rows = std::map<Bytes, Bytes>;
Bytes encode_rows(const Rows& rows);
Result<Rows> decode_rows(ByteView bytes);  // refuses keys out of order or repeated

}  // namespace tally::wire
