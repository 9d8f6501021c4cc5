// User and role administration (the security administrator) and the audit log (the auditor).
// Administrators act within their org scope; every change they make is audited.
#include "http/json_views.h"
#include "http/shape.h"

namespace linli::http {
namespace {

using nlohmann::json;
using audit::AuditAction;

// The user of the path, if inside the caller's scope (else 404 like a missing one).
Result<auth::User> ScopedUser(RequestState& st, Context& ctx) {
  auto id = PathId(ctx);
  std::string raw = ctx.request.path_params["id"];
  if (!id) return st.Denied("用户", "user", raw, "not_found");
  auto user = st.store->accounts->GetUser(*id);
  if (!user.ok() || !st.scope->ContainsUnit(user->org_id))
    return st.Denied("用户", "user", raw, user.ok() ? "out_of_scope" : "not_found");
  return user;
}

// Runs an administrator's change and audits it (change first, then the record; both must succeed).
Response AdminChange(RequestState& st, const auth::User& target, json details, const std::function<Result<json>()>& change) {
  auto result = change();
  audit::AuditEvent e = st.Event(AuditAction::kUserAdmin, "user", std::to_string(target.id), target.org_id);
  e.details = std::move(details);
  e.details["username"] = target.username;
  if (!result.ok()) {
    e.outcome = audit::AuditOutcome::kFailed;
    e.details["code"] = static_cast<int>(result.status().code());
  }
  Status s = st.Audit(e);
  if (!s.ok()) return ErrorResponse(s);
  if (!result.ok()) return ErrorResponse(result.status());
  return Data(*result);
}

json TotpJson(const auth::TotpEnrollment& t) { return {{"secret", t.secret}, {"uri", t.uri}}; }

}  // namespace

void AddAdminRoutes(App& app, Router& router) {
  app.Add(router, "GET", "/api/v1/users", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto users = st.store->accounts->ListUsers();
    if (!users.ok()) return ErrorResponse(users.status());
    json items = json::array();
    for (const auto& u : *users)
      if (st.scope->ContainsUnit(u.org_id)) items.push_back(UserJson(st.db(), u));
    return Data(items);
  });

