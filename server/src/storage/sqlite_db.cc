// SQLite implementation of the Db interface.
//
// Pragmas (documented in docs/ARCHITECTURE.md):
//   journal_mode=WAL          readers never block the writer, crash-safe commits
//   synchronous=FULL          an acknowledged commit survives power loss
//   foreign_keys=ON           references are enforced
//   secure_delete=ON          deleted content is overwritten (residual information, G17)
//   busy_timeout=5000         readers wait out a checkpoint instead of failing
//   mmap_size=0               large mmap on a live WAL database collapsed reads (PERFORMANCE.md)
//   wal_autocheckpoint=1000   checkpoints run on the writer connection only
#include "storage/sqlite_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace linli::storage {
namespace {

Status SqliteError(sqlite3* db, std::string_view what) {
  return StorageError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// Text is bound without a copy (SQLITE_STATIC): every caller keeps `params` alive until the
// statement has been stepped and reset.
Status Bind(sqlite3* db, sqlite3_stmt* stmt, const Params& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i) + 1;
    int rc = std::visit(
        [&](const auto& v) -> int {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) return sqlite3_bind_null(stmt, idx);
          if constexpr (std::is_same_v<T, int64_t>) return sqlite3_bind_int64(stmt, idx, v);
          if constexpr (std::is_same_v<T, double>) return sqlite3_bind_double(stmt, idx, v);
          if constexpr (std::is_same_v<T, std::string>)
            return sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()),
                                     SQLITE_STATIC);
        },
        params[i]);
    if (rc != SQLITE_OK) return SqliteError(db, "bind");
  }
  return Status::Ok();
}

Row ReadRow(sqlite3_stmt* stmt) {
  int n = sqlite3_column_count(stmt);
  std::vector<Value> cells;
  cells.reserve(n);
  for (int i = 0; i < n; ++i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_NULL: cells.emplace_back(std::monostate{}); break;
      case SQLITE_INTEGER: cells.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i))); break;
      case SQLITE_FLOAT: cells.emplace_back(sqlite3_column_double(stmt, i)); break;
      default: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt, i));
        int len = sqlite3_column_bytes(stmt, i);
        cells.emplace_back(std::string(p ? p : "", len));
      }
    }
  }
  return Row(std::move(cells));
}

// Steps a bound statement to completion, feeding rows to fn (which may stop early) or, given
// `out`, collecting them there.
Status Run(sqlite3* db, sqlite3_stmt* stmt, const std::function<bool(const Row&)>& fn,
           std::vector<Row>* out = nullptr) {
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return SqliteError(db, "step");
    if (out)
      out->push_back(ReadRow(stmt));
    else if (fn && !fn(ReadRow(stmt)))
      return Status::Ok();
  }
}

// The statement without a trailing " RETURNING id" (Statement::InsertId), or "" when it has none.
std::string_view WithoutReturningId(std::string_view sql) {
  constexpr std::string_view kSuffix = " RETURNING id";
  if (sql.size() <= kSuffix.size() || sql.substr(sql.size() - kSuffix.size()) != kSuffix) return {};
  return sql.substr(0, sql.size() - kSuffix.size());
}

// The rowid of the one row the INSERT just run on `db` wrote. An INSERT that wrote no row (OR
// IGNORE, ON CONFLICT DO NOTHING) is an error rather than the id of an earlier row.
Result<int64_t> InsertedId(sqlite3* db) {
  if (sqlite3_changes(db) != 1) return StorageError("InsertId: the INSERT wrote no row");
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db));
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

Result<StmtPtr> PrepareOn(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    return SqliteError(db, "prepare " + std::string(sql.substr(0, 80)));
  return StmtPtr(stmt);
}

class SqliteStatement : public Statement {
 public:
  // `insert` is the statement without its trailing RETURNING id, when it has one.
  SqliteStatement(sqlite3* db, StmtPtr stmt, StmtPtr insert)
      : db_(db), stmt_(std::move(stmt)), insert_(std::move(insert)) {}
  Result<std::vector<Row>> Query(const Params& params) override {
    std::vector<Row> rows;
    RETURN_IF_ERROR(Do(stmt_.get(), params, &rows));
    return rows;
  }
  Status Exec(const Params& params) override { return Do(stmt_.get(), params, nullptr); }
  Result<int64_t> InsertId(const Params& params) override {
    if (!insert_) return Statement::InsertId(params);
    RETURN_IF_ERROR(Do(insert_.get(), params, nullptr));
    return InsertedId(db_);
  }

 private:
  Status Do(sqlite3_stmt* stmt, const Params& params, std::vector<Row>* out) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    RETURN_IF_ERROR(Bind(db_, stmt, params));
    Status st = Run(db_, stmt, nullptr, out);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);  // no pointer into `params` outlives this call
    return st;
  }
  sqlite3* db_;
  StmtPtr stmt_, insert_;
};

