// SqliteStore: the native KeyValueStore on SQLite (DESIGN.md §8).
//
// One WITHOUT ROWID table kv(k BLOB PRIMARY KEY, v BLOB NOT NULL), WAL mode,
// synchronous=FULL (a committed batch survives power loss), one SQLite transaction per
// batch, prepared statements reused for the store's lifetime. BLOBs compare with memcmp,
// shorter first: the same order as MemoryStore, so both give identical bytes. open() checks
// the storage schema version and refuses a store of another version.
// Not thread-safe. A scan's visitor may call get() but must not write.
#pragma once

#include <memory>
#include <string>

#include "core/store/key_value_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tally::sqlite {

class SqliteStore final : public store::KeyValueStore {
 public:
  // Opens (creating if absent) the database at path and checks its schema version.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<std::optional<Bytes>> get(ByteView key) const override;
  Status scan(ByteView begin, ByteView end, store::ScanOrder order,
              const store::ScanVisitor& visit) const override;
  Status write(const store::Batch& batch) override;

  const std::string& path() const { return path_; }

  // A consistent image of the whole database file (sqlite3_serialize), committed batches
  // only, WAL included: what a Raft snapshot carries (native/raft). Reads; never blocks
  // writers for longer than the copy.
  Result<Bytes> image() const;

 private:
  enum Statement : int {
    kGet,
    kPut,
    kDelete,
    kDeleteRange,
    kScanAscending,
    kScanAscendingTo,
    kScanDescending,
    kScanDescendingTo,
    kBegin,
    kCommit,
    kRollback,
    kStatementCount,
  };

  SqliteStore() = default;
  Status prepare_all();
  Status run(Statement statement) const;  // a statement with no rows, reset after
  Error failure(const std::string& what) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* statements_[kStatementCount] = {};
  std::string path_;
  mutable bool scanning_ = false;
};

}  // namespace tally::sqlite
