// Accounts and sessions: users with a role and an org scope, password + TOTP login with lockout,
// server-side sessions with idle and absolute timeouts, CSRF tokens, and rotation.
//
// Accounts is the one entry point the HTTP layer and the CLI use. It keeps no state between calls
// besides its policy and its clock, so it is cheap to make one per request. It is not thread-safe:
// use it from the thread that may use its Db.
//
// Tokens: a session token is 32 random bytes in base64url (43 characters). Only its SHA-256 (hex)
// is stored, as sessions.id, and that hash is what Session::id carries and what may be logged or
// audited; the token itself lives only in the client's cookie. The CSRF token (same format) is
// stored as is and must be sent back in the X-CSRF-Token header of every state-changing request.
//
// Transactions: Authenticate and ChangePassword must run with no transaction open (they commit
// failure counters even when they refuse; kInternal otherwise). Every other method joins the
// caller's transaction when one is open and uses its own otherwise.
//
// Times are Unix seconds from the Clock, stored as integers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/clock.h"
#include "auth/policy.h"
#include "auth/roles.h"
#include "common/status.h"
#include "storage/db.h"

namespace linli::auth {

inline constexpr const char* kSessionCookieName = "linli_session";
inline constexpr const char* kCsrfHeaderName = "X-CSRF-Token";

struct User {
  int64_t id = 0;
  std::string username;  // lower case, unique
  std::string display_name;
  std::string role;    // a key of the role table
  int64_t org_id = 0;  // root of the user's scope (org_units.id)
  bool totp_enabled = false;
  bool disabled = false;
  bool must_change_password = false;  // set by an administrator, cleared by ChangePassword
  int64_t password_changed_at = 0;
  int64_t locked_until = 0;  // 0 when not locked
  int64_t last_login_at = 0;
  int64_t created_at = 0;
  // The role's table entry; nullptr only for a role removed from the table since.
  const Role* role_info() const { return FindRole(role); }
};

struct NewUser {
  std::string username;      // normalised to lower case; see kUsernameInvalid for the rule
  std::string display_name;  // defaults to the user name
  std::string role;          // key ("supervisor") or label ("街道/区督导")
  std::string org_code;      // the scope root by code; or
  int64_t org_id = 0;        // ... by id when org_code is empty
  std::string password;      // must pass the policy
  // An initial password set by someone else must be changed at first login.
  bool must_change_password = true;
};

// A TOTP secret to hand to its user once (print or show as a QR code), never again.
struct TotpEnrollment {
  std::string secret;  // Base32
  std::string uri;     // otpauth://totp/…
};

struct CreatedUser {
  User user;
  std::optional<TotpEnrollment> totp;  // set when the role requires TOTP (enrolled at creation)
};

struct LoginRequest {
  std::string username;
  std::string password;
  std::string totp_code;  // empty when the form has none yet
  std::string ip;         // client address, kept with the session
  std::string user_agent;
  std::string previous_token;  // the session cookie sent with the login request, revoked on success
};

struct Session {
  std::string id;  // SHA-256 hex of the token: safe to log and audit
  std::string csrf_token;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;  // absolute end
  std::string ip;
  std::string user_agent;
  User user;
  // The password is past its rotation period or was set by an administrator: the HTTP layer
  // should allow only the password change (kAuthPasswordChangeRequired) until it is changed.
  bool must_change_password = false;
};

struct NewSession {
  std::string token;  // for the cookie only; never stored or logged
  Session session;
};

class Accounts {
 public:
  // REQUIRES: db and clock outlive this object.
  explicit Accounts(storage::Db& db, AuthPolicy policy = {}, const Clock& clock = SystemClock());

  const AuthPolicy& policy() const { return policy_; }
  const Clock& clock() const { return clock_; }

  // ---- Users (accounts.cc) -------------------------------------------------------------------

  // Creates a user. Errors: kUsernameInvalid, kRoleUnknown, kOrgNotFound, kUserExists, the
  // password policy's errors. For a role that requires TOTP, a secret is generated and enabled.
  Result<CreatedUser> CreateUser(const NewUser& spec);
  Result<User> FindUser(std::string_view username);  // kUserNotFound
  Result<User> GetUser(int64_t user_id);             // kUserNotFound
  Result<std::vector<User>> ListUsers();             // by user name
  // An administrator's reset: policy-checked, ends all the user's sessions, clears a lockout.
  Status SetPassword(int64_t user_id, std::string_view new_password, bool must_change);
  // A new TOTP secret, enabled at once (the old one stops working); ends all sessions.
  Result<TotpEnrollment> ResetTotp(int64_t user_id);
  // Self-service enrolment for a logged-in user without TOTP: a pending secret, enabled only by
  // ConfirmTotp with a valid code. kConflict when TOTP is already enabled.
  Result<TotpEnrollment> BeginTotpEnrollment(int64_t user_id);
  Status ConfirmTotp(int64_t user_id, std::string_view code);  // kAuthTotpInvalid
  // A privilege change: the new role applies at the next login, so all sessions end now.
  Status SetRole(int64_t user_id, std::string_view role);  // kRoleUnknown
  Status SetDisabled(int64_t user_id, bool disabled);      // disabling ends all sessions
  Status Unlock(int64_t user_id);                          // clears failures and lockout

