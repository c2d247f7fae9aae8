#include "native/codec/snapshot_codec.hpp"

#include <string>

#include "native/codec/entry.capnp.h"
#include "native/codec/message_reader.hpp"

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

Bytes encode_snapshot(const SnapshotEnvelope& envelope) {
  TALLY_INVARIANT(envelope.image.size() < (std::size_t{1} << 29),
                  "a store image above Cap'n Proto's blob limit (512 MiB)");
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<msg::SnapshotEnvelope>();
  root.setFormatVersion(envelope.format_version);
  root.setAppliedIndex(envelope.applied_index);
  root.setTerm(envelope.term);
  root.setImageKind(envelope.image_kind == ImageKind::kSqlite
                        ? msg::SnapshotEnvelope::ImageKind::SQLITE
                        : msg::SnapshotEnvelope::ImageKind::ROWS);
  root.setImage(blob(envelope.image));
  crypto::Digest image_digest = crypto::sha256(envelope.image);
  root.setImageDigest(blob(ByteView(image_digest.data(), image_digest.size())));
  root.setStoreDigest(blob(ByteView(envelope.store_digest.data(), envelope.store_digest.size())));
  return flat_bytes(builder);
}

Result<SnapshotEnvelope> decode_snapshot(ByteView bytes) {
  return read_message<SnapshotEnvelope>(
      bytes, kSnapshotBytesMax, "snapshot",
      [](capnp::MessageReader& reader) -> Result<SnapshotEnvelope> {
        auto root = reader.getRoot<msg::SnapshotEnvelope>();
        SnapshotEnvelope envelope;
        envelope.format_version = root.getFormatVersion();
        if (envelope.format_version != kSnapshotFormat) {
          return make_error(Code::kCorrupt, "snapshot: unknown format version " +
                                                std::to_string(envelope.format_version));
        }
        envelope.applied_index = root.getAppliedIndex();
        envelope.term = root.getTerm();
        switch (root.getImageKind()) {
          case msg::SnapshotEnvelope::ImageKind::SQLITE:
            envelope.image_kind = ImageKind::kSqlite;
            break;
          case msg::SnapshotEnvelope::ImageKind::ROWS:
            envelope.image_kind = ImageKind::kRows;
            break;
          default: return make_error(Code::kCorrupt, "snapshot: unknown image kind");
        }
        envelope.image = bytes_of(root.getImage());
        if (!read_digest(root.getImageDigest(), envelope.image_digest) ||
            !read_digest(root.getStoreDigest(), envelope.store_digest)) {
          return make_error(Code::kCorrupt, "snapshot: a digest is not 32 bytes");
        }
        if (crypto::sha256(envelope.image) != envelope.image_digest) {
          return make_error(Code::kCorrupt, "snapshot: the image does not match its digest");
        }
        return envelope;
      });
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
      bytes, kSnapshotBytesMax, "row image", [](capnp::MessageReader& reader) -> Result<Rows> {
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
