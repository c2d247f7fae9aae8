#include "native/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/audit/audit_rows.hpp"
#include "core/store/layout.hpp"
#include "core/store/schema_version.hpp"

namespace tally::sqlite {

namespace {

constexpr const char* kTableNames[SqliteStore::kTableCount] = {"kv", "kv_gen0", "kv_gen1",
                                                               "kv_audit"};

// Per table; %s is the table's name. kv and kv_audit are keyed: one row per key.
constexpr const char* kKeyedSql[SqliteStore::kTableStatementCount] = {
    "SELECT v FROM %s WHERE k = ?1",
    "INSERT OR REPLACE INTO %s (k, v) VALUES (?1, ?2)",
    "DELETE FROM %s WHERE k = ?1",
    "DELETE FROM %s WHERE k >= ?1 AND k < ?2",
    "SELECT k, v FROM %s WHERE k >= ?1 ORDER BY k ASC",
    "SELECT k, v FROM %s WHERE k >= ?1 AND k < ?2 ORDER BY k ASC",
    "SELECT k, v FROM %s WHERE k >= ?1 ORDER BY k DESC",
    "SELECT k, v FROM %s WHERE k >= ?1 AND k < ?2 ORDER BY k DESC",
    "DELETE FROM %s WHERE k >= ?1",
};

// The generation tables are logs of packs (core/store/packed_ops.hpp): a write appends its ops
// on the table's gen byte as one row, or a few of at most ~kPackBytesTarget, and a key's value
// is the latest op on it. Mirror rows are keyed by hash id, so as keyed rows each landed on a
// random page of a table of hundreds of thousands, and as one row per op they cost a statement
// each; packed, a write's mirror rows are one insert on the table's last page. Point reads and
// partial range deletes fold the whole table: nothing on the apply path does either (the cache
// answers from memory, docs/design.md §3); scans (restore, parity, the checker, the digest)
// fold it once.
constexpr const char* kLogSql[SqliteStore::kLogStatementCount] = {
    "INSERT INTO %s (n, ops) VALUES (?1, ?2)",
    "SELECT n, ops FROM %s ORDER BY seq ASC",
    "SELECT n, ops FROM %s ORDER BY seq DESC",
};

constexpr const char* kTransactionSql[3] = {"BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};

// The adapter's own table layout (PRAGMA user_version); a store of another layout is refused.
// 0 was one table for every row; 2 added a keyed table per cache generation byte; 3 retired
// them by rename (kv_retired_<n>), swept a bounded number of rows per write; 4 makes the
// generation tables append-only logs; 5 moves the audit entries to kv_audit; 6 packs a write's
// ops on a generation table into one row.
constexpr int kLayoutVersion = 6;
constexpr const char* kRetiredPrefix = "kv_retired_";

std::string retired_name(std::uint64_t number) {
  return kRetiredPrefix + std::to_string(number);
}

// Ops of retired tables deleted per write (whole packs, at least one): at least this many, plus
// two per op of the batch, so a generation's table is gone long before its gen byte can be
// retired again (the writes that fill the next generation sweep twice their own number of ops).
constexpr std::size_t kSweepOpsMin = 1024;

std::string table_sql(SqliteStore::Table table) {
  const std::string create = std::string("CREATE TABLE IF NOT EXISTS ") + kTableNames[table];
  switch (table) {
    case SqliteStore::kGen0:
    case SqliteStore::kGen1:
      return create + " (seq INTEGER PRIMARY KEY, n INTEGER NOT NULL, ops BLOB NOT NULL);";
    case SqliteStore::kAudit:
      // A rowid table: its key index holds (k, rowid) only, so an insert compares keys, not
      // the entries (a bulk's is tens of KB, on overflow pages), and the entries are appended
      // to the table's last pages.
      return create + " (k BLOB PRIMARY KEY, v BLOB NOT NULL);";
    case SqliteStore::kMain:
    case SqliteStore::kTableCount: break;
  }
  return create + " (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;";
}

// A zero-length blob must stay a blob: sqlite3_bind_blob with a null pointer binds NULL.
// SQLITE_STATIC: no copy. Every statement is stepped and then reset with its bindings
// cleared (StatementReset) before the bound bytes' owner returns.
int bind_bytes(sqlite3_stmt* statement, int index, ByteView bytes) {
  if (bytes.size == 0) return sqlite3_bind_zeroblob(statement, index, 0);
  return sqlite3_bind_blob(statement, index, bytes.data, static_cast<int>(bytes.size),
                           SQLITE_STATIC);
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

int compare(ByteView a, ByteView b) {
  std::size_t common = std::min(a.size, b.size);
  int c = common == 0 ? 0 : std::memcmp(a.data, b.data, common);
  if (c != 0) return c;
  return a.size < b.size ? -1 : (a.size > b.size ? 1 : 0);
}

ByteView max_begin(ByteView a, ByteView b) {
  return compare(a, b) >= 0 ? a : b;
}

ByteView min_end(ByteView a, ByteView b) {  // empty: unbounded
  if (a.empty()) return b;
  if (b.empty()) return a;
  return compare(a, b) <= 0 ? a : b;
}

bool range_empty(ByteView begin, ByteView end) {
  return !end.empty() && compare(begin, end) >= 0;
}

const Bytes kGen0Begin{store::kZoneCache, 0};
const Bytes kGen1Begin{store::kZoneCache, 1};
const Bytes kGenEnd{store::kZoneCache, 2};
const Bytes kAuditBegin = audit::audit_rows_begin();
const Bytes kAuditEnd = audit::audit_rows_end();

// The key ranges in key order, each with the table that holds it.
struct Segment {
  SqliteStore::Table table;
  ByteView begin;
  ByteView end;  // empty: unbounded
};
constexpr int kSegmentCount = 6;
const Segment kSegments[kSegmentCount] = {
    {SqliteStore::kMain, ByteView(), kGen0Begin},  {SqliteStore::kGen0, kGen0Begin, kGen1Begin},
    {SqliteStore::kGen1, kGen1Begin, kGenEnd},     {SqliteStore::kMain, kGenEnd, kAuditBegin},
    {SqliteStore::kAudit, kAuditBegin, kAuditEnd}, {SqliteStore::kMain, kAuditEnd, ByteView()}};

}  // namespace

SqliteStore::Table SqliteStore::table_of(ByteView key) {
  if (key.size >= 2 && key[0] == store::kZoneCache && key[1] <= 1) {
    return key[1] == 0 ? kGen0 : kGen1;
  }
  // [kAuditBegin, kAuditEnd) is every key of two bytes or more that starts with kAuditBegin.
  if (key.size >= 2 && key[0] == kAuditBegin[0] && key[1] == kAuditBegin[1]) return kAudit;
  return kMain;
}

Error SqliteStore::failure(const std::string& what) const {
  return make_error(Code::kStorage, "sqlite " + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

Result<bool> SqliteStore::check_layout() {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'kv'",
                         -1, &s, nullptr) != SQLITE_OK) {
    return failure("read the schema");
  }
  bool has_kv = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
  sqlite3_finalize(s);
  if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &s, nullptr) != SQLITE_OK) {
    return failure("read the layout version");
  }
  int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  if (has_kv && version != kLayoutVersion) {
    return make_error(Code::kSchemaMismatch,
                      "sqlite " + path_ + ": table layout " + std::to_string(version) +
                          ", this build reads layout " + std::to_string(kLayoutVersion) +
                          " (cache generation tables as append-only logs): refusing to open");
  }
  return has_kv;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  // No memory statistics: SQLite otherwise takes a process-wide mutex on every allocation.
  // Only possible before SQLite initialises (a later call is refused, harmlessly).
  static const bool configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)configured;
  std::unique_ptr<SqliteStore> store(new SqliteStore());
  store->path_ = path;
  int rc =
      sqlite3_open_v2(path.c_str(), &store->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return store->failure("open");
  auto existing = store->check_layout();
  if (!existing.ok()) return std::move(existing).error();
  std::string setup =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=NORMAL;"
      // Pages of the hot set stay in memory: each applied entry touches rows on random
      // pages (attribute rows by name, mirror rows by hash id), so a small page cache turns
      // nearly every write into a read of its page first.
      "PRAGMA cache_size=-262144;"
      // A read view held long (a check, a snapshot) lets the write-ahead log grow past the
      // automatic checkpoint; once the view ends and a checkpoint completes, the file shrinks
      // back to this bound instead of keeping its high-water size (tally_store_wal_bytes).
      "PRAGMA journal_size_limit=67108864;"
      "PRAGMA mmap_size=1073741824;";
  for (int t = 0; t < kTableCount; ++t)
    setup += table_sql(static_cast<Table>(t));
  // Only a new store gets its layout version: setting it is a write even when unchanged, and
  // a store that is then refused (another cluster, key or schema version) must be left
  // byte for byte as it was.
  if (!*existing) setup += "PRAGMA user_version=" + std::to_string(kLayoutVersion) + ";";
  if (sqlite3_exec(store->db_, setup.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return store->failure("set up");
  }
  TALLY_TRY(store->prepare_all());
  TALLY_TRY(store->load_retired());
  TALLY_TRY(store->count_generation_rows());
  TALLY_TRY(store::open_schema(*store));
  return store;
}

void SqliteStore::hand_off_checkpoints(LogObserver logged) {
  TALLY_INVARIANT(static_cast<bool>(logged), "a hand-off has someone to hand checkpoints to");
  logged_ = std::move(logged);
  sqlite3_stmt* s = nullptr;
  int page_bytes = 4096;  // SQLite's default, if the pragma cannot be read
  if (sqlite3_prepare_v2(db_, "PRAGMA page_size", -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    page_bytes = sqlite3_column_int(s, 0);
  }
  sqlite3_finalize(s);
  frame_bytes_ = static_cast<std::uint64_t>(page_bytes) + 24;
  // Replaces SQLite's automatic checkpoint, which is itself a write-ahead-log hook.
  sqlite3_wal_hook(
      db_,
      [](void* context, sqlite3*, const char*, int frames) {
        auto* self = static_cast<SqliteStore*>(context);
        self->logged_(static_cast<std::uint64_t>(frames) * self->frame_bytes_,
                      frames >= kCheckpointFramesMin);
        return SQLITE_OK;
      },
      this);
}

Status SqliteStore::checkpoint_file(const std::string& path) {
  sqlite3* db = nullptr;
  const int opened =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto fail = [&](const char* what, int rc) {
    Error error =
        make_error(Code::kStorage, std::string("checkpoint ") + path + ": " + what + ": " +
                                       (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return error;
  };
  if (opened != SQLITE_OK) return fail("open", opened);
  int persist = 1;
  if (const int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
      rc != SQLITE_OK) {
    return fail("keep the log file", rc);
  }
  // A connection opens the log at its first read: until then it checkpoints nothing.
  if (const int rc =
          sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
      rc != SQLITE_OK) {
    return fail("read", rc);
  }
  int log_frames = 0, copied_frames = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied_frames);
  // BUSY: another checkpoint (or a connection recovering the log) runs; the next commit asks
  // again.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return fail("run", rc);
  sqlite3_close(db);
  return ok_status();
}

Result<Bytes> SqliteStore::image() const {
  Bytes out;
  TALLY_TRY(image_to([&](ByteView image) {
    out = image.to_bytes();
    return ok_status();
  }));
  return out;
}

Status SqliteStore::image_to(const std::function<Status(ByteView)>& sink) const {
  sqlite3_int64 size = 0;
  // Inside an open read transaction (open_pinned_reader) the copy is of that transaction's
  // view; otherwise of the last commit.
  unsigned char* data = sqlite3_serialize(db_, "main", &size, 0);
  if (data == nullptr) return failure("serialize");
  Status sunk = sink(ByteView(data, static_cast<std::size_t>(size)));
  sqlite3_free(data);
  return sunk;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open_pinned_reader(const std::string& path) {
  std::unique_ptr<SqliteStore> store(new SqliteStore());
  store->path_ = path;
  int rc = sqlite3_open_v2(path.c_str(), &store->db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) return store->failure("open for reading");
  TALLY_TRY(store->check_layout());
  TALLY_TRY(store->prepare_all());
  // BEGIN is deferred: the read transaction (and with it the WAL read mark that freezes the
  // view) starts at the first read, so read once now, on the caller's thread, at the instant
  // the caller chose.
  if (sqlite3_exec(store->db_, "BEGIN; SELECT count(*) FROM sqlite_master;", nullptr, nullptr,
                   nullptr) != SQLITE_OK) {
    return store->failure("begin the pinned read");
  }
  TALLY_INVARIANT(sqlite3_get_autocommit(store->db_) == 0, "the pinned reader holds a transaction");
  return store;
}

SqliteStore::~SqliteStore() {
  for (auto& table : statements_) {
    for (sqlite3_stmt* statement : table)
      sqlite3_finalize(statement);
  }
  for (auto& table : log_statements_) {
    for (sqlite3_stmt* statement : table)
      sqlite3_finalize(statement);
  }
  for (sqlite3_stmt* statement : transaction_statements_)
    sqlite3_finalize(statement);
  sqlite3_close(db_);
}

Status SqliteStore::prepare_all() {
  auto prepare = [&](const char* format, Table table, sqlite3_stmt** statement) {
    char sql[256];
    std::snprintf(sql, sizeof sql, format, kTableNames[table]);
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, statement, nullptr) !=
        SQLITE_OK) {
      return Status(failure(std::string("prepare ") + sql));
    }
    return ok_status();
  };
  for (int t = 0; t < kTableCount; ++t) {
    const auto table = static_cast<Table>(t);
    if (is_log(table)) {
      for (int i = 0; i < kLogStatementCount; ++i)
        TALLY_TRY(prepare(kLogSql[i], table, &log_statements_[t - kGen0][i]));
    } else {
      for (int i = 0; i < kTableStatementCount; ++i)
        TALLY_TRY(prepare(kKeyedSql[i], table, &statements_[t][i]));
    }
  }
  for (int i = 0; i < 3; ++i) {
    if (sqlite3_prepare_v3(db_, kTransactionSql[i], -1, SQLITE_PREPARE_PERSISTENT,
                           &transaction_statements_[i], nullptr) != SQLITE_OK) {
      return failure(std::string("prepare ") + kTransactionSql[i]);
    }
  }
  return ok_status();
}

Status SqliteStore::run(sqlite3_stmt* s) const {
  StatementReset reset{s};
  if (sqlite3_step(s) != SQLITE_DONE) return failure(sqlite3_sql(s));
  return ok_status();
}

Result<std::optional<Bytes>> SqliteStore::get(ByteView key) const {
  if (is_log(table_of(key))) return get_from_log(table_of(key), key);
  sqlite3_stmt* s = statements_[table_of(key)][kGet];
  StatementReset reset{s};
  if (bind_bytes(s, 1, key) != SQLITE_OK) return failure("bind get");
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<Bytes>();
  if (rc != SQLITE_ROW) return failure("get");
  return std::optional<Bytes>(column_bytes(s, 0).to_bytes());
}

Status SqliteStore::scan_table(Table table, ByteView begin, ByteView end, store::ScanOrder order,
                               const store::ScanVisitor& visit, bool& stopped) const {
  bool ascending = order == store::ScanOrder::kAscending;
  if (is_log(table)) {
    Folded folded;
    TALLY_TRY(fold_log(table, begin, end, folded));
    const std::size_t count = folded.newest.size();
    for (std::size_t i = 0; i < count; ++i) {
      const store::PackedOp& op = folded.newest[ascending ? i : count - 1 - i];
      if (!op.put) continue;
      if (!visit(op.key, op.value)) {
        stopped = true;
        return ok_status();
      }
    }
    return ok_status();
  }
  TableStatement which = ascending ? (end.empty() ? kScanAscending : kScanAscendingTo)
                                   : (end.empty() ? kScanDescending : kScanDescendingTo);
  sqlite3_stmt* s = statements_[table][which];
  StatementReset reset{s};
  if (bind_bytes(s, 1, begin) != SQLITE_OK) return failure("bind scan");
  if (!end.empty() && bind_bytes(s, 2, end) != SQLITE_OK) return failure("bind scan");
  for (;;) {
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return ok_status();
    if (rc != SQLITE_ROW) return failure("scan");
    if (!visit(column_bytes(s, 0), column_bytes(s, 1))) {
      stopped = true;
      return ok_status();
    }
  }
}

Status SqliteStore::scan(ByteView begin, ByteView end, store::ScanOrder order,
                         const store::ScanVisitor& visit) const {
  TALLY_INVARIANT(!scanning_, "nested scans on one SqliteStore share a statement");
  scanning_ = true;
  struct ClearFlag {
    bool& flag;
    ~ClearFlag() { flag = false; }
  } clear{scanning_};
  bool stopped = false;
  for (int i = 0; i < kSegmentCount && !stopped; ++i) {
    const Segment& segment =
        kSegments[order == store::ScanOrder::kAscending ? i : kSegmentCount - 1 - i];
    ByteView from = max_begin(begin, segment.begin);
    ByteView to = min_end(end, segment.end);
    if (range_empty(from, to)) continue;
    TALLY_TRY(scan_table(segment.table, from, to, order, visit, stopped));
  }
  return ok_status();
}

Status SqliteStore::delete_range(ByteView begin, ByteView end) {
  for (const Segment& segment : kSegments) {
    ByteView from = max_begin(begin, segment.begin);
    ByteView to = min_end(end, segment.end);
    if (range_empty(from, to)) continue;
    if (is_log(segment.table) && compare(from, segment.begin) == 0 &&
        compare(to, segment.end) == 0) {
      // The batch's earlier ops on the generation go with it.
      pending_[segment.table - kGen0] = PendingPack{};
      // A rotation. A small table is emptied in place (SQLite frees its pages without
      // visiting rows, and no schema change makes every statement prepare again); a large
      // one is renamed, O(1), and swept later.
      if (generation_rows_[segment.table] <= truncate_rows_max_) {
        TALLY_TRY(exec(std::string("DELETE FROM ") + kTableNames[segment.table]));
      } else {
        TALLY_TRY(retire(segment.table));
      }
      generation_rows_[segment.table] = 0;
      continue;
    }
    if (is_log(segment.table)) {
      // Part of a generation: a delete op for every key in it that has a value.
      TALLY_TRY(append_pack(segment.table));
      Folded folded;
      TALLY_TRY(fold_log(segment.table, from, to, folded));
      for (const store::PackedOp& op : folded.newest) {
        if (!op.put) continue;
        PendingPack& pending = pending_[segment.table - kGen0];
        store::pack_delete(pending.ops, op.key);
        ++pending.count;
        if (pending.ops.size() >= store::kPackBytesTarget) TALLY_TRY(append_pack(segment.table));
      }
      TALLY_TRY(append_pack(segment.table));
      continue;
    }
    sqlite3_stmt* s = statements_[segment.table][to.empty() ? kDeleteFrom : kDeleteRange];
    StatementReset reset{s};
    int rc = bind_bytes(s, 1, from);
    if (!to.empty()) rc |= bind_bytes(s, 2, to);
    if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE) return failure("delete range");
  }
  return ok_status();
}

Status SqliteStore::apply_op(const store::BatchOp& op) {
  const Table table = op.type == store::BatchOp::Type::kDeleteRange ? kMain : table_of(op.key);
  if (is_log(table)) {
    PendingPack& pending = pending_[table - kGen0];
    if (op.type == store::BatchOp::Type::kPut) {
      store::pack_put(pending.ops, op.key, op.value);
    } else {
      store::pack_delete(pending.ops, op.key);
    }
    ++pending.count;
    if (pending.ops.size() >= store::kPackBytesTarget) return append_pack(table);
    return ok_status();
  }
  sqlite3_stmt* s = nullptr;
  int rc = SQLITE_OK;
  switch (op.type) {
    case store::BatchOp::Type::kPut:
      s = statements_[table_of(op.key)][kPut];
      rc = bind_bytes(s, 1, op.key) | bind_bytes(s, 2, op.value);
      break;
    case store::BatchOp::Type::kDelete:
      s = statements_[table_of(op.key)][kDelete];
      rc = bind_bytes(s, 1, op.key);
      break;
    case store::BatchOp::Type::kDeleteRange: return delete_range(op.key, op.value);
  }
  StatementReset reset{s};
  if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE) return failure("batch op");
  return ok_status();
}

sqlite3_stmt* SqliteStore::log_statement(Table table, LogStatement which) const {
  TALLY_INVARIANT(is_log(table), "a log statement on a generation table");
  return log_statements_[table - kGen0][which];
}

Status SqliteStore::append_pack(Table table) {
  PendingPack& pending = pending_[table - kGen0];
  if (pending.count == 0) return ok_status();
  sqlite3_stmt* s = log_statement(table, kAppendPack);
  StatementReset reset{s};
  int rc = sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(pending.count));
  rc |= bind_bytes(s, 2, pending.ops);
  if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE) return failure("append a pack");
  generation_rows_[table] += pending.count;
  pending.ops.clear();  // keeps its capacity for the next write
  pending.count = 0;
  return ok_status();
}

