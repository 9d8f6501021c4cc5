// Login, the current session, logout and the password change.
#include "access/policy.h"
#include "auth/roles.h"
#include "http/json_views.h"
#include "http/shape.h"

namespace linli::http {
namespace {

// The session as the UI needs it, with the permissions the user's role has in
// data/policy/permissions.csv (the UI shows menus and pages by them; the guard still decides) and
// the roles an administrator can give.
nlohmann::json SessionJson(RequestState& st, const auth::Session& s) {
  nlohmann::json permissions = nlohmann::json::array();
  for (const auto& p : access::Policy::Get().permissions())
    if (access::Policy::Get().Allows(s.user.role, p.key)) permissions.push_back(p.key);
  nlohmann::json roles = nlohmann::json::array();
  for (const auto& r : auth::AllRoles())
    roles.push_back({{"key", std::string(r.key)}, {"label", std::string(r.label)}});
  return {{"user", UserJson(st.db(), s.user)},
          {"permissions", permissions},
          {"roles", roles},
          {"csrf_token", s.csrf_token},
          {"must_change_password", s.must_change_password},
          {"expires_at", s.expires_at},
          {"idle_timeout_seconds", st.app.options().auth.idle_timeout_seconds}};
}

Response WithCookie(Response r, RequestState& st, const auth::NewSession& ns) {
  int64_t max_age = ns.session.expires_at - st.app.clock().Now();
  r.headers.emplace_back("Set-Cookie", auth::SessionCookie(ns.token, max_age, st.app.options().secure_cookies));
  return r;
}

}  // namespace

void AddSessionRoutes(App& app, Router& router) {
  app.Add(router, "POST", "/api/v1/sessions", [](Context& ctx) {
    static const Shape kShape{{{"username", FieldKind::kString, true, 64},
                               {"password", FieldKind::kString, true, 256},
                               {"totp_code", FieldKind::kString, false, 16}}};
    std::vector<FieldError> fields;
    auto body = ParseBody(ctx.request.body, kShape, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    RequestState& st = State(ctx);
    auth::LoginRequest login;
    login.username = (*body)["username"].get<std::string>();
    login.password = (*body)["password"].get<std::string>();
    if (body->contains("totp_code")) login.totp_code = (*body)["totp_code"].get<std::string>();
    login.ip = ctx.request.client_ip;
    login.user_agent = ctx.request.Header("user-agent").substr(0, 200);
    // The session cookie sent with the login request is revoked on success (rotation).
    std::string cookie = ctx.request.Header("cookie");
    size_t at = cookie.find(std::string(auth::kSessionCookieName) + "=");
    if (at != std::string::npos) {
      size_t b = at + std::string(auth::kSessionCookieName).size() + 1;
      login.previous_token = cookie.substr(b, cookie.find(';', b) - b);
    }
    auto ns = st.store->accounts->Authenticate(login);
    audit::AuditEvent e = st.Event(ns.ok() ? audit::AuditAction::kLogin : audit::AuditAction::kLoginFailed, "user");
    e.actor = auth::NormaliseUsername(login.username);
    if (e.actor.empty()) e.actor = "-";
    if (ns.ok()) {
      e.user_id = ns->session.user.id;
      e.role = ns->session.user.role;
      e.target_id = std::to_string(ns->session.user.id);
      e.org_id = ns->session.user.org_id;
    } else {
      e.outcome = audit::AuditOutcome::kDenied;
      e.details = {{"code", static_cast<int>(ns.status().code())}};
    }
    Status audited = st.Audit(e);
    if (!audited.ok()) {
      if (ns.ok()) (void)st.store->accounts->Logout(ns->token);
      return ErrorResponse(audited);
    }
    if (!ns.ok()) {
      std::vector<FieldError> fe;
      if (ns.status().code() == ErrorCode::kAuthTotpRequired || ns.status().code() == ErrorCode::kAuthTotpInvalid ||
          ns.status().code() == ErrorCode::kAuthTotpReplayed)
        fe.push_back({"totp_code", ns.status()});
      return ErrorResponse(ns.status(), fe);
    }
    st.session = ns->session;
    return WithCookie(Data(SessionJson(st, ns->session), 201), st, *ns);
  });

  app.Add(router, "GET", "/api/v1/session", [](Context& ctx) {
    RequestState& st = State(ctx);
    return Data(SessionJson(st, *st.session));
  });

  app.Add(router, "DELETE", "/api/v1/session", [](Context& ctx) {
    RequestState& st = State(ctx);
    Status s = st.store->accounts->Logout(st.token);
    if (!s.ok()) return ErrorResponse(s);
    s = st.Audit(st.Event(audit::AuditAction::kLogout, "user", std::to_string(st.user().id), st.user().org_id));
    if (!s.ok()) return ErrorResponse(s);
    Response r = Data({{"logged_out", true}});
    r.headers.emplace_back("Set-Cookie", auth::ClearedSessionCookie(st.app.options().secure_cookies));
    return r;
  });

  app.Add(router, "POST", "/api/v1/session/password", [](Context& ctx) {
    static const Shape kShape{
        {{"old_password", FieldKind::kString, true, 256}, {"new_password", FieldKind::kString, true, 256}}};
    std::vector<FieldError> fields;
    auto body = ParseBody(ctx.request.body, kShape, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    RequestState& st = State(ctx);
    auto ns = st.store->accounts->ChangePassword(st.token, (*body)["old_password"].get<std::string>(),
                                                  (*body)["new_password"].get<std::string>());
    audit::AuditEvent e =
        st.Event(audit::AuditAction::kUserAdmin, "user", std::to_string(st.user().id), st.user().org_id);
    e.details = {{"change", "own_password"}};
    if (!ns.ok()) {
      e.outcome = audit::AuditOutcome::kFailed;
      e.details["code"] = static_cast<int>(ns.status().code());
    }
    Status audited = st.Audit(e);
    if (!audited.ok()) return ErrorResponse(audited);
    if (!ns.ok()) {
      ErrorCode c = ns.status().code();
      std::string field = c == ErrorCode::kAuthOldPasswordWrong ? "old_password" : "new_password";
      return ErrorResponse(ns.status(), {{field, ns.status()}});
    }
    st.session = ns->session;
    return WithCookie(Data(SessionJson(st, ns->session)), st, *ns);
  });
}

}  // namespace linli::http
