// SqliteStore: the native KeyValueStore on SQLite (docs/design.md §8).
//
// kv holds every row outside the cache generations and the audit entries, one per key (a
// WITHOUT ROWID table, k BLOB PRIMARY KEY). kv_audit holds the audit entries ([0x03]['A'], one
// per applied entry, tens of KB for a bulk): a rowid table with k BLOB PRIMARY KEY, whose key
// index holds only (k, rowid), so an insert's comparisons never read an entry from its overflow
// pages, as they would in kv where the whole row is the b-tree's key. kv_gen0 and kv_gen1 hold the
// cache mirror rows of gen byte 0 and 1 ([0x02][gen byte]..., docs/design.md §3) as logs of packs
// (seq INTEGER PRIMARY KEY, n INTEGER, ops BLOB; core/store/packed_ops.hpp): a write appends its n
// puts and deletes on the gen byte as one row (several when they pass kPackBytesTarget), and a key
// reads as the latest op on it. Mirror keys are hash ids: keyed, every mirror write would dirty a
// random page of a large table, and one row per op costs a statement each. A rotation's range
// delete of a whole gen byte empties a small table in place (DELETE without a WHERE: SQLite frees
// its pages without visiting rows) and renames a large one kv_retired_<n>, creating an empty one in
// its place, O(1); every write then deletes a bounded number of ops of the retired tables, whole
// packs (at least 1024 ops, two per op of its batch), and drops each table once empty, in the
// write's own transaction (clearing a large generation in one commit would stall it). Retired
// tables are invisible to reads. Scans walk the tables in key order, so callers see one ordered key
// space, byte-identical to MemoryStore's. The layout version is PRAGMA user_version (6); a store of
// another layout is refused. WAL mode, synchronous=NORMAL (the Raft log is the
// durable record: a power loss may lose the last batches, never consistency, and the log replays
// them; group commit), one SQLite transaction per batch, prepared statements reused for the store's
// lifetime. BLOBs compare with memcmp, shorter first: the same order as MemoryStore. open() checks
// the storage schema version and refuses a store of another version. Not thread-safe. A scan's
// visitor may call get() but must not write.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/store/key_value_store.hpp"
#include "core/store/packed_ops.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tally::sqlite {