Status SqliteStore::append_packs() {
  TALLY_TRY(append_pack(kGen0));
  return append_pack(kGen1);
}

Result<std::vector<store::PackedOp>> SqliteStore::read_pack(Table table,
                                                            sqlite3_stmt* statement) const {
  const sqlite3_int64 count = sqlite3_column_int64(statement, 0);
  auto ops = store::unpack_ops(column_bytes(statement, 1));
  if (!ops.ok()) {
    return make_error(Code::kCorrupt,
                      "sqlite " + path_ + ": " + kTableNames[table] + ": " + ops.error().message);
  }
  if (count < 0 || ops->size() != static_cast<std::uint64_t>(count)) {
    return make_error(Code::kCorrupt, "sqlite " + path_ + ": " + kTableNames[table] +
                                          ": a pack of " + std::to_string(ops->size()) +
                                          " ops counted as " + std::to_string(count));
  }
  for (const store::PackedOp& op : *ops) {
    if (table_of(op.key) != table) {
      return make_error(Code::kCorrupt, "sqlite " + path_ + ": " + kTableNames[table] +
                                            ": a packed key of another table: " + to_hex(op.key));
    }
  }
  return ops;
}

Status SqliteStore::for_each_pack(Table table, LogStatement order, const PackVisitor& visit) const {
  sqlite3_stmt* s = log_statement(table, order);
  StatementReset reset{s};
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    auto ops = read_pack(table, s);
    if (!ops.ok()) return std::move(ops).error();
    if (!visit(*ops, column_bytes(s, 1))) return ok_status();
  }
  if (rc != SQLITE_DONE) return failure("read packs");
  return ok_status();
}

