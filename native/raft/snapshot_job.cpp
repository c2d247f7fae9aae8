#include "native/raft/snapshot_job.hpp"

#include "native/limits.hpp"
#include "native/raft/background_priority.hpp"

#include <algorithm>
#include <cstring>

namespace tally::replica {

SnapshotJob::SnapshotJob(wire::SnapshotHeader header, std::unique_ptr<StoreImage> image,
                         std::uint64_t chunk_bytes)
    : header_(header), image_(std::move(image)), chunk_bytes_(chunk_bytes) {
  TALLY_INVARIANT(chunk_bytes_ > 0 && chunk_bytes_ <= limits::kSnapshotChunkBytesMax,
                  "a snapshot chunk size within the readers' bound");
  TALLY_INVARIANT(image_ != nullptr, "a snapshot job reads a pinned image");
}

SnapshotJob::~SnapshotJob() {
  free_chunks();
}

void SnapshotJob::free_chunks() {
  for (struct raft_buffer& chunk : chunks_)
    raft_free(chunk.base);
  chunks_.clear();
  last_fill_ = 0;
}

// Appends piece to the chunks, opening a new raft_malloc buffer of chunk_bytes whenever the
// last one is full; the last chunk is trimmed in run() (raft_buffer.len).
Status SnapshotJob::copy_chunks(ByteView piece, crypto::Sha256& hash) {
  if (cancelled_.load(std::memory_order_relaxed))
    return make_error(Code::kStopped, "snapshot: the node is stopping");
  hash.update(piece);
  std::size_t offset = 0;
  while (offset < piece.size) {
    if (chunks_.empty() || last_fill_ == chunk_bytes_) {
      struct raft_buffer chunk;
      chunk.len = chunk_bytes_;
      chunk.base = raft_malloc(chunk_bytes_);
      if (chunk.base == nullptr) {
        return make_error(Code::kStorage, "snapshot: out of memory for a chunk");
      }
      chunks_.push_back(chunk);
      last_fill_ = 0;
    }
    const std::size_t room = chunk_bytes_ - last_fill_;
    const std::size_t count = std::min(room, piece.size - offset);
    std::memcpy(static_cast<std::uint8_t*>(chunks_.back().base) + last_fill_, piece.data + offset,
                count);
    last_fill_ += count;
    offset += count;
  }
  header_.image_bytes += piece.size;
  return ok_status();
}

int SnapshotJob::run(struct raft_buffer* bufs[], unsigned* n_bufs) {
  TALLY_INVARIANT(!done_ && !error_ && chunks_.empty(), "a snapshot job runs once");
  *bufs = nullptr;
  *n_bufs = 0;
  crypto::Sha256 hash;
  header_.image_bytes = 0;
  // The copy and both digests read the whole store: below the loops' priority.
  Status read = ok_status();
  Result<crypto::Digest> digest = crypto::Digest{};
  run_at_background_priority([&] {
    read = image_->read([&](ByteView piece) { return copy_chunks(piece, hash); });
    digest = read.ok()
                 ? image_->digest([this] { return cancelled_.load(std::memory_order_relaxed); })
                 : Result<crypto::Digest>(read.error());
  });
  image_.reset();  // ends the read transaction: the view is done
  if (!digest.ok()) {
    error_ = std::move(digest).error();
    free_chunks();
    return RAFT_IOERR;
  }
  if (!chunks_.empty()) chunks_.back().len = last_fill_;
  header_.image_digest = hash.finish();
  header_.store_digest = *digest;
  header_.chunk_bytes = chunk_bytes_;
  header_.chunk_count = static_cast<std::uint32_t>(chunks_.size());
  TALLY_INVARIANT(
      header_.chunk_count == chunks_.size() &&
          header_.chunk_count == wire::snapshot_chunk_count(header_.image_bytes, chunk_bytes_),
      "every chunk full but the last");
  Bytes envelope = wire::encode_snapshot_header(header_);

  auto* out = static_cast<struct raft_buffer*>(
      raft_malloc(sizeof(struct raft_buffer) * (chunks_.size() + 1)));
  void* envelope_base = raft_malloc(envelope.size());
  if (out == nullptr || envelope_base == nullptr) {
    raft_free(out);
    raft_free(envelope_base);
    free_chunks();
    error_ = make_error(Code::kStorage, "snapshot: out of memory for the envelope");
    return RAFT_IOERR;
  }
  std::memcpy(envelope_base, envelope.data(), envelope.size());
  out[0].base = envelope_base;
  out[0].len = envelope.size();
  std::copy(chunks_.begin(), chunks_.end(), out + 1);
  *n_bufs = static_cast<unsigned>(chunks_.size() + 1);
  *bufs = out;
  chunks_.clear();  // libraft holds them now; snapshot_finalize frees them
  done_ = true;
  return 0;
}

}  // namespace tally::replica