class SqliteDb : public Db {
 public:
  SqliteDb(std::string path, bool read_only) : path_(std::move(path)), read_only_(read_only) {}
  ~SqliteDb() override {
    for (sqlite3* r : readers_) sqlite3_close_v2(r);
    stmt_cache_.clear();
    if (writer_) {
      sqlite3_exec(writer_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
      sqlite3_close_v2(writer_);
    }
    if (lock_fd_ >= 0) close(lock_fd_);
  }

  Status Open(bool create) {
    if (!read_only_) {
      std::filesystem::path p(path_);
      if (p.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(p.parent_path(), ec);
      }
      // One writer process per file: an exclusive flock on PATH.lock, held for our lifetime.
      std::string lock_path = path_ + ".lock";
      lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (lock_fd_ < 0) return Error(ErrorCode::kIo, {{"path", lock_path}, {"detail", strerror(errno)}});
      if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) return Error(ErrorCode::kStorageLocked, {{"path", path_}});
      int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
      if (sqlite3_open_v2(path_.c_str(), &writer_, flags, nullptr) != SQLITE_OK) {
        Status st = SqliteError(writer_, "open " + path_);
        sqlite3_close_v2(writer_);
        writer_ = nullptr;
        return st;
      }
      RETURN_IF_ERROR(ExecOn(writer_,
                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                             "PRAGMA secure_delete=ON; PRAGMA busy_timeout=5000; PRAGMA mmap_size=0;"
                             "PRAGMA wal_autocheckpoint=1000; PRAGMA cache_size=-65536;"
                             "PRAGMA temp_store=MEMORY;"));
      // Refuse unsafe settings that another tool may have left (G18).
      ASSIGN_OR_RETURN(auto mode, QueryOn(writer_, "PRAGMA journal_mode", {}));
      if (mode.empty() || mode[0].Text(0) != "wal")
        return Error(ErrorCode::kStorageUnsafe, {{"detail", "SQLite 无法切换到 WAL 日志模式（可能位于网络文件系统上）"}});
    } else if (!std::filesystem::exists(path_)) {
      return Error(ErrorCode::kStorageNotInitialized);
    }
    return Status::Ok();
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string url() const override { return "sqlite:" + path_; }

  Status Exec(std::string_view sql, const Params& params) override {
    std::lock_guard<std::recursive_mutex> lock(writer_mu_);
    return RunOnWriter(sql, params, nullptr);
  }

  Status ExecScript(std::string_view sql) override {
    std::lock_guard<std::recursive_mutex> lock(writer_mu_);
    return ExecOn(Writer(), std::string(sql));
  }

  Result<std::vector<Row>> Query(std::string_view sql, const Params& params) override {
    std::vector<Row> rows;
    RETURN_IF_ERROR(Read(sql, params, nullptr, &rows));
    return rows;
  }

  Status QueryEach(std::string_view sql, const Params& params,
                   const std::function<bool(const Row&)>& fn) override {
    return Read(sql, params, fn, nullptr);
  }

  Result<int64_t> InsertId(std::string_view sql, const Params& params) override {
    std::string_view insert = WithoutReturningId(sql);
    if (insert.empty()) return Db::InsertId(sql, params);
    std::lock_guard<std::recursive_mutex> lock(writer_mu_);
    RETURN_IF_ERROR(RunOnWriter(insert, params, nullptr));
    return InsertedId(writer_);
  }

  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) override {
    if (!writer_) return StorageError("数据库以只读方式打开，不能写入");
    std::lock_guard<std::recursive_mutex> lock(writer_mu_);
    ASSIGN_OR_RETURN(StmtPtr stmt, PrepareOn(Writer(), sql));
    StmtPtr insert;
    if (std::string_view plain = WithoutReturningId(sql); !plain.empty()) {
      ASSIGN_OR_RETURN(insert, PrepareOn(Writer(), plain));
    }
    return std::unique_ptr<Statement>(
        new SqliteStatement(writer_, std::move(stmt), std::move(insert)));
  }

  // A transaction holds the writer (and its mutex) from Begin() to Commit() or Rollback() on the
  // thread that began it; other threads' writes wait, their reads go on on reader connections.
  Status Begin() override {
    writer_mu_.lock();
    Status st = ExecOn(Writer(), "BEGIN IMMEDIATE");
    if (!st.ok()) {
      writer_mu_.unlock();
      return st;
    }
    tx_owner_.store(std::this_thread::get_id());
    return Status::Ok();
  }
  Status Commit() override { return End("COMMIT"); }
  Status Rollback() override { return End("ROLLBACK"); }
  bool InTransaction() const override { return tx_owner_.load() == std::this_thread::get_id(); }

  Result<std::string> IntegrityCheck() override {
    ASSIGN_OR_RETURN(auto rows, Query("PRAGMA integrity_check", {}));
    std::string out;
    for (const auto& r : rows) out += (out.empty() ? "" : "\n") + r.Text(0);
    return out;
  }

 private:
  sqlite3* Writer() { return writer_; }