Status SqliteStore::fold_log(Table table, ByteView begin, ByteView end, Folded& folded) const {
  TALLY_TRY(for_each_pack(
      table, kPacksOldestFirst, [&](const std::vector<store::PackedOp>& ops, ByteView stored) {
        // The views move with the bytes: re-aim them at the kept copy.
        folded.packs.push_back(stored.to_bytes());
        const std::uint8_t* kept = folded.packs.back().data();
        for (store::PackedOp op : ops) {
          if (compare(op.key, begin) < 0 || (!end.empty() && compare(op.key, end) >= 0)) continue;
          op.key.data = kept + (op.key.data - stored.data);
          if (op.put) op.value.data = kept + (op.value.data - stored.data);  // a delete's: none
          folded.newest.push_back(op);
        }
        return true;
      }));
  // Oldest first in, so after a stable sort by key the last of each key's run is its newest.
  std::stable_sort(
      folded.newest.begin(), folded.newest.end(),
      [](const store::PackedOp& a, const store::PackedOp& b) { return compare(a.key, b.key) < 0; });
  std::size_t kept_ops = 0;
  for (std::size_t i = 0; i < folded.newest.size(); ++i) {
    const bool last_of_key = i + 1 == folded.newest.size() ||
                             compare(folded.newest[i].key, folded.newest[i + 1].key) != 0;
    if (last_of_key) folded.newest[kept_ops++] = folded.newest[i];
  }
  folded.newest.resize(kept_ops);
  return ok_status();
}

