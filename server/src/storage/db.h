// The storage interface: one small Db abstraction with SQLite and PostgreSQL engines behind it.
//
// SQL is written once with `?` placeholders; the PostgreSQL engine rewrites them to $n. Dialect
// differences that cannot be hidden (DDL types, full-text indexes) are asked through dialect().
// A PostgreSQL Db is used from one thread at a time. A SQLite Db may be shared by threads: reads
// outside the calling thread's transaction run concurrently on read-only connections; writes and
// transactions take the one writer connection in turn (a transaction holds it from Begin() to
// Commit()/Rollback() on the thread that began it; InTransaction() answers for the calling thread).
// REQUIRES: writes happen inside Begin()/Commit() or as single auto-committed statements.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace linli::crypto {
class FieldCipher;
}

namespace linli::storage {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter or a result cell. Text is UTF-8.
using Value = std::variant<std::monostate, int64_t, double, std::string>;
inline Value Null() { return std::monostate{}; }
// Text or NULL when empty: most optional registry fields store NULL for "not given".
inline Value TextOrNull(const std::string& s) { return s.empty() ? Value{} : Value{s}; }

class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}
  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(cells_[i]); }
  int64_t Int(size_t i) const;       // NULL -> 0; text parsed
  double Double(size_t i) const;     // NULL -> 0
  std::string Text(size_t i) const;  // NULL -> ""; numbers formatted
  const Value& at(size_t i) const { return cells_[i]; }

 private:
  std::vector<Value> cells_;
};

using Params = std::vector<Value>;

// A prepared statement, valid until its Db is closed. Reused for bulk work.
class Statement {
 public:
  virtual ~Statement() = default;
  // Runs the statement; returns rows (for RETURNING or SELECT).
  virtual Result<std::vector<Row>> Query(const Params& params) = 0;
  virtual Status Exec(const Params& params) = 0;
  // For an INSERT of one row prepared with a trailing `RETURNING id`: runs it and returns the new
  // row's id (an error when it wrote no row).
  // SQLite runs it without the RETURNING clause (which materialises each row in a temporary
  // b-tree) and answers the connection's last insert rowid.
  virtual Result<int64_t> InsertId(const Params& params);
};

struct OpenOptions {
  bool create = true;      // create the SQLite file / run migrations when missing
  bool read_only = false;  // no writer connection, no lock, no migrations
  // The field-encryption key file (crypto/field_cipher.h); "" = crypto::DefaultFieldKeyPath().
  std::string field_key_path;
};

class Db {
 public:
  virtual ~Db() = default;

  // Opens a store by URL: "sqlite:PATH", a bare path, or "postgresql://…"/"postgres://…".
  // Runs pending migrations unless read_only.
  static Result<std::unique_ptr<Db>> Open(const std::string& url, const OpenOptions& options = {});

  virtual Dialect dialect() const = 0;
  virtual std::string url() const = 0;

  virtual Status Exec(std::string_view sql, const Params& params = {}) = 0;
  // Several statements separated by ';', no parameters (DDL, migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
  virtual Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {}) = 0;
  // Streams rows to `fn`; stops early when fn returns false.
  virtual Status QueryEach(std::string_view sql, const Params& params,
                           const std::function<bool(const Row&)>& fn) = 0;
  virtual Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) = 0;
  // Statement::InsertId() for a statement run once: `sql` is an INSERT ending in `RETURNING id`.
  virtual Result<int64_t> InsertId(std::string_view sql, const Params& params = {});

  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual bool InTransaction() const = 0;

  // Engine health check: SQLite PRAGMA integrity_check / PostgreSQL a trivial query. "ok" on success.
  virtual Result<std::string> IntegrityCheck() = 0;

  // First row's first column as integer, or `fallback` when there is no row.
  Result<int64_t> QueryInt(std::string_view sql, const Params& params = {}, int64_t fallback = 0);

  // The cipher of the store's sensitive fields, attached by Open(): a read-write Open() fails when
  // the key file is missing (for a store that already has a key) or is not this store's key; a
  // read-only Open() succeeds and the error comes back from here. Errors: kFieldKey,
  // kFieldKeyMismatch.
  Result<const crypto::FieldCipher*> Cipher() const;
  // Attaches a cipher, or the error Cipher() reports (tests and Open()).
  void AttachCipher(std::shared_ptr<const crypto::FieldCipher> cipher, Status error = Status::Ok());

 private:
  std::shared_ptr<const crypto::FieldCipher> cipher_;
  Status cipher_error_;
};

// Runs fn inside a transaction; commits on OK, rolls back otherwise.
Status InTransaction(Db& db, const std::function<Status()>& fn);

// Inserts `count` rows in multi-row INSERTs of up to `rows_per_statement` rows each (one prepared
// statement for the full ones): `head` is "INSERT INTO t (a, b, c)", `width` its number of
// columns, and bind(i, params) appends row i's `width` values.
Status InsertRows(Db& db, std::string_view head, size_t width, size_t count,
                  size_t rows_per_statement, const std::function<void(size_t, Params&)>& bind);

// "?, ?, ?" for an IN list, appending the ids to `params`; "NULL" for an empty list (matches nothing).
std::string InList(const std::vector<int64_t>& ids, Params& params);

// Replaces `?` placeholders (outside quotes) by $1, $2, … for PostgreSQL.
std::string NumberPlaceholders(std::string_view sql);

}  // namespace linli::storage
