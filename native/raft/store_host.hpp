// StoreHost: the store a node applies to, and how it is imaged into a snapshot and replaced
// by one (DESIGN.md §9).
//
// SqliteHost: the production store, a SQLite file. Its image is sqlite3_serialize's copy of
// the database; install writes the image to a temporary file beside it, fsyncs it, closes
// the store, renames the file over it, fsyncs the directory and reopens: a crash at any
// instant leaves either the old store or the new one (inv#9).
// MemoryHost: an in-memory ordered store for the deterministic tests; its image is the row
// list (wire::encode_rows). It survives a simulated crash, as a disk would.
// The caller closes every user of store() (the state machine) before install and reopens it
// after. Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/store/key_value_store.hpp"
#include "core/store/memory_store.hpp"
#include "native/codec/snapshot_codec.hpp"
#include "native/sqlite/sqlite_store.hpp"

namespace tally::replica {

class StoreHost {
 public:
  virtual ~StoreHost() = default;
  virtual store::KeyValueStore& store() = 0;
  virtual wire::ImageKind image_kind() const = 0;
  virtual Result<Bytes> image() const = 0;
  // Replaces the whole store by image, atomically. On error the old store stays in place.
  virtual Status install(ByteView image) = 0;
};

class SqliteHost final : public StoreHost {
 public:
  static Result<std::unique_ptr<SqliteHost>> open(std::string path);
  store::KeyValueStore& store() override { return *store_; }
  wire::ImageKind image_kind() const override { return wire::ImageKind::kSqlite; }
  Result<Bytes> image() const override { return store_->image(); }
  Status install(ByteView image) override;

 private:
  std::string path_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

class MemoryHost final : public StoreHost {
 public:
  static Result<std::unique_ptr<MemoryHost>> open();
  store::KeyValueStore& store() override { return store_; }
  store::MemoryStore& memory() { return store_; }
  wire::ImageKind image_kind() const override { return wire::ImageKind::kRows; }
  Result<Bytes> image() const override { return wire::encode_rows(store_.rows()); }
  Status install(ByteView image) override;

 private:
  store::MemoryStore store_;
};

}  // namespace tally::replica
