// The application: store pool, the guard, route registration checked against the policy table.
#include "http/app.h"

#include "ledger/engine.h"
#include "ledger/views.h"

#include <cstdio>
#include <cstdlib>
#include <set>

#include "http/public_routes.h"
#include "storage/migrations.h"

namespace linli::http {
namespace {

bool StateChanging(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

std::string CookieValue(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    size_t b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 && part[name.size()] == '=')
      return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

// Routes a session that must change its password may still use.
bool AllowedBeforePasswordChange(const Route& route) {
  return route.pattern == "/api/v1/session" || route.pattern == "/api/v1/session/password";
}

}  // namespace

RequestState::~RequestState() {
  if (store) app.Release(store);
}

audit::AuditEvent RequestState::Event(audit::AuditAction action, std::string target_type, std::string target_id,
                                      int64_t org_id) const {
  audit::AuditEvent e;
  if (session) {
    e.user_id = session->user.id;
    e.actor = session->user.username;
    e.role = session->user.role;
  }
  e.action = action;
  e.target_type = std::move(target_type);
  e.target_id = std::move(target_id);
  e.org_id = org_id;
  e.client_ip = client_ip;
  return e;
}

Status RequestState::Audit(const audit::AuditEvent& event) { return app.AppendAudit(store, event); }

Status RequestState::Denied(const std::string& what, const std::string& target_type, const std::string& key,
                            const std::string& why) {
  audit::AuditEvent e = Event(audit::AuditAction::kDenied, target_type, key.substr(0, 64));
  e.outcome = audit::AuditOutcome::kDenied;
  e.details = {{"reason", why}};
  RETURN_IF_ERROR(Audit(e));
  return NotFound(what, key);
}

Result<org::OrgUnit> RequestState::UnitInScope(const std::string& key) {
  int64_t id = 0;
  bool digits = !key.empty() && key.size() <= 18;
  for (char c : key) digits = digits && c >= '0' && c <= '9';
  if (digits) id = std::stoll(key);
  const org::OrgUnit* unit = id > 0 ? scope->Unit(id) : nullptr;
  if (!unit) return Denied("组织单位", "org_unit", key, "not_found_or_out_of_scope");
  return *unit;
}

Result<std::unique_ptr<App>> App::Open(const AppOptions& options) {
  std::unique_ptr<App> app(new App(options));
  app->clock_ = options.clock ? options.clock : &auth::SystemClock();
  ASSIGN_OR_RETURN(std::shared_ptr<storage::Db> first, storage::Db::Open(options.db_url));
  app->dialect_ = first->dialect();
  ASSIGN_OR_RETURN(app->ledgers_, ledger::LoadCatalog(options.ledger_dirs));
  RETURN_IF_ERROR(ledger::SyncSchema(*first, *app->ledgers_));
  int n = std::max(1, options.pool_size);
  for (int i = 0; i < n; ++i) {
    auto store = std::make_unique<Store>();
    if (i == 0 || app->dialect_ == storage::Dialect::kSqlite) {
      store->db = first;  // SQLite: one writer per file; the Db serves concurrent readers itself
    } else {
      ASSIGN_OR_RETURN(store->db, storage::Db::Open(options.db_url));
    }
    ASSIGN_OR_RETURN(store->audit, audit::AuditLog::Open(*store->db, options.audit));
    store->accounts = std::make_unique<auth::Accounts>(*store->db, options.auth, *app->clock_);
    app->free_.push_back(store.get());
    app->stores_.push_back(std::move(store));
  }
  return app;
}

App::~App() = default;

Store* App::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !free_.empty(); });
  Store* s = free_.back();
  free_.pop_back();
  return s;
}

void App::Release(Store* store) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(store);
  }
  cv_.notify_one();
}

Status App::AppendAudit(Store* store, const audit::AuditEvent& event) {
  PendingAudit me{&event, Status::Ok(), false};
  std::unique_lock<std::mutex> lock(audit_mu_);
  audit_queue_.push_back(&me);
  while (!me.done) {
    if (audit_leader_) {
      audit_cv_.wait(lock);
      continue;
    }
    // Lead one commit of everything queued so far (our own record among it).
    audit_leader_ = true;
    std::vector<PendingAudit*> batch;
    batch.swap(audit_queue_);
    lock.unlock();
    std::vector<audit::AuditEvent> events;
    events.reserve(batch.size());
    for (const PendingAudit* p : batch) events.push_back(*p->event);
    auto all = store->audit->AppendAll(events);
    if (all.ok()) {
      for (PendingAudit* p : batch) p->status = Status::Ok();
    } else if (batch.size() == 1) {
      batch[0]->status = all.status();
    } else {
      // All or none failed: one record may be at fault (e.g. refused as sensitive in clear), so
      // each is tried alone and fails only its own request.
      for (PendingAudit* p : batch) {
        auto one = store->audit->Append(*p->event);
        p->status = one.ok() ? Status::Ok() : one.status();
      }
    }
    lock.lock();
    for (PendingAudit* p : batch) p->done = true;
    audit_leader_ = false;
    audit_cv_.notify_all();
  }
  return me.status;
}

