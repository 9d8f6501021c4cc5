// Login (password, lockout, TOTP), server-side sessions with idle and absolute timeouts, CSRF
// checks, rotation, password changes by their owner, and the session cookie.
#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "auth/accounts.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "common/hash.h"

namespace linli::auth {
namespace {

constexpr size_t kTokenBytes = 32;
constexpr size_t kTokenLength = 43;  // base64url of 32 bytes, unpadded
constexpr size_t kMaxIpLength = 64;
constexpr size_t kMaxUserAgentLength = 512;

std::string RandomToken() {
  if (sodium_init() < 0) std::abort();  // no entropy source: cannot continue safely
  unsigned char raw[kTokenBytes];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(kTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  return out;
}

// "12小时" for whole hours, else "N分钟" rounded up.
std::string DurationText(int64_t seconds) {
  if (seconds > 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "小时";
  return std::to_string(std::max<int64_t>(1, (seconds + 59) / 60)) + "分钟";
}

std::string Clip(const std::string& text, size_t max) { return text.substr(0, max); }

}  // namespace

Result<bool> Accounts::RecordFailure(int64_t user_id, int64_t now) {
  bool locked = false;
  RETURN_IF_ERROR(Tx([&]() -> Status {
    // One statement, so that concurrent failures are all counted (the row lock orders them).
    int64_t window_start = now - policy_.failure_window_seconds;
    RETURN_IF_ERROR(db_.Exec(
        "UPDATE users SET "
        "failed_count = CASE WHEN first_failed_at IS NULL OR first_failed_at <= ? THEN 1 "
        "ELSE failed_count + 1 END, "
        "first_failed_at = CASE WHEN first_failed_at IS NULL OR first_failed_at <= ? THEN ? "
        "ELSE first_failed_at END "
        "WHERE id = ?",
        {window_start, window_start, now, user_id}));
    ASSIGN_OR_RETURN(
        auto rows,
        db_.Query("UPDATE users SET locked_until = ?, failed_count = 0, "
                  "first_failed_at = NULL WHERE id = ? AND failed_count >= ? "
                  "RETURNING id",
                  {now + policy_.lockout_seconds, user_id, int64_t{policy_.max_failures}}));
    locked = !rows.empty();
    return Status::Ok();
  }));
  return locked;
}

Result<NewSession> Accounts::InsertSession(const User& user, int64_t now, int64_t expires_at,
                                           const std::string& ip, const std::string& user_agent) {
  NewSession out;
  out.token = RandomToken();
  Session& s = out.session;
  s.id = Sha256Hex(out.token);
  s.csrf_token = RandomToken();
  s.created_at = now;
  s.last_seen_at = now;
  s.expires_at = expires_at;
  s.ip = Clip(ip, kMaxIpLength);
  s.user_agent = Clip(user_agent, kMaxUserAgentLength);
  s.user = user;
  s.must_change_password =
      user.must_change_password || PasswordExpired(user.password_changed_at, now, policy_);
  RETURN_IF_ERROR(db_.Exec(
      "INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, "
      "user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {s.id, user.id, s.csrf_token, now, now, expires_at, storage::TextOrNull(s.ip),
       storage::TextOrNull(s.user_agent)}));
  return out;
}

Result<NewSession> Accounts::Authenticate(const LoginRequest& request) {
  if (db_.InTransaction()) return Internal("Authenticate 不能在已打开的事务中调用");
  const int64_t now = clock_.Now();
  const Status bad_credentials = Error(ErrorCode::kAuthBadCredentials);
  // Passwords far beyond the policy's length are refused without hashing them.
  const bool oversized = request.password.size() > 4 * static_cast<size_t>(policy_.max_length);

  ASSIGN_OR_RETURN(auto found, LoadUser("username = ?", {NormaliseUsername(request.username)}));
  if (!found) {
    // Same Argon2id work as for a real user, so that timing does not tell who exists.
    if (!oversized) (void)VerifyPassword(DummyHash(), request.password);
    return bad_credentials;
  }
  StoredUser& stored = *found;
  const User& user = stored.user;
  if (user.locked_until > now)
    return Error(ErrorCode::kAuthLocked, {{"duration", DurationText(user.locked_until - now)}});
  if (oversized || !VerifyPassword(stored.password_hash, request.password)) {
    RETURN_IF_ERROR(RecordFailure(user.id, now).status());
    return bad_credentials;
  }
  if (user.disabled) return Error(ErrorCode::kAuthDisabled);
  const Role* role = user.role_info();
  if (!role) return Error(ErrorCode::kRoleUnknown, {{"role", user.role}, {"roles", RoleList()}});

  bool use_totp = role->totp_required || user.totp_enabled;
  int64_t totp_step = 0;
  if (use_totp) {
    if (!user.totp_enabled)
      return Error(ErrorCode::kAuthTotpNotEnrolled, {{"role", std::string(role->label)}});
    if (request.totp_code.empty())
      return Error(ErrorCode::kAuthTotpRequired, {{"digits", std::to_string(policy_.totp.digits)}});
    ASSIGN_OR_RETURN(std::string key, Base32Decode(stored.totp_secret));
    TotpCheck check = VerifyTotp(key, request.totp_code, now, policy_.totp, policy_.totp_window,
                                 stored.totp_last_step);
    sodium_memzero(key.data(), key.size());
    if (!check.matched) {
      RETURN_IF_ERROR(RecordFailure(user.id, now).status());
      return Error(ErrorCode::kAuthTotpInvalid);
    }
    if (check.replayed) return Error(ErrorCode::kAuthTotpReplayed);
    totp_step = check.step;
  }

  // A hash below (or above) the policy's cost is replaced while the password is at hand.
  std::string new_hash;
  if (NeedsRehash(stored.password_hash, policy_.hash_cost)) {
    auto rehashed = HashPassword(request.password, policy_.hash_cost);
    if (rehashed.ok()) new_hash = *rehashed;
  }

  NewSession out;
  bool replayed = false;
  RETURN_IF_ERROR(Tx([&]() -> Status {
    if (use_totp) {
      // Claims the step; a concurrent login with the same code finds it taken.
      ASSIGN_OR_RETURN(auto claimed, db_.Query("UPDATE users SET totp_last_step = ? WHERE id = ? "
                                               "AND (totp_last_step IS NULL OR totp_last_step < ?) "
                                               "RETURNING id",
                                               {totp_step, user.id, totp_step}));
      if (claimed.empty()) {
        replayed = true;
        return Status::Ok();
      }
    }
    RETURN_IF_ERROR(
        db_.Exec("UPDATE users SET failed_count = 0, first_failed_at = NULL, locked_until = NULL, "
                 "last_login_at = ? WHERE id = ?",
                 {now, user.id}));
    if (!new_hash.empty())
      RETURN_IF_ERROR(
          db_.Exec("UPDATE users SET password_hash = ? WHERE id = ?", {new_hash, user.id}));
    if (!request.previous_token.empty())
      RETURN_IF_ERROR(
          db_.Exec("UPDATE sessions SET revoked_at = ?, revoke_reason = 'replaced_at_login' "
                   "WHERE id = ? AND revoked_at IS NULL",
                   {now, Sha256Hex(request.previous_token)}));
    User logged_in = user;
    logged_in.last_login_at = now;
    logged_in.locked_until = 0;
    ASSIGN_OR_RETURN(out, InsertSession(logged_in, now, now + policy_.absolute_lifetime_seconds,
                                        request.ip, request.user_agent));
    return Status::Ok();
  }));
  if (replayed) return Error(ErrorCode::kAuthTotpReplayed);
  return out;
}

Status Accounts::LoadSession(std::string_view token, int64_t now, Session& session,
                             Status& refusal) {
  refusal = Error(ErrorCode::kAuthSessionInvalid);
  if (token.size() != kTokenLength) return Status::Ok();
  std::string id = Sha256Hex(token);
  ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT user_id, csrf_token, created_at, last_seen_at, "
                                        "expires_at, ip, user_agent, revoked_at "
                                        "FROM sessions WHERE id = ?",
                                        {id}));
  if (rows.empty() || !rows[0].IsNull(7)) return Status::Ok();
  const storage::Row& r = rows[0];
  auto end = [&](const char* reason) {
    return db_.Exec("UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ?",
                    {now, std::string(reason), id});
  };
  if (now >= r.Int(4)) {
    refusal = Error(ErrorCode::kAuthSessionExpired,
                    {{"duration", DurationText(policy_.absolute_lifetime_seconds)}});
    return end("expired");
  }
  if (now - r.Int(3) >= policy_.idle_timeout_seconds) {
    refusal = Error(ErrorCode::kAuthSessionIdle,
                    {{"duration", DurationText(policy_.idle_timeout_seconds)}});
    return end("idle");
  }
  ASSIGN_OR_RETURN(auto stored, LoadUser("id = ?", {r.Int(0)}));
  if (!stored || stored->user.disabled) return end("disabled");
  session.id = id;
  session.csrf_token = r.Text(1);
  session.created_at = r.Int(2);
  session.last_seen_at = r.Int(3);
  session.expires_at = r.Int(4);
  session.ip = r.Text(5);
  session.user_agent = r.Text(6);
  session.user = std::move(stored->user);
  session.must_change_password = session.user.must_change_password ||
                                 PasswordExpired(session.user.password_changed_at, now, policy_);
  refusal = Status::Ok();
  return Status::Ok();
}