  // QueryEach (fn) and Query (out).
  Status Read(std::string_view sql, const Params& params, const std::function<bool(const Row&)>& fn,
              std::vector<Row>* out) {
    // Inside this thread's transaction reads must see its own writes: use the writer.
    if (InTransaction()) {
      std::lock_guard<std::recursive_mutex> lock(writer_mu_);
      return RunOnWriter(sql, params, fn, out);
    }
    ASSIGN_OR_RETURN(sqlite3 * reader, AcquireReader());
    bool writes = false;
    Status st = [&]() -> Status {
      ASSIGN_OR_RETURN(StmtPtr stmt, PrepareOn(reader, sql));
      // A statement that writes (INSERT … RETURNING) belongs to the writer connection.
      if (!sqlite3_stmt_readonly(stmt.get()) && writer_) {
        writes = true;
        return Status::Ok();
      }
      RETURN_IF_ERROR(Bind(reader, stmt.get(), params));
      return Run(reader, stmt.get(), fn, out);
    }();
    ReleaseReader(reader);
    if (writes) {
      std::lock_guard<std::recursive_mutex> lock(writer_mu_);
      return RunOnWriter(sql, params, fn, out);
    }
    return st;
  }

  Status End(const char* sql) {
    if (!InTransaction())
      return ExecOn(Writer(), sql);  // reports SQLite's "no transaction is active"
    Status st = ExecOn(Writer(), sql);
    // A failed COMMIT (SQLITE_BUSY, I/O) leaves the transaction open: the caller rolls back.
    if (!st.ok() && !sqlite3_get_autocommit(writer_)) return st;
    tx_owner_.store(std::thread::id());
    writer_mu_.unlock();
    return st;
  }

  // Runs `sql` on the writer through a cache of prepared statements keyed by the SQL text, so
  // that statements repeated per row of a bulk operation are compiled once.
  Status RunOnWriter(std::string_view sql, const Params& params,
                     const std::function<bool(const Row&)>& fn, std::vector<Row>* out = nullptr) {
    if (!writer_) return StorageError("数据库以只读方式打开，不能写入");
    auto it = stmt_cache_.find(sql);
    if (it == stmt_cache_.end()) {
      if (stmt_cache_.size() >= kStmtCacheSize) stmt_cache_.clear();
      ASSIGN_OR_RETURN(StmtPtr stmt, PrepareOn(writer_, sql));
      it = stmt_cache_.emplace(std::string(sql), std::move(stmt)).first;
    }
    sqlite3_stmt* stmt = it->second.get();
    if (sqlite3_stmt_busy(stmt)) {  // re-entered from a row callback of the same statement
      ASSIGN_OR_RETURN(StmtPtr fresh, PrepareOn(writer_, sql));
      RETURN_IF_ERROR(Bind(writer_, fresh.get(), params));
      return Run(writer_, fresh.get(), fn, out);
    }
    RETURN_IF_ERROR(Bind(writer_, stmt, params));
    Status st = Run(writer_, stmt, fn, out);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return st;
  }

  static Status ExecOn(sqlite3* db, const std::string& sql) {
    if (!db) return StorageError("数据库以只读方式打开，不能写入");
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      return StorageError(msg + " [" + sql.substr(0, 80) + "]");
    }
    return Status::Ok();
  }

  static Result<std::vector<Row>> QueryOn(sqlite3* db, std::string_view sql, const Params& params) {
    ASSIGN_OR_RETURN(StmtPtr stmt, PrepareOn(db, sql));
    RETURN_IF_ERROR(Bind(db, stmt.get(), params));
    std::vector<Row> rows;
    RETURN_IF_ERROR(Run(db, stmt.get(), nullptr, &rows));
    return rows;
  }

  Result<sqlite3*> AcquireReader() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!readers_.empty()) {
        sqlite3* r = readers_.back();
        readers_.pop_back();
        return r;
      }
    }
    sqlite3* r = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &r, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      Status st = SqliteError(r, "open reader " + path_);
      sqlite3_close_v2(r);
      return st;
    }
    RETURN_IF_ERROR(ExecOn(r, "PRAGMA busy_timeout=5000; PRAGMA mmap_size=0; PRAGMA cache_size=-65536;"));
    return r;
  }
  void ReleaseReader(sqlite3* r) {
    std::lock_guard<std::mutex> lock(mu_);
    readers_.push_back(r);
  }

  std::string path_;
  bool read_only_;
  // The writer connection, its statement cache and the open transaction belong to one thread at a
  // time: single statements take writer_mu_ for their duration, a transaction from Begin() to its
  // end (recursive: statements inside it take it again on the same thread).
  std::recursive_mutex writer_mu_;
  std::atomic<std::thread::id> tx_owner_{};
  int lock_fd_ = -1;
  sqlite3* writer_ = nullptr;
  std::mutex mu_;
  std::vector<sqlite3*> readers_;
  static constexpr size_t kStmtCacheSize = 256;
  std::map<std::string, StmtPtr, std::less<>> stmt_cache_;  // writer statements by SQL text
};

}  // namespace

Result<std::unique_ptr<Db>> OpenSqlite(const std::string& path, const OpenOptions& options) {
  // No memory statistics: they take a global mutex on every allocation (a bulk import makes
  // millions). Only possible before SQLite initialises; later calls fail harmlessly.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  auto db = std::make_unique<SqliteDb>(path, options.read_only);
  RETURN_IF_ERROR(db->Open(options.create));
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace linli::storage
