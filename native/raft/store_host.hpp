// StoreHost: the store a node applies to, and how it is imaged into a snapshot and replaced
// by one (docs/design.md §9).
//
// Snapshots are taken in two steps (libraft's async snapshot, fsm version 3): pin_image()
// runs on the loop right after the open group commits and only fixes the view (cheap);
// StoreImage::read and digest() then run on libraft's snapshot thread while the loop goes on
// applying and committing, and see the store exactly as it was when pinned.
//
// SqliteHost: the production store, a SQLite file. Its pin is a second, read-only connection
// holding a read transaction (WAL mode keeps its view while the writer commits); its image is
// sqlite3_serialize's copy of the database as that transaction sees it; install writes the image to
// a temporary file beside it, fsyncs it, closes the store, renames the file over it, fsyncs the
// directory and reopens: a crash at any instant leaves either the old store or the new one (inv#9).
// MemoryHost: an in-memory ordered store for the deterministic tests; its image is the row
// list (wire::encode_rows). It survives a simulated crash, as a disk would.
// The caller closes every user of store() (the state machine) before install and reopens it
// after. Not thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/store/key_value_store.hpp"
#include "core/store/memory_store.hpp"
#include "native/codec/snapshot_codec.hpp"
#include "native/sqlite/sqlite_store.hpp"

namespace tally::replica {

// A consistent view of a store, pinned at one instant. Owns what it reads through, so it may
// outlive nothing but its host's store file; used by one thread at a time, any thread.
class StoreImage {
 public:
  virtual ~StoreImage() = default;
  // The image bytes, in order, handed to sink in one or more pieces.
  virtual Status read(const std::function<Status(ByteView)>& sink) = 0;
  // The store digest (store_digest.hpp) of the pinned rows; kStopped once stop_requested says
  // so.
  virtual Result<crypto::Digest> digest(const std::function<bool()>& stop_requested) = 0;
};

class StoreHost {
 public:
  virtual ~StoreHost() = default;
  virtual store::KeyValueStore& store() = 0;
  virtual wire::ImageKind image_kind() const = 0;
  // Pins the store as its last committed write left it. REQUIRES: on the store's thread.
  virtual Result<std::unique_ptr<StoreImage>> pin_image() = 0;
  // The same pinned view as a store to read rows from (the checker, /_tally/check, off the
  // loop): usable from any one thread at a time, it never sees a later write.
  virtual Result<std::unique_ptr<store::KeyValueStore>> pin_reader() = 0;
  // Replaces the whole store by image, atomically. On error the old store stays in place
  // (whole unless kept_whole() says otherwise).
  virtual Status install(ByteView image) = 0;
  // Bytes in the store's write-ahead log, 0 when it has none.
  virtual std::uint64_t wal_bytes() const { return 0; }
  // The bytes of the log that no checkpoint has yet let restart (what a long read view makes
  // grow), as of the last commit, as a function any thread may call for as long as it likes.
  // Always 0 for a store without a log or whose checkpoints are not handed off.
  virtual std::function<std::uint64_t()> wal_log_gauge() const {
    return [] { return std::uint64_t{0}; };
  }

  // install() in two halves, for a snapshot arriving while the loop must go on: stage()
  // writes and fsyncs image beside the store, opens it, answers its store digest and lets
  // inspect read it (on any thread, touching nothing the loop uses; an error from inspect
  // discards the staged image); install_staged() then swaps it in (on
  // the store's thread; a rename, the old store closed and the new one opened). A host
  // that cannot stage answers false to can_stage() and is installed whole.
  virtual bool can_stage() const { return false; }
  using StagedReader = std::function<Status(const store::KeyValueStore& staged)>;
  virtual Result<crypto::Digest> stage(ByteView image, const StagedReader& inspect);
  virtual Status install_staged();
  // Removes what stage() left (a staged image that will not be installed).
  virtual void discard_staged() {}
  // After an install or install_staged that failed: whether the old store is still whole. It
  // is not when the swap failed after the old store's write-ahead log was removed (commits a
  // read view kept from being checkpointed went with it): the node must then stop and come
  // back from its Raft snapshot and log.
  virtual bool kept_whole() const { return true; }
};

class SqliteHost final : public StoreHost {
 public:
  static Result<std::unique_ptr<SqliteHost>> open(std::string path);
  store::KeyValueStore& store() override { return *store_; }
  wire::ImageKind image_kind() const override { return wire::ImageKind::kSqlite; }
  Result<std::unique_ptr<StoreImage>> pin_image() override;
  Result<std::unique_ptr<store::KeyValueStore>> pin_reader() override;
  Status install(ByteView image) override;
  std::uint64_t wal_bytes() const override;
  std::function<std::uint64_t()> wal_log_gauge() const override;
  bool can_stage() const override { return true; }
  Result<crypto::Digest> stage(ByteView image, const StagedReader& inspect) override;
  Status install_staged() override;
  void discard_staged() override;
  bool kept_whole() const override { return kept_whole_; }

  // Where an install hands the last descriptor of the store file it replaced: closing it frees
  // the old file's blocks, tens of milliseconds for a store of a hundred MB, which the caller
  // may spend off its loop. Unset: closed at once.
  using FileCloser = std::function<void(int fd)>;
  void set_file_closer(FileCloser closer) { file_closer_ = std::move(closer); }
  // Where the store's write-ahead-log checkpoints go (SqliteStore::hand_off_checkpoints):
  // called with the store's path when one is due, to run SqliteStore::checkpoint_file off the
  // caller's thread. Kept across installs. Unset: SQLite checkpoints inside commits.
  using CheckpointRunner = std::function<void(const std::string& path)>;
  void set_checkpoint_runner(CheckpointRunner runner);

 private:
  std::string staged_path() const { return path_ + ".staged"; }
  // Closes the store, renames the file at from over it and opens it again.
  Status swap_in(const std::string& from);
  std::string path_;
  std::unique_ptr<sqlite::SqliteStore> store_;
  // Hands the open store's checkpoints to checkpoint_runner_, if set.
  void hand_off_checkpoints();
  FileCloser file_closer_;
  CheckpointRunner checkpoint_runner_;
  bool kept_whole_ = true;
  // The log's bytes, as the open store's last commit reported them (wal_log_gauge).
  std::shared_ptr<std::atomic<std::uint64_t>> log_bytes_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
};

class MemoryHost final : public StoreHost {
 public:
  static Result<std::unique_ptr<MemoryHost>> open();
  store::KeyValueStore& store() override { return store_; }
  store::MemoryStore& memory() { return store_; }
  wire::ImageKind image_kind() const override { return wire::ImageKind::kRows; }
  // Copies the rows (the deterministic tests' stores are small).
  Result<std::unique_ptr<StoreImage>> pin_image() override;
  Result<std::unique_ptr<store::KeyValueStore>> pin_reader() override;  // a copy, as above
  Status install(ByteView image) override;

 private:
  store::MemoryStore store_;
};

}  // namespace tally::replica