// Runs on every request, so it takes no write transaction: the reads run beside other requests
// (on SQLite's read-only connections), and the two writes it may make are single statements —
// ending an expired or idle session (idempotent) and touching last_seen_at at most once per
// touch interval (never reviving a session revoked meanwhile).
Result<Session> Accounts::ValidateSession(std::string_view token) {
  const int64_t now = clock_.Now();
  Session session;
  Status refusal;
  RETURN_IF_ERROR(LoadSession(token, now, session, refusal));
  if (!refusal.ok()) return refusal;
  if (now - session.last_seen_at >= policy_.touch_interval_seconds) {
    session.last_seen_at = now;
    RETURN_IF_ERROR(
        db_.Exec("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND revoked_at IS NULL",
                 {now, session.id}));
  }
  return session;
}

Status Accounts::CheckCsrf(const Session& session, std::string_view header_value) const {
  const std::string& expected = session.csrf_token;
  if (expected.empty() || header_value.size() != expected.size() ||
      sodium_memcmp(expected.data(), header_value.data(), expected.size()) != 0)
    return Error(ErrorCode::kAuthCsrf);
  return Status::Ok();
}

Status Accounts::CheckPasswordCurrent(const Session& session) const {
  if (!session.must_change_password) return Status::Ok();
  std::string reason = session.user.must_change_password
                           ? "当前密码是管理员设置的初始密码"
                           : "密码已超过" + std::to_string(policy_.rotation_days) + "天未修改";
  return Error(ErrorCode::kAuthPasswordChangeRequired, {{"reason", reason}});
}