void App::Add(Router& router, const std::string& method, const std::string& pattern, Handler handler,
              bool long_running) {
  const access::RoutePolicy* policy = access::Policy::Get().FindRoute(method, pattern);
  if (!policy) {
    std::fprintf(stderr, "接口 %s %s 没有写入 data/policy/routes.csv，拒绝启动\n", method.c_str(), pattern.c_str());
    std::abort();
  }
  router.Add({method, pattern, policy->permission, std::move(handler), long_running});
}

void App::AddRoutes(Router& router) {
  Store* s = Acquire();
  auto version = storage::SchemaVersion(*s->db);
  Release(s);
  AddPublicRoutes(router, {dialect_ == storage::Dialect::kSqlite ? "sqlite" : "postgresql",
                           version.ok() ? *version : 0});
  AddSessionRoutes(*this, router);
  AddRegistryRoutes(*this, router);
  AddAdminRoutes(*this, router);
  AddTransferRoutes(*this, router);
  AddLedgerRoutes(*this, router);
  // Every registered route must be the table's, with the table's permission, and the table
  // must have no route the code lacks.
  std::set<std::string> registered;
  for (const Route& r : router.routes()) {
    const access::RoutePolicy* p = access::Policy::Get().FindRoute(r.method, r.pattern);
    if (!p || p->permission != r.permission) {
      std::fprintf(stderr, "接口 %s %s 的权限与 data/policy/routes.csv 不一致，拒绝启动\n", r.method.c_str(),
                   r.pattern.c_str());
      std::abort();
    }
    registered.insert(r.method + " " + r.pattern);
  }
  for (const auto& p : access::Policy::Get().routes())
    if (!registered.count(p.method + " " + p.pattern)) {
      std::fprintf(stderr, "data/policy/routes.csv 中的接口 %s %s 没有实现，拒绝启动\n", p.method.c_str(),
                   p.pattern.c_str());
      std::abort();
    }
  router.SetGuard([this](Context& ctx) { return Guard(ctx); });
}

std::optional<Response> App::Guard(Context& ctx) {
  auto state = std::make_shared<RequestState>(*this, Acquire());
  state->client_ip = ctx.request.client_ip;
  ctx.state = state;
  const std::string& permission = ctx.route.permission;
  if (permission == access::kPublic) return std::nullopt;

  state->token = CookieValue(ctx.request.Header("cookie"), auth::kSessionCookieName);
  if (state->token.empty()) return ErrorResponse(Error(ErrorCode::kAuthSessionInvalid));
  auto session = state->store->accounts->ValidateSession(state->token);
  if (!session.ok()) return ErrorResponse(session.status());
  state->session = std::move(*session);
  if (StateChanging(ctx.request.method)) {
    Status st = state->store->accounts->CheckCsrf(*state->session, ctx.request.Header("x-csrf-token"));
    if (!st.ok()) return ErrorResponse(st);
  }
  if (!AllowedBeforePasswordChange(ctx.route)) {
    Status st = state->store->accounts->CheckPasswordCurrent(*state->session);
    if (!st.ok()) return ErrorResponse(st);
  }
  if (!access::Policy::Get().Allows(state->role(), permission)) {
    const access::Permission* perm = access::Policy::Get().FindPermission(permission);
    audit::AuditEvent e = state->Event(audit::AuditAction::kDenied, "route", ctx.route.method + " " + ctx.route.pattern);
    e.outcome = audit::AuditOutcome::kDenied;
    e.details = {{"permission", permission}, {"path", ctx.request.path}};
    Status st = state->Audit(e);
    if (!st.ok()) return ErrorResponse(st);
    const auth::Role* role = state->user().role_info();
    return ErrorResponse(Error(ErrorCode::kAccessDenied, {{"role", role ? std::string(role->label) : state->role()},
                                                          {"permission", perm ? perm->label : permission}}));
  }
  auto scope = access::Scope::ForOrg(state->db(), state->user().org_id);
  if (!scope.ok()) return ErrorResponse(scope.status());
  state->scope = std::move(*scope);
  return std::nullopt;
}

std::optional<int64_t> PathId(Context& ctx, const std::string& name) {
  const std::string& s = ctx.request.path_params[name];
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? std::optional<int64_t>(v) : std::nullopt;
}

Status ParsePaging(const Request& request, int64_t def, int64_t max, int64_t* limit, int64_t* offset) {
  *limit = def;
  *offset = 0;
  auto parse = [&](const char* key, int64_t lo, int64_t hi, int64_t* out) -> Status {
    auto it = request.query.find(key);
    if (it == request.query.end() || it->second.empty()) return Status::Ok();
    int64_t v = 0;
    for (char c : it->second) {
      if (c < '0' || c > '9' || v > (int64_t{1} << 40))
        return Error(ErrorCode::kFieldType, {{"field", key}, {"type", "非负整数"}});
      v = v * 10 + (c - '0');
    }
    if (v < lo || v > hi)
      return Error(ErrorCode::kInvalidArgument,
                   {{"detail", std::string(key) + " 应在 " + std::to_string(lo) + " 到 " + std::to_string(hi) + " 之间"}});
    *out = v;
    return Status::Ok();
  };
  RETURN_IF_ERROR(parse("limit", 1, max, limit));
  return parse("offset", 0, int64_t{1} << 40, offset);
}

Status NotFound(const std::string& what, const std::string& key) {
  return Error(ErrorCode::kNotFound, {{"what", what}, {"key", key}});
}

}  // namespace linli::http