  // ---- Login and sessions (sessions.cc) ------------------------------------------------------

  // Password, then lockout and TOTP rules; on success a new session (a new id at every login:
  // the previous session, if given, is revoked). Errors, in the order checked:
  //   kAuthBadCredentials  unknown user (after the same Argon2id work as a real check)
  //   kAuthLocked          max_failures failures within failure_window, for lockout_seconds,
  //                        whatever the password (so a locked account shows that it exists)
  //   kAuthBadCredentials  wrong password (counts as a failure; same code and message as above)
  //   kAuthDisabled        right password, disabled account
  //   kAuthTotpNotEnrolled role requires TOTP, none enrolled (ask a security administrator)
  //   kAuthTotpRequired    TOTP needed and totp_code empty (show the TOTP field; not a failure)
  //   kAuthTotpInvalid     wrong TOTP code (counts as a failure)
  //   kAuthTotpReplayed    a code of a step already used
  // REQUIRES: no open transaction.
  Result<NewSession> Authenticate(const LoginRequest& request);
  // The live session of `token`, its last_seen_at touched. kAuthSessionInvalid (unknown, logged
  // out, revoked, user disabled), kAuthSessionIdle, kAuthSessionExpired.
  Result<Session> ValidateSession(std::string_view token);
  // kAuthPasswordChangeRequired when session.must_change_password (the reason says whether the
  // password is an administrator's or past rotation), else OK. The HTTP layer lets such a
  // session change its password and log out, nothing else.
  Status CheckPasswordCurrent(const Session& session) const;
  // kAuthCsrf unless header_value equals the session's CSRF token (constant-time compare).
  Status CheckCsrf(const Session& session, std::string_view header_value) const;
  // Ends the session of `token`; OK when it is unknown or already ended.
  Status Logout(std::string_view token);
  // Replaces a live session by a new id and CSRF token for the same user and the same absolute
  // end (call on a privilege change of the current session). Errors as ValidateSession.
  Result<NewSession> RotateSession(std::string_view token);
  // Ends every live session of the user; `reason` is kept in sessions.revoke_reason.
  Status RevokeUserSessions(int64_t user_id, std::string_view reason);
  // The logged-in user changes their password: the old one must match (a mismatch is
  // kAuthOldPasswordWrong and counts as a login failure), the new one must pass the policy and
  // differ from the old (kPasswordUnchanged). Ends all the user's sessions and returns a new one
  // with the old absolute end. REQUIRES: no open transaction.
  Result<NewSession> ChangePassword(std::string_view token, std::string_view old_password,
                                    std::string_view new_password);
  // Deletes sessions that ended (expired or revoked) more than `age_seconds` ago; returns how many.
  Result<int64_t> PurgeSessions(int64_t age_seconds);

 private:
  struct StoredUser {
    User user;
    std::string password_hash;
    std::string totp_secret;  // Base32; empty when none
    int64_t totp_last_step = INT64_MIN;
  };
  Result<std::optional<StoredUser>> LoadUser(std::string_view where, const storage::Params& params);
  Result<StoredUser> LoadUserById(int64_t user_id);
  Status Tx(const std::function<Status()>& fn);
  std::string DummyHash() const;  // an Argon2id hash at the policy's cost, of nobody's password
  Result<NewSession> InsertSession(const User& user, int64_t now, int64_t expires_at,
                                   const std::string& ip, const std::string& user_agent);
  // Reads the session of `token` into `session`, or sets `refusal` when it is not live (ending it
  // when it timed out). The returned Status carries storage errors only.
  Status LoadSession(std::string_view token, int64_t now, Session& session, Status& refusal);
  Result<bool> RecordFailure(int64_t user_id, int64_t now);  // true when it locked the account

  storage::Db& db_;
  AuthPolicy policy_;
  const Clock& clock_;
};

// Trimmed and lower-cased: the form user names are stored and looked up in.
std::string NormaliseUsername(std::string_view text);

// Creates a user with the default policy (for `linli init`, `linli demo` and the CLI).
Result<CreatedUser> CreateUser(storage::Db& db, const NewUser& spec, const AuthPolicy& policy = {});

// Set-Cookie values for the session cookie: HttpOnly, SameSite=Strict, Path=/, Max-Age; Secure
// when the server is reached over TLS.
std::string SessionCookie(std::string_view token, int64_t max_age_seconds, bool secure);
std::string ClearedSessionCookie(bool secure);

}  // namespace linli::auth