Status Accounts::Logout(std::string_view token) {
  if (token.empty()) return Status::Ok();
  return Tx([&]() -> Status {
    return db_.Exec(
        "UPDATE sessions SET revoked_at = ?, revoke_reason = 'logout' "
        "WHERE id = ? AND revoked_at IS NULL",
        {clock_.Now(), Sha256Hex(token)});
  });
}

Result<NewSession> Accounts::RotateSession(std::string_view token) {
  const int64_t now = clock_.Now();
  NewSession out;
  Status refusal;
  RETURN_IF_ERROR(Tx([&]() -> Status {
    Session old;
    RETURN_IF_ERROR(LoadSession(token, now, old, refusal));
    if (!refusal.ok()) return Status::Ok();
    RETURN_IF_ERROR(
        db_.Exec("UPDATE sessions SET revoked_at = ?, revoke_reason = 'rotated' WHERE id = ?",
                 {now, old.id}));
    ASSIGN_OR_RETURN(out, InsertSession(old.user, now, old.expires_at, old.ip, old.user_agent));
    return Status::Ok();
  }));
  if (!refusal.ok()) return refusal;
  return out;
}

Status Accounts::RevokeUserSessions(int64_t user_id, std::string_view reason) {
  return Tx([&]() -> Status {
    return db_.Exec(
        "UPDATE sessions SET revoked_at = ?, revoke_reason = ? "
        "WHERE user_id = ? AND revoked_at IS NULL",
        {clock_.Now(), std::string(reason), user_id});
  });
}

