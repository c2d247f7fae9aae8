#include "native/codec/snapshot_codec.hpp"

#include <string>

#include "native/codec/entry.capnp.h"
#include "native/codec/message_reader.hpp"
#include "native/limits.hpp"

namespace tally::wire {

namespace {

capnp::Data::Reader blob(ByteView b) {
  return capnp::Data::Reader(b.data, b.size);
}

Bytes bytes_of(capnp::Data::Reader d) {
  return Bytes(d.begin(), d.end());
}

bool read_digest(capnp::Data::Reader d, crypto::Digest& out) {
  if (d.size() != out.size()) return false;
  std::copy(d.begin(), d.end(), out.begin());
  return true;
}

}  // namespace

std::uint64_t snapshot_chunk_count(std::uint64_t image_bytes, std::uint64_t chunk_bytes) {
  TALLY_INVARIANT(chunk_bytes > 0, "a snapshot chunk holds at least one byte");
  return image_bytes / chunk_bytes + (image_bytes % chunk_bytes != 0 ? 1 : 0);
}

namespace {

msg::SnapshotEnvelope::ImageKind wire_kind(ImageKind kind) {
  return kind == ImageKind::kSqlite ? msg::SnapshotEnvelope::ImageKind::SQLITE
                                    : msg::SnapshotEnvelope::ImageKind::ROWS;
}

void set_common(msg::SnapshotEnvelope::Builder root, const SnapshotHeader& header) {
  root.setFormatVersion(header.format_version);
  root.setAppliedIndex(header.applied_index);
  root.setTerm(header.term);
  root.setImageKind(wire_kind(header.image_kind));
  root.setStoreDigest(blob(ByteView(header.store_digest.data(), header.store_digest.size())));
}

// The size of the flat Cap'n Proto message at the start of bytes, from its segment table
// (little-endian u32 segment count - 1, then one u32 size in words per segment, padded to a
// word), or 0 when the table is malformed or runs past bytes. The envelope is self-delimiting
// this way: format 2 puts the chunks right after it.
std::size_t message_bytes_at(ByteView bytes) {
  constexpr std::uint64_t kSegmentsMax = 64;  // our envelopes are one segment
  auto u32_at = [&](std::size_t offset) {
    return static_cast<std::uint32_t>(bytes[offset]) |
           static_cast<std::uint32_t>(bytes[offset + 1]) << 8 |
           static_cast<std::uint32_t>(bytes[offset + 2]) << 16 |
           static_cast<std::uint32_t>(bytes[offset + 3]) << 24;
  };
  if (bytes.size < 8) return 0;
  const std::uint64_t segments = std::uint64_t{u32_at(0)} + 1;
  if (segments > kSegmentsMax) return 0;
  const std::uint64_t table_bytes = (4 + 4 * segments + 7) / 8 * 8;
  if (table_bytes > bytes.size) return 0;
  std::uint64_t total = table_bytes;
  for (std::uint64_t i = 0; i < segments; ++i) {
    total += std::uint64_t{u32_at(4 + 4 * i)} * 8;
    if (total > bytes.size) return 0;
  }
  return static_cast<std::size_t>(total);
}

Error corrupt(const std::string& what) {
  return make_error(Code::kCorrupt, "snapshot: " + what);
}

// Format 2: the bytes after the envelope must be exactly the image its layout describes.
Status check_chunk_layout(const SnapshotHeader& header, std::size_t image_bytes_present) {
  if (header.chunk_bytes == 0 || header.chunk_bytes > limits::kSnapshotChunkBytesMax) {
    return corrupt("chunk size " + std::to_string(header.chunk_bytes) + " out of range");
  }
  if (header.chunk_count != snapshot_chunk_count(header.image_bytes, header.chunk_bytes)) {
    return corrupt(std::to_string(header.chunk_count) + " chunks cannot hold " +
                   std::to_string(header.image_bytes) + " bytes in chunks of " +
                   std::to_string(header.chunk_bytes));
  }
  if (header.image_bytes != image_bytes_present) {
    return corrupt("the envelope announces " + std::to_string(header.image_bytes) +
                   " image bytes, " + std::to_string(image_bytes_present) +
                   " follow it (a chunk is missing, short or extra)");
  }
  return ok_status();
}

}  // namespace

Bytes encode_snapshot_header(const SnapshotHeader& header) {
  TALLY_INVARIANT(header.format_version == kSnapshotFormatChunked, "nodes write format 2");
  TALLY_INVARIANT(
      header.chunk_count == snapshot_chunk_count(header.image_bytes, header.chunk_bytes),
      "the chunk count matches the image size");
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<msg::SnapshotEnvelope>();
  set_common(root, header);
  root.setImageDigest(blob(ByteView(header.image_digest.data(), header.image_digest.size())));
  root.setImageBytes(header.image_bytes);
  root.setChunkBytes(header.chunk_bytes);
  root.setChunkCount(header.chunk_count);
  Bytes bytes = flat_bytes(builder);
  TALLY_INVARIANT(message_bytes_at(bytes) == bytes.size(), "the envelope delimits itself");
  return bytes;
}

Bytes encode_single_snapshot(const SnapshotHeader& header, ByteView image) {
  TALLY_INVARIANT(image.size < (std::size_t{1} << 29),
                  "a store image above Cap'n Proto's blob limit (512 MiB)");
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<msg::SnapshotEnvelope>();
  SnapshotHeader single = header;
  single.format_version = kSnapshotFormatSingle;
  set_common(root, single);
  root.setImage(blob(image));
  crypto::Digest image_digest = crypto::sha256(image);
  root.setImageDigest(blob(ByteView(image_digest.data(), image_digest.size())));
  return flat_bytes(builder);
}

Result<SnapshotView> read_snapshot(ByteView bytes) {
  const std::size_t envelope_bytes = message_bytes_at(bytes);
  if (envelope_bytes == 0) return corrupt("no whole envelope at the start");
  auto view = read_message<SnapshotView>(
      bytes.sub(0, envelope_bytes), limits::kSnapshotEnvelopeBytesMax, "snapshot",
      [](capnp::MessageReader& reader) -> Result<SnapshotView> {
        auto root = reader.getRoot<msg::SnapshotEnvelope>();
        SnapshotView out;
        SnapshotHeader& header = out.header;
        header.format_version = root.getFormatVersion();
        if (header.format_version != kSnapshotFormatSingle &&
            header.format_version != kSnapshotFormatChunked) {
          return corrupt("unknown format version " + std::to_string(header.format_version));
        }
        header.applied_index = root.getAppliedIndex();
        header.term = root.getTerm();
        switch (root.getImageKind()) {
          case msg::SnapshotEnvelope::ImageKind::SQLITE:
            header.image_kind = ImageKind::kSqlite;
            break;
          case msg::SnapshotEnvelope::ImageKind::ROWS: header.image_kind = ImageKind::kRows; break;
          default: return corrupt("unknown image kind");
        }
        if (!read_digest(root.getImageDigest(), header.image_digest) ||
            !read_digest(root.getStoreDigest(), header.store_digest)) {
          return corrupt("a digest is not 32 bytes");
        }
        if (header.format_version == kSnapshotFormatSingle) {
          out.single_image = bytes_of(root.getImage());
          header.image_bytes = out.single_image.size();
          header.chunk_bytes = 0;
          header.chunk_count = 0;
          return out;
        }
        if (root.getImage().size() != 0) return corrupt("format 2 carries its image in chunks");
        header.image_bytes = root.getImageBytes();
        header.chunk_bytes = root.getChunkBytes();
        header.chunk_count = root.getChunkCount();
        return out;
      });
  if (!view.ok()) return view;
  const std::size_t rest = bytes.size - envelope_bytes;
  if (view->header.format_version == kSnapshotFormatSingle) {
    if (rest != 0) return corrupt("bytes after a format 1 envelope");
    return view;
  }
  TALLY_TRY(check_chunk_layout(view->header, rest));
  view->chunked_image = bytes.sub(envelope_bytes, rest);
  return view;
}

Status verify_snapshot_image(const SnapshotView& view) {
  if (crypto::sha256(view.image()) != view.header.image_digest) {
    return corrupt("the image does not match its digest");
  }
  return ok_status();
}

Bytes encode_rows(const Rows& rows) {
  capnp::MallocMessageBuilder builder;
  auto list = builder.initRoot<msg::RowImage>().initRows(static_cast<unsigned>(rows.size()));
  unsigned i = 0;
  for (const auto& [key, value] : rows) {
    list[i].setKey(blob(key));
    list[i].setValue(blob(value));
    ++i;
  }
  return flat_bytes(builder);
}

Result<Rows> decode_rows(ByteView bytes) {
  return read_message<Rows>(
      bytes, limits::kSnapshotEnvelopeBytesMax, "row image",
      [](capnp::MessageReader& reader) -> Result<Rows> {
        Rows rows;
        for (auto row : reader.getRoot<msg::RowImage>().getRows()) {
          Bytes key = bytes_of(row.getKey());
          if (!rows.empty() && !(rows.rbegin()->first < key)) {
            return make_error(Code::kCorrupt, "row image: keys not strictly increasing");
          }
          rows.emplace_hint(rows.end(), std::move(key), bytes_of(row.getValue()));
        }
        return rows;
      });
}

}  // namespace tally::wire
