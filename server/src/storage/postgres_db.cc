// PostgreSQL implementation of the Db interface (libpq, synchronous, one connection).
#include "storage/postgres_db.h"

#include <libpq-fe.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace linli::storage {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// Text-format parameters: libpq wants parallel arrays of C strings.
struct PgParams {
  explicit PgParams(const Params& params) {
    storage.reserve(params.size());
    for (const auto& v : params) {
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              storage.emplace_back();
              is_null.push_back(true);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              storage.push_back(std::to_string(x));
              is_null.push_back(false);
            } else if constexpr (std::is_same_v<T, double>) {
              char buf[64];
              std::snprintf(buf, sizeof buf, "%.17g", x);
              storage.emplace_back(buf);
              is_null.push_back(false);
            } else {
              storage.push_back(x);
              is_null.push_back(false);
            }
          },
          v);
    }
    for (size_t i = 0; i < storage.size(); ++i) values.push_back(is_null[i] ? nullptr : storage[i].c_str());
  }
  std::vector<std::string> storage;
  std::vector<bool> is_null;
  std::vector<const char*> values;
};

// Converts one result row to Values, using the column type OIDs for numbers.
Row ReadRow(PGresult* res, int row) {
  int n = PQnfields(res);
  std::vector<Value> cells;
  cells.reserve(n);
  for (int c = 0; c < n; ++c) {
    if (PQgetisnull(res, row, c)) {
      cells.emplace_back(std::monostate{});
      continue;
    }
    const char* s = PQgetvalue(res, row, c);
    int len = PQgetlength(res, row, c);
    switch (PQftype(res, c)) {
      case 20: case 21: case 23: {  // int8, int2, int4
        int64_t v = 0;
        std::from_chars(s, s + len, v);
        cells.emplace_back(v);
        break;
      }
      case 16:  // bool
        cells.emplace_back(static_cast<int64_t>(s[0] == 't'));
        break;
      case 700: case 701: case 1700:  // float4, float8, numeric
        cells.emplace_back(std::strtod(s, nullptr));
        break;
      default:
        cells.emplace_back(std::string(s, len));
    }
  }
  return Row(std::move(cells));
}

Status CheckResult(PGconn* conn, PGresult* res, std::string_view sql) {
  auto st = PQresultStatus(res);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
  std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return StorageError(msg + " [" + std::string(sql.substr(0, 80)) + "]");
}

class PgDb;

class PgStatement : public Statement {
 public:
  PgStatement(PGconn* conn, std::string name, std::string sql)
      : conn_(conn), name_(std::move(name)), sql_(std::move(sql)) {}
  Result<std::vector<Row>> Query(const Params& params) override {
    PgParams p(params);
    PgResultPtr res(PQexecPrepared(conn_, name_.c_str(), static_cast<int>(p.values.size()), p.values.data(),
                                   nullptr, nullptr, 0));
    RETURN_IF_ERROR(CheckResult(conn_, res.get(), sql_));
    std::vector<Row> rows;
    for (int r = 0; r < PQntuples(res.get()); ++r) rows.push_back(ReadRow(res.get(), r));
    return rows;
  }
  Status Exec(const Params& params) override { return Query(params).status(); }

 private:
  PGconn* conn_;
  std::string name_;
  std::string sql_;
};

class PgDb : public Db {
 public:
  explicit PgDb(std::string url) : url_(std::move(url)) {}
  ~PgDb() override {
    if (conn_) PQfinish(conn_);
  }

  Status Open() {
    conn_ = PQconnectdb(url_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(conn_);
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      return StorageError("无法连接 PostgreSQL：" + msg);
    }
    PQsetClientEncoding(conn_, "UTF8");
    RETURN_IF_ERROR(ExecScript("SET client_min_messages = warning"));
    // Refuse a server that does not make commits durable (G18).
    ASSIGN_OR_RETURN(auto rows, Query("SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
                                      "current_setting('full_page_writes')", {}));
    if (!rows.empty() && std::getenv("LINLI_ALLOW_UNSAFE_POSTGRES") == nullptr) {
      for (size_t i = 0; i < 3; ++i) {
        if (rows[0].Text(i) == "off") {
          static const char* kNames[] = {"fsync", "synchronous_commit", "full_page_writes"};
          return Error(ErrorCode::kStorageUnsafe,
                       {{"detail", std::string("PostgreSQL 的 ") + kNames[i] + " 为 off，已提交的数据可能在断电后丢失"}});
        }
      }
    }
    return Status::Ok();
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string url() const override { return url_; }

  Status Exec(std::string_view sql, const Params& params) override {
    return QueryEach(sql, params, nullptr);
  }

  Status ExecScript(std::string_view sql) override {
    PgResultPtr res(PQexec(conn_, std::string(sql).c_str()));
    return CheckResult(conn_, res.get(), sql);
  }

  Result<std::vector<Row>> Query(std::string_view sql, const Params& params) override {
    std::vector<Row> rows;
    RETURN_IF_ERROR(QueryEach(sql, params, [&](const Row& r) { rows.push_back(r); return true; }));
    return rows;
  }

  Status QueryEach(std::string_view sql, const Params& params,
                   const std::function<bool(const Row&)>& fn) override {
    std::string pg_sql = NumberPlaceholders(sql);
    PgParams p(params);
    PgResultPtr res(PQexecParams(conn_, pg_sql.c_str(), static_cast<int>(p.values.size()), nullptr,
                                 p.values.data(), nullptr, nullptr, 0));
    RETURN_IF_ERROR(CheckResult(conn_, res.get(), sql));
    if (fn) {
      for (int r = 0; r < PQntuples(res.get()); ++r)
        if (!fn(ReadRow(res.get(), r))) break;
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) override {
    std::string name = "s" + std::to_string(++stmt_counter_);
    std::string pg_sql = NumberPlaceholders(sql);
    PgResultPtr res(PQprepare(conn_, name.c_str(), pg_sql.c_str(), 0, nullptr));
    RETURN_IF_ERROR(CheckResult(conn_, res.get(), sql));
    return std::unique_ptr<Statement>(new PgStatement(conn_, name, std::string(sql)));
  }

  Status Begin() override {
    RETURN_IF_ERROR(ExecScript("BEGIN"));
    in_tx_ = true;
    return Status::Ok();
  }
  Status Commit() override {
    in_tx_ = false;
    // After a failed statement PostgreSQL answers COMMIT with the tag ROLLBACK, not an error.
    PgResultPtr res(PQexec(conn_, "COMMIT"));
    RETURN_IF_ERROR(CheckResult(conn_, res.get(), "COMMIT"));
    if (std::string_view(PQcmdStatus(res.get())) != "COMMIT")
      return StorageError("事务因先前的错误已回滚，未提交 [COMMIT]");
    return Status::Ok();
  }
  Status Rollback() override {
    in_tx_ = false;
    return ExecScript("ROLLBACK");
  }
  bool InTransaction() const override { return in_tx_; }

  Result<std::string> IntegrityCheck() override {
    ASSIGN_OR_RETURN(auto rows, Query("SELECT 'ok'", {}));
    return rows.empty() ? std::string("no answer") : rows[0].Text(0);
  }

 private:
  std::string url_;
  PGconn* conn_ = nullptr;
  bool in_tx_ = false;
  int stmt_counter_ = 0;
};

}  // namespace

Result<std::unique_ptr<Db>> OpenPostgres(const std::string& url, const OpenOptions& options) {
  auto db = std::make_unique<PgDb>(url);
  RETURN_IF_ERROR(db->Open());
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace linli::storage