  app.Add(router, "POST", "/api/v1/users", [](Context& ctx) {
    static const Shape kShape{{{"username", FieldKind::kString, true, 64},
                               {"display_name", FieldKind::kString, false, 64},
                               {"role", FieldKind::kString, true, 40},
                               {"org_id", FieldKind::kInteger, true, 0},
                               {"password", FieldKind::kString, true, 256}}};
    std::vector<FieldError> fields;
    auto body = ParseBody(ctx.request.body, kShape, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    RequestState& st = State(ctx);
    auth::NewUser spec;
    spec.username = (*body)["username"].get<std::string>();
    if (body->contains("display_name")) spec.display_name = (*body)["display_name"].get<std::string>();
    spec.role = (*body)["role"].get<std::string>();
    spec.org_id = (*body)["org_id"].get<int64_t>();
    spec.password = (*body)["password"].get<std::string>();
    if (auto unit = st.UnitInScope(std::to_string(spec.org_id)); !unit.ok())
      return ErrorResponse(Error(ErrorCode::kHttpInvalidBody), {{"org_id", unit.status()}});
    auto created = st.store->accounts->CreateUser(spec);
    audit::AuditEvent e = st.Event(AuditAction::kUserAdmin, "user", created.ok() ? std::to_string(created->user.id) : "",
                                   spec.org_id);
    e.details = {{"change", "create"}, {"username", auth::NormaliseUsername(spec.username)}, {"role", spec.role}};
    if (!created.ok()) {
      e.outcome = audit::AuditOutcome::kFailed;
      e.details["code"] = static_cast<int>(created.status().code());
    }
    Status s = st.Audit(e);
    if (!s.ok()) return ErrorResponse(s);
    if (!created.ok()) {
      ErrorCode c = created.status().code();
      std::string field = c == ErrorCode::kRoleUnknown ? "role"
                          : (c == ErrorCode::kUserExists || c == ErrorCode::kUsernameInvalid) ? "username"
                                                                                               : "password";
      return ErrorResponse(created.status(), {{field, created.status()}});
    }
    json j = UserJson(st.db(), created->user);
    if (created->totp) j["totp"] = TotpJson(*created->totp);  // shown once
    return Data(j, 201);
  });

  app.Add(router, "PATCH", "/api/v1/users/{id}", [](Context& ctx) {
    static const Shape kShape{{{"role", FieldKind::kString, false, 40}, {"disabled", FieldKind::kBoolean, false, 0}}};
    std::vector<FieldError> fields;
    auto body = ParseBody(ctx.request.body, kShape, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    RequestState& st = State(ctx);
    auto user = ScopedUser(st, ctx);
    if (!user.ok()) return ErrorResponse(user.status());
    return AdminChange(st, *user, {{"change", "update"}, {"fields", *body}}, [&]() -> Result<json> {
      if (body->contains("role")) RETURN_IF_ERROR(st.store->accounts->SetRole(user->id, (*body)["role"].get<std::string>()));
      if (body->contains("disabled")) RETURN_IF_ERROR(st.store->accounts->SetDisabled(user->id, (*body)["disabled"].get<bool>()));
      ASSIGN_OR_RETURN(auth::User u, st.store->accounts->GetUser(user->id));
      return UserJson(st.db(), u);
    });
  });

  app.Add(router, "POST", "/api/v1/users/{id}/password", [](Context& ctx) {
    static const Shape kShape{{{"password", FieldKind::kString, true, 256}}};
    std::vector<FieldError> fields;
    auto body = ParseBody(ctx.request.body, kShape, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    RequestState& st = State(ctx);
    auto user = ScopedUser(st, ctx);
    if (!user.ok()) return ErrorResponse(user.status());
    return AdminChange(st, *user, {{"change", "reset_password"}}, [&]() -> Result<json> {
      RETURN_IF_ERROR(st.store->accounts->SetPassword(user->id, (*body)["password"].get<std::string>(), true));
      return json{{"must_change_password", true}};
    });
  });

  app.Add(router, "POST", "/api/v1/users/{id}/totp", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto user = ScopedUser(st, ctx);
    if (!user.ok()) return ErrorResponse(user.status());
    return AdminChange(st, *user, {{"change", "reset_totp"}}, [&]() -> Result<json> {
      ASSIGN_OR_RETURN(auto t, st.store->accounts->ResetTotp(user->id));
      return TotpJson(t);
    });
  });

  app.Add(router, "POST", "/api/v1/users/{id}/unlock", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto user = ScopedUser(st, ctx);
    if (!user.ok()) return ErrorResponse(user.status());
    return AdminChange(st, *user, {{"change", "unlock"}}, [&]() -> Result<json> {
      RETURN_IF_ERROR(st.store->accounts->Unlock(user->id));
      return json{{"unlocked", true}};
    });
  });

  app.Add(router, "GET", "/api/v1/audit_records", [](Context& ctx) {
    RequestState& st = State(ctx);
    const auto& q = ctx.request.query;
    auto get = [&](const char* k) { return q.count(k) ? q.at(k) : std::string(); };
    audit::AuditQuery query;
    query.actor = get("actor");
    if (!get("action").empty()) {
      query.action = audit::ParseAction(get("action"));
      if (!query.action) return ErrorResponse(Error(ErrorCode::kAuditBadQuery, {{"detail", "action=" + get("action")}}));
    }
    if (!get("outcome").empty()) {
      query.outcome = audit::ParseOutcome(get("outcome"));
      if (!query.outcome) return ErrorResponse(Error(ErrorCode::kAuditBadQuery, {{"detail", "outcome=" + get("outcome")}}));
    }
    query.target_type = get("target_type");
    query.target_id = get("target_id");
    for (auto [key, upper, out] : {std::tuple{"from", false, &query.from}, std::tuple{"to", true, &query.to}}) {
      if (get(key).empty()) continue;
      auto bound = audit::ParseTimeBound(get(key), upper);
      if (!bound.ok()) return ErrorResponse(bound.status());
      *out = *bound;
    }
    int64_t limit = 0, offset = 0;
    Status s = ParsePaging(ctx.request, 50, 1000, &limit, &offset);
    if (!s.ok()) return ErrorResponse(s);
    query.limit = static_cast<int>(limit);
    query.cursor = std::atoll(get("cursor").c_str());
    auto page = st.store->audit->Search(query);
    if (!page.ok()) return ErrorResponse(page.status());
    json items = json::array();
    for (const auto& r : page->records) items.push_back(audit::RecordToJson(r));
    audit::AuditEvent e = st.Event(AuditAction::kAuditSearch, "audit_log");
    e.details = {{"filters", q}, {"count", page->records.size()}};
    s = st.Audit(e);
    if (!s.ok()) return ErrorResponse(s);
    return Data({{"records", items}, {"next_cursor", page->next_cursor}});
  });

  app.Add(router, "GET", "/api/v1/audit_records/verify", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto report = st.store->audit->Verify();
    if (!report.ok()) return ErrorResponse(report.status());
    audit::AuditEvent e = st.Event(AuditAction::kAuditSearch, "audit_log");
    e.details = {{"verify", true}, {"ok", report->ok()}, {"records", report->records}};
    Status s = st.Audit(e);
    if (!s.ok()) return ErrorResponse(s);
    return Data(audit::ReportToJson(*report));
  });
}

}  // namespace linli::http
