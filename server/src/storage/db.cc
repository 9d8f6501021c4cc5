// Db helpers shared by both engines, URL dispatch and the migration hook.
#include "storage/db.h"

#include <charconv>
#include <cstdio>

#include "common/time_util.h"
#include "crypto/field_cipher.h"
#include "storage/migrations.h"
#include "storage/postgres_db.h"
#include "storage/sqlite_db.h"

namespace linli::storage {

int64_t Row::Int(size_t i) const {
  const Value& v = cells_[i];
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    std::from_chars(p->data(), p->data() + p->size(), out);
    return out;
  }
  return 0;
}

double Row::Double(size_t i) const {
  const Value& v = cells_[i];
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::strtod(p->c_str(), nullptr);
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = cells_[i];
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", *p);
    return buf;
  }
  return {};
}

namespace {

// The key check stored in field_key, or "" when the store has none yet. A migrated store without
// the table predates field encryption (kStoragePreEncryption).
Result<std::string> StoredKeyCheck(Db& db) {
  std::string table_sql = db.dialect() == Dialect::kSqlite
                              ? "SELECT count(*) FROM sqlite_master WHERE name = 'field_key'"
                              : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                                "AND table_name = 'field_key'";
  ASSIGN_OR_RETURN(int64_t has_table, db.QueryInt(table_sql));
  if (!has_table) {
    ASSIGN_OR_RETURN(int version, SchemaVersion(db));
    if (version > 0) return Error(ErrorCode::kStoragePreEncryption, {{"url", db.url()}});
    return std::string();
  }
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT key_check FROM field_key WHERE id = 1"));
  return rows.empty() ? std::string() : rows[0].Text(0);
}

// Loads the field key and checks it against the store (see Db::Cipher()). A store without a key
// check takes the key file's (created when missing) and records its check value.
Status AttachFieldKey(Db& db, const OpenOptions& options) {
  std::string path = options.field_key_path.empty() ? crypto::DefaultFieldKeyPath() : options.field_key_path;
  auto stored = StoredKeyCheck(db);
  if (options.read_only) {
    auto cipher = crypto::FieldCipher::Load(path, /*create=*/false);
    if (!stored.ok()) {
      db.AttachCipher(nullptr, stored.status());
    } else if (!cipher.ok()) {
      db.AttachCipher(nullptr, cipher.status());
    } else if (!stored->empty() && *stored != (*cipher)->KeyCheck()) {
      db.AttachCipher(nullptr, Error(ErrorCode::kFieldKeyMismatch, {{"path", path}}));
    } else {
      db.AttachCipher(*cipher);
    }
    return Status::Ok();
  }
  if (!stored.ok()) return stored.status();
  ASSIGN_OR_RETURN(auto cipher, crypto::FieldCipher::Load(path, /*create=*/stored->empty()));
  std::string check = cipher->KeyCheck();
  if (stored->empty()) {
    // Several processes may open a new store together: the first check recorded wins.
    RETURN_IF_ERROR(db.Exec("INSERT INTO field_key (id, key_check, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
                            {check, NowIso()}));
    ASSIGN_OR_RETURN(*stored, StoredKeyCheck(db));
  }
  if (*stored != check) return Error(ErrorCode::kFieldKeyMismatch, {{"path", path}});
  db.AttachCipher(std::move(cipher));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Db>> Db::Open(const std::string& url, const OpenOptions& options) {
  std::unique_ptr<Db> db;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    ASSIGN_OR_RETURN(db, OpenPostgres(url, options));
  } else {
    std::string path = url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url;
    if (path.empty() || path.find("://") != std::string::npos)
      return Error(ErrorCode::kStorageUrl, {{"url", url}});
    ASSIGN_OR_RETURN(db, OpenSqlite(path, options));
  }
  if (!options.read_only) RETURN_IF_ERROR(Migrate(*db));
  RETURN_IF_ERROR(AttachFieldKey(*db, options));
  return db;
}

Result<const crypto::FieldCipher*> Db::Cipher() const {
  if (!cipher_error_.ok()) return cipher_error_;
  if (!cipher_) return Error(ErrorCode::kFieldKey, {{"path", crypto::DefaultFieldKeyPath()}, {"detail", "未加载"}});
  return cipher_.get();
}

void Db::AttachCipher(std::shared_ptr<const crypto::FieldCipher> cipher, Status error) {
  cipher_ = std::move(cipher);
  cipher_error_ = std::move(error);
}

namespace {
// The id an INSERT … RETURNING id answered.
Result<int64_t> ReturnedId(Result<std::vector<Row>> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return StorageError("INSERT … RETURNING id returned no row");
  return (*rows)[0].Int(0);
}
}  // namespace

Result<int64_t> Statement::InsertId(const Params& params) { return ReturnedId(Query(params)); }

Result<int64_t> Db::InsertId(std::string_view sql, const Params& params) {
  return ReturnedId(Query(sql, params));
}

Status InsertRows(Db& db, std::string_view head, size_t width, size_t count,
                  size_t rows_per_statement, const std::function<void(size_t, Params&)>& bind) {
  std::string one = "(?";
  for (size_t k = 1; k < width; ++k) one += ", ?";
  one += ")";
  std::unique_ptr<Statement> full;
  for (size_t start = 0; start < count; start += rows_per_statement) {
    size_t n = std::min(rows_per_statement, count - start);
    std::string sql(head);
    for (size_t r = 0; r < n; ++r) sql += (r ? ", " : " VALUES ") + one;
    Params params;
    params.reserve(n * width);
    for (size_t r = 0; r < n; ++r) bind(start + r, params);
    if (n < rows_per_statement) {
      RETURN_IF_ERROR(db.Exec(sql, params));
      continue;
    }
    if (!full) {
      ASSIGN_OR_RETURN(full, db.Prepare(sql));
    }
    RETURN_IF_ERROR(full->Exec(params));
  }
  return Status::Ok();
}

Result<int64_t> Db::QueryInt(std::string_view sql, const Params& params, int64_t fallback) {
  int64_t out = fallback;
  RETURN_IF_ERROR(QueryEach(sql, params, [&](const Row& r) {
    out = r.IsNull(0) ? fallback : r.Int(0);
    return false;
  }));
  return out;
}

Status InTransaction(Db& db, const std::function<Status()>& fn) {
  // Inside the caller's transaction: join it; the caller commits or rolls back the whole.
  if (db.InTransaction()) return fn();
  RETURN_IF_ERROR(db.Begin());
  Status st = fn();
  if (!st.ok()) {
    (void)db.Rollback();
    return st;
  }
  st = db.Commit();
  if (!st.ok()) (void)db.Rollback();
  return st;
}

std::string InList(const std::vector<int64_t>& ids, Params& params) {
  if (ids.empty()) return "NULL";
  std::string out;
  for (int64_t id : ids) {
    out += out.empty() ? "?" : ", ?";
    params.push_back(id);
  }
  return out;
}

std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace linli::storage