class SqliteStore final : public store::KeyValueStore {
 public:
  // Opens (creating if absent) the database at path and checks its schema version.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  // A second, read-only connection to the existing database at path, inside a read
  // transaction begun before it returns: it reads the database as it was at that instant
  // (WAL mode keeps that view while the writer goes on committing) until it is destroyed.
  // What a Raft snapshot is taken from off the loop (native/raft, SqliteHost::pin_image).
  // The connection may move to another thread; one thread at a time. write() fails.
  static Result<std::unique_ptr<SqliteStore>> open_pinned_reader(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<std::optional<Bytes>> get(ByteView key) const override;
  Status scan(ByteView begin, ByteView end, store::ScanOrder order,
              const store::ScanVisitor& visit) const override;
  Status write(const store::Batch& batch) override;

  const std::string& path() const { return path_; }

  // Checkpoints handed to the caller: once called, the writer's commits do not copy the
  // write-ahead log into the database; after every commit, logged() is told the bytes the log
  // then holds (frames since the log last restarted, which a checkpoint lets it do once no
  // reader needs them), on the writer's thread from within that commit: it must only record
  // or schedule. From kCheckpointFramesMin frames on, the caller runs checkpoint_file(path())
  // on another thread.
  static constexpr int kCheckpointFramesMin = 1000;  // SQLite's own automatic threshold
  using LogObserver = std::function<void(std::uint64_t log_bytes, bool checkpoint_due)>;
  void hand_off_checkpoints(LogObserver logged);
  // A PASSIVE checkpoint of the database at path through a connection of its own: it copies
  // what no reader still needs, never waits for a lock and never blocks the writer or a pinned
  // reader, so it may run on any thread beside them. Its connection keeps the log file when
  // it closes (SQLITE_FCNTL_PERSIST_WAL), so even if an install renames another file over the
  // path meanwhile, closing it deletes no file by name: it then checkpoints the replaced file.
  static Status checkpoint_file(const std::string& path);

  // A rotation empties a generation table of at most this many rows in place, in the
  // rotating write (a small, bounded cost); a larger one is retired and swept. Tests set
  // 0 to exercise retirement with small tables.
  static constexpr std::uint64_t kGenerationTruncateRowsMax = 8192;
  void set_generation_truncate_rows_max(std::uint64_t rows) { truncate_rows_max_ = rows; }

  // A consistent image of the whole database file (sqlite3_serialize), committed batches
  // only, WAL included: what a Raft snapshot carries (native/raft). Reads; never blocks
  // writers for longer than the copy.
  Result<Bytes> image() const;
  // The same image handed to sink in one piece, without copying it into Bytes first (a store
  // of hundreds of MB is copied once, not twice).
  Status image_to(const std::function<Status(ByteView)>& sink) const;

  enum Table : int { kMain, kGen0, kGen1, kAudit, kTableCount };
  // The keyed tables' statements (kv, kv_audit).
  enum TableStatement : int {
    kGet,
    kPut,
    kDelete,
    kDeleteRange,
    kScanAscending,
    kScanAscendingTo,
    kScanDescending,
    kScanDescendingTo,
    kDeleteFrom,
    kTableStatementCount,
  };
  // The generation tables' statements (kv_gen0, kv_gen1).
  enum LogStatement : int { kAppendPack, kPacksOldestFirst, kPacksNewestFirst, kLogStatementCount };

 private:
  enum TransactionStatement : int { kBegin, kCommit, kRollback };

  SqliteStore() = default;
  static Table table_of(ByteView key);
  // Refuses another table layout; true when the store already has ours (not a new file).
  Result<bool> check_layout();
  Status prepare_all();
  Status run(sqlite3_stmt* statement) const;  // a statement with no rows, reset after
  Status scan_table(Table table, ByteView begin, ByteView end, store::ScanOrder order,
                    const store::ScanVisitor& visit, bool& stopped) const;
  Status delete_range(ByteView begin, ByteView end);
  Status exec(const std::string& sql);
  // The retired generation tables, from the schema (at open, and after a rollback).
  Status load_retired();
  // A whole gen byte deleted: its table is renamed kv_retired_<n>, an empty one takes its name.
  Status retire(Table table);
  // The ops each generation table holds, from the tables (at open, and after a rollback).
  Status count_generation_rows();
  // Deletes whole packs of retired tables, oldest first, up to budget ops (at least one pack);
  // drops each table once empty.
  Status sweep_retired(std::size_t budget);
  Status apply_op(const store::BatchOp& op);
  // The ops of this write on a generation table not yet appended as a pack.
  struct PendingPack {
    Bytes ops;
    std::uint64_t count = 0;
  };
  static bool is_log(Table table) { return table == kGen0 || table == kGen1; }
  sqlite3_stmt* log_statement(Table table, LogStatement which) const;
  // Appends table's pending ops as one pack (nothing when none are pending).
  Status append_pack(Table table);
  Status append_packs();
  // The newest op on every key of [begin, end) in table's packs (end empty: unbounded), in key
  // order; deletes included. Views bytes that folded keeps.
  struct Folded {
    std::vector<Bytes> packs;
    std::vector<store::PackedOp> newest;
  };
  Status fold_log(Table table, ByteView begin, ByteView end, Folded& folded) const;
  Result<std::optional<Bytes>> get_from_log(Table table, ByteView key) const;
  // Every op of one stored pack, checked against its count and its table.
  Result<std::vector<store::PackedOp>> read_pack(Table table, sqlite3_stmt* statement) const;
  // Visits table's packs in order, each read and checked, with the stored bytes its ops view;
  // the visitor returns false to stop.
  using PackVisitor = std::function<bool(const std::vector<store::PackedOp>&, ByteView stored)>;
  Status for_each_pack(Table table, LogStatement order, const PackVisitor& visit) const;
  Error failure(const std::string& what) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* statements_[kTableCount][kTableStatementCount] = {};  // keyed tables only
  sqlite3_stmt* log_statements_[2][kLogStatementCount] = {};          // kGen0, kGen1
  PendingPack pending_[2];                                            // kGen0, kGen1
  sqlite3_stmt* transaction_statements_[3] = {};
  std::string path_;
  mutable bool scanning_ = false;
  std::deque<std::uint64_t> retired_;  // numbers n of the kv_retired_<n> tables, oldest first
  std::uint64_t next_retired_ = 1;
  std::uint64_t generation_rows_[kTableCount] = {};  // ops in kv_gen0, kv_gen1 (not kv)
  std::uint64_t truncate_rows_max_ = kGenerationTruncateRowsMax;
  LogObserver logged_;             // hand_off_checkpoints
  std::uint64_t frame_bytes_ = 0;  // one log frame: a page and its 24-byte header
};

}  // namespace tally::sqlite
