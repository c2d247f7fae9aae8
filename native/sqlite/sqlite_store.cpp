#include "native/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include "core/store/schema_version.hpp"

namespace tally::sqlite {

namespace {

constexpr const char* kSql[] = {
    "SELECT v FROM kv WHERE k = ?1",
    "INSERT OR REPLACE INTO kv (k, v) VALUES (?1, ?2)",
    "DELETE FROM kv WHERE k = ?1",
    "DELETE FROM kv WHERE k >= ?1 AND k < ?2",
    "SELECT k, v FROM kv WHERE k >= ?1 ORDER BY k ASC",
    "SELECT k, v FROM kv WHERE k >= ?1 AND k < ?2 ORDER BY k ASC",
    "SELECT k, v FROM kv WHERE k >= ?1 ORDER BY k DESC",
    "SELECT k, v FROM kv WHERE k >= ?1 AND k < ?2 ORDER BY k DESC",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
};

// A zero-length blob must stay a blob: sqlite3_bind_blob with a null pointer binds NULL.
int bind_bytes(sqlite3_stmt* statement, int index, ByteView bytes) {
  if (bytes.size == 0) return sqlite3_bind_zeroblob(statement, index, 0);
  return sqlite3_bind_blob(statement, index, bytes.data, static_cast<int>(bytes.size),
                           SQLITE_TRANSIENT);
}

ByteView column_bytes(sqlite3_stmt* statement, int column) {
  const void* data = sqlite3_column_blob(statement, column);
  int size = sqlite3_column_bytes(statement, column);
  return ByteView(static_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size));
}

// Resets a statement when the scope ends, whatever path leaves it.
struct StatementReset {
  sqlite3_stmt* statement;
  ~StatementReset() {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
  }
};

}  // namespace

Error SqliteStore::failure(const std::string& what) const {
  return make_error(Code::kStorage, "sqlite " + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  std::unique_ptr<SqliteStore> store(new SqliteStore());
  store->path_ = path;
  int rc =
      sqlite3_open_v2(path.c_str(), &store->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return store->failure("open");
  const char* setup =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;";
  if (sqlite3_exec(store->db_, setup, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return store->failure("set up");
  }
  TALLY_TRY(store->prepare_all());
  TALLY_TRY(store::open_schema(*store));
  return store;
}

Result<Bytes> SqliteStore::image() const {
  sqlite3_int64 size = 0;
  unsigned char* data = sqlite3_serialize(db_, "main", &size, 0);
  if (data == nullptr) return failure("serialize");
  Bytes out(data, data + size);
  sqlite3_free(data);
  return out;
}

SqliteStore::~SqliteStore() {
  for (sqlite3_stmt* statement : statements_)
    sqlite3_finalize(statement);
  sqlite3_close(db_);
}

Status SqliteStore::prepare_all() {
  for (int i = 0; i < kStatementCount; ++i) {
    if (sqlite3_prepare_v3(db_, kSql[i], -1, SQLITE_PREPARE_PERSISTENT, &statements_[i], nullptr) !=
        SQLITE_OK) {
      return failure(std::string("prepare ") + kSql[i]);
    }
  }
  return ok_status();
}

Status SqliteStore::run(Statement statement) const {
  sqlite3_stmt* s = statements_[statement];
  StatementReset reset{s};
  if (sqlite3_step(s) != SQLITE_DONE) return failure(kSql[statement]);
  return ok_status();
}

Result<std::optional<Bytes>> SqliteStore::get(ByteView key) const {
  sqlite3_stmt* s = statements_[kGet];
  StatementReset reset{s};
  if (bind_bytes(s, 1, key) != SQLITE_OK) return failure("bind get");
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<Bytes>();
  if (rc != SQLITE_ROW) return failure("get");
  return std::optional<Bytes>(column_bytes(s, 0).to_bytes());
}

Status SqliteStore::scan(ByteView begin, ByteView end, store::ScanOrder order,
                         const store::ScanVisitor& visit) const {
  TALLY_INVARIANT(!scanning_, "nested scans on one SqliteStore share a statement");
  bool ascending = order == store::ScanOrder::kAscending;
  Statement which = ascending ? (end.empty() ? kScanAscending : kScanAscendingTo)
                              : (end.empty() ? kScanDescending : kScanDescendingTo);
  sqlite3_stmt* s = statements_[which];
  StatementReset reset{s};
  if (bind_bytes(s, 1, begin) != SQLITE_OK) return failure("bind scan");
  if (!end.empty() && bind_bytes(s, 2, end) != SQLITE_OK) return failure("bind scan");
  scanning_ = true;
  struct ClearFlag {
    bool& flag;
    ~ClearFlag() { flag = false; }
  } clear{scanning_};
  for (;;) {
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return ok_status();
    if (rc != SQLITE_ROW) return failure("scan");
    if (!visit(column_bytes(s, 0), column_bytes(s, 1))) return ok_status();
  }
}

Status SqliteStore::write(const store::Batch& batch) {
  TALLY_INVARIANT(!scanning_, "write during a scan");
  TALLY_TRY(run(kBegin));
  for (const store::BatchOp& op : batch.ops()) {
    sqlite3_stmt* s = nullptr;
    int rc = SQLITE_OK;
    switch (op.type) {
      case store::BatchOp::Type::kPut:
        s = statements_[kPut];
        rc = bind_bytes(s, 1, op.key) | bind_bytes(s, 2, op.value);
        break;
      case store::BatchOp::Type::kDelete:
        s = statements_[kDelete];
        rc = bind_bytes(s, 1, op.key);
        break;
      case store::BatchOp::Type::kDeleteRange:
        s = statements_[kDeleteRange];
        rc = bind_bytes(s, 1, op.key) | bind_bytes(s, 2, op.value);
        break;
    }
    StatementReset reset{s};
    if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE) {
      Error error = failure("batch op");
      (void)run(kRollback);
      return error;
    }
  }
  Status committed = run(kCommit);
  if (!committed.ok()) (void)run(kRollback);
  return committed;
}

}  // namespace tally::sqlite
