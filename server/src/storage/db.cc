// Db helpers shared by both engines, URL dispatch and the migration hook.
#include "storage/db.h"

#include <charconv>
#include <cstdio>

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
  return db;
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