Result<std::optional<Bytes>> SqliteStore::get_from_log(Table table, ByteView key) const {
  std::optional<Bytes> found;
  TALLY_TRY(for_each_pack(table, kPacksNewestFirst,
                          [&](const std::vector<store::PackedOp>& ops, ByteView) {
                            for (auto op = ops.rbegin(); op != ops.rend(); ++op) {
                              if (!(op->key == key)) continue;
                              if (op->put) found = op->value.to_bytes();
                              return false;  // the newest op on the key decides
                            }
                            return true;
                          }));
  return found;
}

Status SqliteStore::exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return failure(sql);
  return ok_status();
}

Status SqliteStore::load_retired() {
  retired_.clear();
  next_retired_ = 1;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(
          db_, "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'kv_retired_*'",
          -1, &s, nullptr) != SQLITE_OK) {
    return failure("list retired tables");
  }
  std::vector<std::uint64_t> numbers;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(s, 0);
    std::string name = text == nullptr ? std::string() : reinterpret_cast<const char*>(text);
    std::string digits = name.size() > std::strlen(kRetiredPrefix)
                             ? name.substr(std::strlen(kRetiredPrefix))
                             : std::string();
    if (digits.empty() || digits.size() > 18 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      sqlite3_finalize(s);
      return make_error(Code::kCorrupt, "sqlite " + path_ + ": unexpected table " + name);
    }
    numbers.push_back(std::stoull(digits));
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return failure("list retired tables");
  std::sort(numbers.begin(), numbers.end());  // oldest first
  for (std::uint64_t n : numbers)
    retired_.push_back(n);
  if (!numbers.empty()) next_retired_ = numbers.back() + 1;
  return ok_status();
}