Result<NewSession> Accounts::ChangePassword(std::string_view token, std::string_view old_password,
                                            std::string_view new_password) {
  if (db_.InTransaction()) return Internal("ChangePassword 不能在已打开的事务中调用");
  const int64_t now = clock_.Now();
  Session current;
  Status refusal;
  RETURN_IF_ERROR(Tx([&]() { return LoadSession(token, now, current, refusal); }));
  if (!refusal.ok()) return refusal;
  ASSIGN_OR_RETURN(StoredUser stored, LoadUserById(current.user.id));
  if (!VerifyPassword(stored.password_hash, old_password)) {
    ASSIGN_OR_RETURN(bool locked, RecordFailure(stored.user.id, now));
    // Whoever holds this session is guessing: end it with the lockout.
    if (locked) RETURN_IF_ERROR(RevokeUserSessions(stored.user.id, "locked"));
    return Error(ErrorCode::kAuthOldPasswordWrong);
  }
  if (old_password == new_password) return Error(ErrorCode::kPasswordUnchanged);
  RETURN_IF_ERROR(CheckPasswordPolicy(new_password, stored.user.username, policy_));
  ASSIGN_OR_RETURN(std::string hash, HashPassword(new_password, policy_.hash_cost));
  NewSession out;
  RETURN_IF_ERROR(Tx([&]() -> Status {
    RETURN_IF_ERROR(db_.Exec(
        "UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = 0, "
        "failed_count = 0, first_failed_at = NULL, updated_at = ? WHERE id = ?",
        {hash, now, now, stored.user.id}));
    RETURN_IF_ERROR(RevokeUserSessions(stored.user.id, "password_changed"));
    ASSIGN_OR_RETURN(StoredUser updated, LoadUserById(stored.user.id));
    ASSIGN_OR_RETURN(
        out, InsertSession(updated.user, now, current.expires_at, current.ip, current.user_agent));
    return Status::Ok();
  }));
  return out;
}

Result<int64_t> Accounts::PurgeSessions(int64_t age_seconds) {
  const int64_t cutoff = clock_.Now() - age_seconds;
  int64_t purged = 0;
  RETURN_IF_ERROR(Tx([&]() -> Status {
    ASSIGN_OR_RETURN(auto rows, db_.Query("DELETE FROM sessions WHERE (revoked_at IS NOT NULL AND "
                                          "revoked_at < ?) OR expires_at < ? OR last_seen_at < ? "
                                          "RETURNING id",
                                          {cutoff, cutoff, cutoff - policy_.idle_timeout_seconds}));
    purged = static_cast<int64_t>(rows.size());
    return Status::Ok();
  }));
  return purged;
}

std::string SessionCookie(std::string_view token, int64_t max_age_seconds, bool secure) {
  std::string cookie =
      std::string(kSessionCookieName) + "=" + std::string(token) +
      "; Path=/; Max-Age=" + std::to_string(std::max<int64_t>(0, max_age_seconds)) +
      "; HttpOnly; SameSite=Strict";
  if (secure) cookie += "; Secure";
  return cookie;
}

std::string ClearedSessionCookie(bool secure) { return SessionCookie("", 0, secure); }

}  // namespace linli::auth
