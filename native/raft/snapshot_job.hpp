// SnapshotJob: one Raft snapshot of the store, taken in libraft's two steps (fsm version 3,
// docs/design.md §9). The node creates it on the loop, right after committing its open group, with
// the store's pinned image (StoreHost::pin_image: cheap, no copy); run() then executes on
// libraft's snapshot thread (raft_io async_work: libuv's thread pool, or inline in the
// deterministic fixture) while the loop goes on applying: it copies the image into chunks of
// chunk_bytes (raft_malloc buffers), hashes them, computes the store digest through the same
// pinned view, and builds the format-2 buffers: the envelope, then the chunks
// (snapshot_codec.hpp). No buffer and no Cap'n Proto blob holds the whole image.
//
// Threads: created, finished and destroyed on the loop; run() on one other thread, touching
// only the job. libraft orders the two (the work starts after snapshot() returns and
// snapshot_finalize runs after it ends), so the job needs no lock.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

extern "C" {
#include <raft.h>
}

#include "native/codec/snapshot_codec.hpp"
#include "native/raft/store_host.hpp"

namespace tally::replica {

class SnapshotJob {
 public:
  // header: applied index, term and image kind (the rest is filled by run()).
  SnapshotJob(wire::SnapshotHeader header, std::unique_ptr<StoreImage> image,
              std::uint64_t chunk_bytes);
  ~SnapshotJob();
  SnapshotJob(const SnapshotJob&) = delete;
  SnapshotJob& operator=(const SnapshotJob&) = delete;

  // Fills *bufs with 1 + chunk_count raft_malloc buffers (the envelope first), or leaves it
  // empty and returns RAFT_IOERR with error() set. The pinned view is released before it
  // returns, so the store's WAL can be checkpointed again.
  int run(struct raft_buffer* bufs[], unsigned* n_bufs);

  // Asks a running run() to stop at its next piece (the node is stopping): it then fails with
  // kStopped, which is not a fault. Any thread.
  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }

  bool done() const { return done_; }
  const std::optional<Error>& error() const { return error_; }
  const wire::SnapshotHeader& header() const { return header_; }

 private:
  Status copy_chunks(ByteView piece, crypto::Sha256& hash);
  void free_chunks();

  wire::SnapshotHeader header_;
  std::unique_ptr<StoreImage> image_;
  std::uint64_t chunk_bytes_;
  std::vector<struct raft_buffer> chunks_;  // owned until handed to libraft
  std::uint64_t last_fill_ = 0;             // bytes in chunks_.back()
  bool done_ = false;
  std::atomic<bool> cancelled_{false};
  std::optional<Error> error_;
};

}  // namespace tally::replica