Status SqliteStore::count_generation_rows() {
  for (Table table : {kGen0, kGen1}) {
    sqlite3_stmt* s = nullptr;
    const std::string sql = std::string("SELECT coalesce(sum(n), 0) FROM ") + kTableNames[table];
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      return failure("prepare " + sql);
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
      generation_rows_[table] = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return failure(sql);
  }
  return ok_status();
}

Status SqliteStore::retire(Table table) {
  std::string name = retired_name(next_retired_);
  TALLY_TRY(exec(std::string("ALTER TABLE ") + kTableNames[table] + " RENAME TO " + name + ";" +
                 table_sql(table)));
  retired_.push_back(next_retired_++);
  if (retired_.size() > 2) {
    // Sweeps fell behind two retirements: drop the oldest now (its pages freed at once).
    TALLY_TRY(exec("DROP TABLE " + retired_name(retired_.front())));
    retired_.pop_front();
  }
  return ok_status();
}

Status SqliteStore::sweep_retired(std::size_t budget) {
  while (budget > 0 && !retired_.empty()) {
    const std::string name = retired_name(retired_.front());
    // The oldest packs whose ops fit in the budget, and at least one, so every sweep moves on.
    sqlite3_stmt* s = nullptr;
    const std::string oldest = "SELECT seq, n FROM " + name + " ORDER BY seq";
    if (sqlite3_prepare_v2(db_, oldest.c_str(), -1, &s, nullptr) != SQLITE_OK)
      return failure("prepare " + oldest);
    std::uint64_t ops = 0;
    sqlite3_int64 last = 0;
    bool taken = false, more = false;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const auto n =
          static_cast<std::uint64_t>(std::max<sqlite3_int64>(0, sqlite3_column_int64(s, 1)));
      if (taken && ops + n > budget) {
        more = true;
        break;
      }
      ops += n;
      last = sqlite3_column_int64(s, 0);
      taken = true;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return failure(oldest);
    if (taken) TALLY_TRY(exec("DELETE FROM " + name + " WHERE seq <= " + std::to_string(last)));
    if (more) return ok_status();
    TALLY_TRY(exec("DROP TABLE " + name));  // empty: one page to free
    retired_.pop_front();
    budget -= std::min<std::uint64_t>(ops, budget);
  }
  return ok_status();
}

Status SqliteStore::write(const store::Batch& batch) {
  TALLY_INVARIANT(!scanning_, "write during a scan");
  TALLY_TRY(run(transaction_statements_[kBegin]));
  Status applied = ok_status();
  for (const store::BatchOp& op : batch.ops()) {
    applied = apply_op(op);
    if (!applied.ok()) break;
  }
  if (applied.ok()) applied = append_packs();
  if (applied.ok()) applied = sweep_retired(kSweepOpsMin + 2 * batch.size());
  if (applied.ok()) applied = run(transaction_statements_[kCommit]);
  if (!applied.ok()) {
    pending_[0] = PendingPack{};
    pending_[1] = PendingPack{};
    (void)run(transaction_statements_[kRollback]);
    // The rollback undid any retirement, truncation and sweep of this batch: read back what
    // is left.
    Status reloaded = load_retired();
    if (reloaded.ok()) reloaded = count_generation_rows();
    if (!reloaded.ok()) {
      return make_error(applied.error().code,
                        applied.error().message +
                            "; then reading the retired tables back: " + reloaded.error().message);
    }
  }
  return applied;
}

}  // namespace tally::sqlite
