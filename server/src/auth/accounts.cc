// User accounts: creation with role, scope and policy-checked password, listing, and the
// administrators' changes (password reset, TOTP reset and enrolment, role, disable, unlock).
#include "auth/accounts.h"

#include <cctype>
#include <map>
#include <mutex>
#include <utility>

#include "auth/password.h"
#include "auth/totp.h"
#include "org/org.h"

namespace linli::auth {
namespace {

constexpr const char* kUserColumns =
    "id, username, display_name, role, org_id, totp_enabled, disabled, must_change_password, "
    "password_changed_at, locked_until, last_login_at, created_at, password_hash, totp_secret, "
    "totp_last_step";

// 3 to 32 of [a-z0-9._-], starting with a letter.
bool ValidUsername(std::string_view name) {
  if (name.size() < 3 || name.size() > 32 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

}  // namespace

std::string NormaliseUsername(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  std::string out(text.substr(begin, end - begin));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Accounts::Accounts(storage::Db& db, AuthPolicy policy, const Clock& clock)
    : db_(db), policy_(std::move(policy)), clock_(clock) {}

Status Accounts::Tx(const std::function<Status()>& fn) {
  if (db_.InTransaction()) return fn();
  return storage::InTransaction(db_, fn);
}

std::string Accounts::DummyHash() const {
  // One per cost for the whole process, so that an Accounts made per request does not pay (and
  // show in its timing) an extra hash on the unknown-user path.
  static std::mutex mutex;
  static std::map<std::pair<uint64_t, size_t>, std::string> by_cost;
  std::lock_guard<std::mutex> lock(mutex);
  std::string& hash = by_cost[{policy_.hash_cost.opslimit, policy_.hash_cost.memlimit}];
  if (hash.empty()) {
    auto made = HashPassword(GeneratePassword(), policy_.hash_cost);
    // Without a dummy hash the unknown-user path is merely faster, not wrong.
    hash = made.ok() ? *made : std::string("-");
  }
  return hash;
}

Result<std::optional<Accounts::StoredUser>> Accounts::LoadUser(std::string_view where,
                                                               const storage::Params& params) {
  ASSIGN_OR_RETURN(auto rows, db_.Query(std::string("SELECT ") + kUserColumns +
                                            " FROM users WHERE " + std::string(where),
                                        params));
  if (rows.empty()) return std::optional<StoredUser>();
  const storage::Row& r = rows[0];
  StoredUser s;
  s.user.id = r.Int(0);
  s.user.username = r.Text(1);
  s.user.display_name = r.Text(2);
  s.user.role = r.Text(3);
  s.user.org_id = r.Int(4);
  s.user.totp_enabled = r.Int(5) != 0;
  s.user.disabled = r.Int(6) != 0;
  s.user.must_change_password = r.Int(7) != 0;
  s.user.password_changed_at = r.Int(8);
  s.user.locked_until = r.Int(9);
  s.user.last_login_at = r.Int(10);
  s.user.created_at = r.Int(11);
  s.password_hash = r.Text(12);
  s.totp_secret = r.Text(13);
  s.totp_last_step = r.IsNull(14) ? INT64_MIN : r.Int(14);
  return std::optional<StoredUser>(std::move(s));
}

Result<Accounts::StoredUser> Accounts::LoadUserById(int64_t user_id) {
  ASSIGN_OR_RETURN(auto found, LoadUser("id = ?", {user_id}));
  if (!found) return Error(ErrorCode::kUserNotFound, {{"username", "#" + std::to_string(user_id)}});
  return std::move(*found);
}

Result<CreatedUser> Accounts::CreateUser(const NewUser& spec) {
  std::string username = NormaliseUsername(spec.username);
  if (!ValidUsername(username))
    return Error(ErrorCode::kUsernameInvalid, {{"username", spec.username}});
  const Role* role = FindRole(spec.role);
  if (!role) return Error(ErrorCode::kRoleUnknown, {{"role", spec.role}, {"roles", RoleList()}});
  RETURN_IF_ERROR(CheckPasswordPolicy(spec.password, username, policy_));
  // Hash before taking the write lock: Argon2id is slow on purpose.
  ASSIGN_OR_RETURN(std::string hash, HashPassword(spec.password, policy_.hash_cost));
  std::string secret = role->totp_required ? NewTotpSecret() : std::string();
  std::string display_name = spec.display_name.empty() ? username : spec.display_name;

  CreatedUser out;
  RETURN_IF_ERROR(Tx([&]() -> Status {
    int64_t org_id = spec.org_id;
    if (!spec.org_code.empty()) {
      ASSIGN_OR_RETURN(org::OrgUnit unit, org::FindOrgByCode(db_, spec.org_code));
      org_id = unit.id;
    } else {
      RETURN_IF_ERROR(org::GetOrg(db_, org_id).status());
    }
    ASSIGN_OR_RETURN(int64_t taken,
                     db_.QueryInt("SELECT count(*) FROM users WHERE username = ?", {username}));
    if (taken) return Error(ErrorCode::kUserExists, {{"username", username}});
    int64_t now = clock_.Now();
    ASSIGN_OR_RETURN(
        auto rows,
        db_.Query("INSERT INTO users (username, display_name, role, org_id, password_hash, "
                  "password_changed_at, must_change_password, totp_secret, totp_enabled, "
                  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {username, display_name, std::string(role->key), org_id, hash, now,
                   int64_t{spec.must_change_password}, storage::TextOrNull(secret),
                   int64_t{!secret.empty()}, now, now}));
    if (rows.empty()) return Internal("INSERT users 未返回编号");
    ASSIGN_OR_RETURN(StoredUser stored, LoadUserById(rows[0].Int(0)));
    out.user = std::move(stored.user);
    return Status::Ok();
  }));
  if (!secret.empty())
    out.totp =
        TotpEnrollment{secret, OtpauthUri(policy_.totp_issuer, username, secret, policy_.totp)};
  return out;
}

Result<User> Accounts::FindUser(std::string_view username) {
  ASSIGN_OR_RETURN(auto found, LoadUser("username = ?", {NormaliseUsername(username)}));
  if (!found) return Error(ErrorCode::kUserNotFound, {{"username", std::string(username)}});
  return std::move(found->user);
}

Result<User> Accounts::GetUser(int64_t user_id) {
  ASSIGN_OR_RETURN(StoredUser stored, LoadUserById(user_id));
  return std::move(stored.user);
}

Result<std::vector<User>> Accounts::ListUsers() {
  ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT id FROM users ORDER BY username"));
  std::vector<User> out;
  for (const auto& r : rows) {
    ASSIGN_OR_RETURN(StoredUser stored, LoadUserById(r.Int(0)));
    out.push_back(std::move(stored.user));
  }
  return out;
}

Status Accounts::SetPassword(int64_t user_id, std::string_view new_password, bool must_change) {
  ASSIGN_OR_RETURN(StoredUser stored, LoadUserById(user_id));
  RETURN_IF_ERROR(CheckPasswordPolicy(new_password, stored.user.username, policy_));
  ASSIGN_OR_RETURN(std::string hash, HashPassword(new_password, policy_.hash_cost));
  return Tx([&]() -> Status {
    int64_t now = clock_.Now();
    RETURN_IF_ERROR(db_.Exec(
        "UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = ?, "
        "failed_count = 0, first_failed_at = NULL, locked_until = NULL, updated_at = ? "
        "WHERE id = ?",
        {hash, now, int64_t{must_change}, now, user_id}));
    return RevokeUserSessions(user_id, "password_reset");
  });
}

Result<TotpEnrollment> Accounts::ResetTotp(int64_t user_id) {
  ASSIGN_OR_RETURN(StoredUser stored, LoadUserById(user_id));
  std::string secret = NewTotpSecret();
  RETURN_IF_ERROR(Tx([&]() -> Status {
    RETURN_IF_ERROR(
        db_.Exec("UPDATE users SET totp_secret = ?, totp_enabled = 1, totp_last_step = NULL, "
                 "updated_at = ? WHERE id = ?",
                 {secret, clock_.Now(), user_id}));
    return RevokeUserSessions(user_id, "totp_reset");
  }));
  return TotpEnrollment{
      secret, OtpauthUri(policy_.totp_issuer, stored.user.username, secret, policy_.totp)};
}

Result<TotpEnrollment> Accounts::BeginTotpEnrollment(int64_t user_id) {
  ASSIGN_OR_RETURN(StoredUser stored, LoadUserById(user_id));
  if (stored.user.totp_enabled)
    return Error(ErrorCode::kConflict, {{"detail", "已绑定身份验证器；如需更换请联系安全管理员"}});
  std::string secret = NewTotpSecret();
  RETURN_IF_ERROR(Tx([&]() -> Status {
    return db_.Exec(
        "UPDATE users SET totp_secret = ?, totp_last_step = NULL, updated_at = ? "
        "WHERE id = ? AND totp_enabled = 0",
        {secret, clock_.Now(), user_id});
  }));
  return TotpEnrollment{
      secret, OtpauthUri(policy_.totp_issuer, stored.user.username, secret, policy_.totp)};
}

Status Accounts::ConfirmTotp(int64_t user_id, std::string_view code) {
  ASSIGN_OR_RETURN(StoredUser stored, LoadUserById(user_id));
  if (stored.user.totp_enabled)
    return Error(ErrorCode::kConflict, {{"detail", "已绑定身份验证器"}});
  if (stored.totp_secret.empty())
    return Error(ErrorCode::kInvalidArgument, {{"detail", "请先开始绑定身份验证器"}});
  ASSIGN_OR_RETURN(std::string key, Base32Decode(stored.totp_secret));
  int64_t now = clock_.Now();
  TotpCheck check = VerifyTotp(key, code, now, policy_.totp, policy_.totp_window);
  if (!check.matched) return Error(ErrorCode::kAuthTotpInvalid);
  return Tx([&]() -> Status {
    return db_.Exec(
        "UPDATE users SET totp_enabled = 1, totp_last_step = ?, updated_at = ? WHERE id = ?",
        {check.step, now, user_id});
  });
}

Status Accounts::SetRole(int64_t user_id, std::string_view role_name) {
  const Role* role = FindRole(role_name);
  if (!role)
    return Error(ErrorCode::kRoleUnknown,
                 {{"role", std::string(role_name)}, {"roles", RoleList()}});
  RETURN_IF_ERROR(LoadUserById(user_id).status());
  return Tx([&]() -> Status {
    RETURN_IF_ERROR(db_.Exec("UPDATE users SET role = ?, updated_at = ? WHERE id = ?",
                             {std::string(role->key), clock_.Now(), user_id}));
    return RevokeUserSessions(user_id, "role_changed");
  });
}

Status Accounts::SetDisabled(int64_t user_id, bool disabled) {
  RETURN_IF_ERROR(LoadUserById(user_id).status());
  return Tx([&]() -> Status {
    RETURN_IF_ERROR(db_.Exec("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?",
                             {int64_t{disabled}, clock_.Now(), user_id}));
    return disabled ? RevokeUserSessions(user_id, "disabled") : Status::Ok();
  });
}

Status Accounts::Unlock(int64_t user_id) {
  RETURN_IF_ERROR(LoadUserById(user_id).status());
  return Tx([&]() -> Status {
    return db_.Exec(
        "UPDATE users SET failed_count = 0, first_failed_at = NULL, locked_until = NULL, "
        "updated_at = ? WHERE id = ?",
        {clock_.Now(), user_id});
  });
}

Result<CreatedUser> CreateUser(storage::Db& db, const NewUser& spec, const AuthPolicy& policy) {
  Accounts accounts(db, policy);
  return accounts.CreateUser(spec);
}

}  // namespace linli::auth
