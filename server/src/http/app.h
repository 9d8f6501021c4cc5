// The linli application behind the HTTP server: a pool of store connections (each with its audit
// log and accounts), the guard — the one enforcement point every request passes — and the routes.
//
// The guard, in order: find the route's permission in data/policy/routes.csv (a route without a
// row is refused at start-up); lease a store connection; for non-public routes read the session
// cookie and validate the session (401), check the CSRF header on state-changing methods (403),
// allow only the password change while one is required (403), check the role against
// permissions.csv (403, audited as a denial) and compute the user's org scope. Handlers then
// check records against the scope (out of scope answers 404 exactly like a missing record, and
// is audited as a denial), mask sensitive fields on the server (fields.csv) and append the audit
// record of every sensitive read before returning the response; when the record cannot be
// written the request fails (fail closed) and the data is not sent.
//
// Concurrency: a request holds one pooled store from guard to response; there are `pool_size` of
// them. On PostgreSQL each is its own connection (several linli processes may share one
// database). On SQLite they share one storage::Db: reads run concurrently on read-only
// connections, and writes — changes, session touches, audit records — take its one writer
// connection in turn. Audit records of reads are appended by group commit (App::AppendAudit):
// requests that arrive while a commit is under way are written together in the next one, one
// transaction and one anchor advance for all, and each request returns only once its own record
// is durable (fail closed: when the batch fails, each record is retried alone and only the
// requests whose record could not be written fail).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "access/policy.h"
#include "access/scope.h"
#include "audit/audit_log.h"
#include "auth/accounts.h"
#include "http/router.h"
#include "ledger/declaration.h"
#include "storage/db.h"

namespace linli::http {

struct AppOptions {
  std::string db_url;
  audit::AuditOptions audit;  // key_path required
  auth::AuthPolicy auth;
  const auth::Clock* clock = nullptr;  // default: the system clock
  int pool_size = 4;                   // stores (PostgreSQL connections; SQLite: sharing one Db)
  bool secure_cookies = false;         // behind TLS: cookies get Secure
  std::string export_dir;              // private folder for export files until sent; "" = temp
  size_t max_upload_bytes = 20 << 20;
  // Ledger declaration folders added to the built-in ones (colon-separated; "" = $LINLI_LEDGERS).
  std::string ledger_dirs;
};

// One pooled connection with the objects that work on it.
struct Store {
  std::shared_ptr<storage::Db> db;  // SQLite: the one Db every store shares
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<auth::Accounts> accounts;
};

class App;

// What the guard learned about a request, for its handler.
struct RequestState {
  App& app;
  Store* store = nullptr;  // leased for the whole request
  std::string token;       // session token from the cookie ("" for public routes)
  std::optional<auth::Session> session;
  std::optional<access::Scope> scope;
  std::vector<std::pair<std::string, std::string>> response_headers;  // e.g. Set-Cookie

  RequestState(App& a, Store* s) : app(a), store(s) {}
  ~RequestState();
  RequestState(const RequestState&) = delete;
  RequestState& operator=(const RequestState&) = delete;

  storage::Db& db() { return *store->db; }
  const auth::User& user() const { return session->user; }
  const std::string& role() const { return session->user.role; }
  // An audit event with the actor, role and client address of this request filled in.
  audit::AuditEvent Event(audit::AuditAction action, std::string target_type = "",
                          std::string target_id = "", int64_t org_id = 0) const;
  // Appends `event` (its own transaction). A failure must fail the request: callers return
  // ErrorResponse(status) instead of the data.
  Status Audit(const audit::AuditEvent& event);
  // A record that does not exist or lies outside the scope: audits the denial (target type and the
  // id as requested; `why` says which, for the auditor only) and returns the one 404 both get.
  Status Denied(const std::string& what, const std::string& target_type, const std::string& key,
                const std::string& why);
  // The org unit of id text `key` (a path or query parameter) when it is in the scope; else the
  // audited denial of Denied().
  Result<org::OrgUnit> UnitInScope(const std::string& key);
  std::string client_ip;
};

class App {
 public:
  // Opens the pool (running migrations once) and the audit logs. Errors: storage and audit errors.
  static Result<std::unique_ptr<App>> Open(const AppOptions& options);
  ~App();

  const AppOptions& options() const { return options_; }
  const auth::Clock& clock() const { return *clock_; }
  storage::Dialect dialect() const { return dialect_; }
  // The declared ledgers (built-in and AppOptions::ledger_dirs), the store's tables synced to them.
  const ledger::Catalog& ledgers() const { return *ledgers_; }

  // Adds every route of the API and installs the guard. Aborts when a route has no row in
  // data/policy/routes.csv or its permission differs (a policy mistake must not start).
  void AddRoutes(Router& router);
  // Registers one route; its permission comes from routes.csv. Long work (imports, exports) is
  // marked `long_running` and served on the HTTP server's worker pool.
  void Add(Router& router, const std::string& method, const std::string& pattern, Handler handler,
           bool long_running = false);

  // Leases a connection, waiting for one to be free.
  Store* Acquire();
  void Release(Store* store);
  // Appends `event` by group commit with the records of concurrent requests, through `store`'s
  // audit log when this request leads the commit. Returns once the record is durable (or failed).
  // REQUIRES: no open transaction on the calling thread.
  Status AppendAudit(Store* store, const audit::AuditEvent& event);

 private:
  explicit App(AppOptions options) : options_(std::move(options)) {}
  std::optional<Response> Guard(Context& ctx);

  AppOptions options_;
  const auth::Clock* clock_ = nullptr;
  storage::Dialect dialect_ = storage::Dialect::kSqlite;
  std::shared_ptr<const ledger::Catalog> ledgers_;
  std::vector<std::unique_ptr<Store>> stores_;
  std::vector<Store*> free_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Group commit of audit records.
  struct PendingAudit {
    const audit::AuditEvent* event;
    Status status;
    bool done = false;
  };
  std::mutex audit_mu_;
  std::condition_variable audit_cv_;
  std::vector<PendingAudit*> audit_queue_;
  bool audit_leader_ = false;
};

// The RequestState of a guarded request (REQUIRES: the guard ran).
inline RequestState& State(Context& ctx) { return *ctx.state; }
// Parses a positive integer path parameter; nullopt when malformed.
std::optional<int64_t> PathId(Context& ctx, const std::string& name = "id");
// Parses limit/offset query parameters (limit 1..max, default `def`; offset ≥ 0).
Status ParsePaging(const Request& request, int64_t def, int64_t max, int64_t* limit,
                   int64_t* offset);
// A new, unguessable path for an export file in the server's private export folder
// (AppOptions::export_dir, or a 0700 temp folder); the caller removes it once sent.
std::string NewExportPath(const App& app);
// The `file_name` query parameter of an upload as safe text: its last path component, valid
// UTF-8 (else `fallback`), at most 80 characters.
std::string UploadFileName(const Request& request, const std::string& fallback);
// The error of a record that does not exist or is outside the caller's scope (the same answer).
Status NotFound(const std::string& what, const std::string& key);

// Route groups (each in its own file).
void AddSessionRoutes(App& app, Router& router);
void AddRegistryRoutes(App& app, Router& router);
void AddAdminRoutes(App& app, Router& router);
void AddTransferRoutes(App& app, Router& router);
void AddLedgerRoutes(App& app, Router& router);

}  // namespace linli::http
