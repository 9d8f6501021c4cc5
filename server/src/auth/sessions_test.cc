// Tests of login and sessions, on the engine of LINLI_TEST_DB, with a ManualClock:
//  - Login: a session whose token is never stored (only its SHA-256), case-insensitive user
//    names, no user enumeration (unknown user and wrong password give the same error), disabled
//    accounts, the registered HTTP statuses.
//  - Lockout: 5 failures within 15 minutes lock for 15 minutes (even the right password), unlock
//    when the period ends, failures outside the window or before a success do not add up, an
//    administrator's unlock, wrong TOTP codes count.
//  - TOTP: required for supervisors and the three administrators, optional for others; a role
//    requiring TOTP without one enrolled gets its own error; wrong, replayed and older codes
//    rejected; ±1 step of clock skew; self-enrolment; reset invalidates the old secret.
//  - Sessions: a new id at every login and the previous one revoked, idle timeout (with and
//    without activity), absolute lifetime, CSRF mismatch rejected, logout, rotation keeping the
//    absolute end, revocation on role change / disable / password reset, password change by the
//    owner, must-change after an administrator's reset or 90 days, garbage tokens, purge, cookies.
#include <gtest/gtest.h>

#include "auth/accounts.h"
#include "auth/accounts_testing.h"
#include "auth/password.h"
#include "common/hash.h"

namespace linli::auth {
namespace {

class AuthLoginTest : public AuthFixture {};
class AuthLockoutTest : public AuthFixture {};
class AuthTotpTest : public AuthFixture {};
class SessionTest : public AuthFixture {};

// ---- Login ---------------------------------------------------------------------------------

TEST_F(AuthLoginTest, SuccessStoresOnlyTheTokenHash) {
  CreatedUser u = Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->token.size(), 43u);
  EXPECT_EQ(s->token.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(s->session.id, Sha256Hex(s->token));
  EXPECT_EQ(s->session.csrf_token.size(), 43u);
  EXPECT_NE(s->session.csrf_token, s->token);
  EXPECT_EQ(s->session.user.id, u.user.id);
  EXPECT_EQ(s->session.user.org_id, community_id_);
  EXPECT_EQ(s->session.expires_at, clock_.Now() + 12 * 3600);
  EXPECT_EQ(s->session.ip, "192.0.2.10");
  EXPECT_FALSE(s->session.must_change_password);
  auto hits = db_->QueryInt(
      "SELECT count(*) FROM sessions WHERE id = ? OR csrf_token = ? OR "
      "user_agent = ? OR ip = ?",
      {s->token, s->token, s->token, s->token});
  EXPECT_EQ(*hits, 0);
  auto stored = db_->QueryInt("SELECT count(*) FROM sessions WHERE id = ?", {s->session.id});
  EXPECT_EQ(*stored, 1);
  auto last = accounts_->GetUser(u.user.id);
  EXPECT_EQ(last->last_login_at, clock_.Now());
}

TEST_F(AuthLoginTest, NoUserEnumeration) {
  Add("wangfang", "grid_worker");
  Status unknown = Login("nosuchuser", kGoodPassword).status();
  Status wrong = Login("wangfang", "Wrong#Pass99").status();
  EXPECT_EQ(unknown.code(), ErrorCode::kAuthBadCredentials);
  EXPECT_EQ(wrong.code(), ErrorCode::kAuthBadCredentials);
  EXPECT_EQ(unknown.Message(), wrong.Message());
  EXPECT_EQ(unknown.Message(), "用户名或密码错误");
  EXPECT_EQ(unknown.params(), wrong.params());
  EXPECT_EQ(LookupError(ErrorCode::kAuthBadCredentials).http_status, 401);
  EXPECT_EQ(Login("", "").status().code(), ErrorCode::kAuthBadCredentials);
  EXPECT_EQ(Login("wangfang", std::string(10000, 'A')).status().code(),
            ErrorCode::kAuthBadCredentials);
}

TEST_F(AuthLoginTest, UsernameIsCaseInsensitive) {
  Add("wangfang", "grid_worker");
  EXPECT_TRUE(Login(" WangFang", kGoodPassword).ok());
}

TEST_F(AuthLoginTest, DisabledAccount) {
  CreatedUser u = Add("wangfang", "grid_worker");
  ASSERT_TRUE(accounts_->SetDisabled(u.user.id, true).ok());
  EXPECT_EQ(Login("wangfang", kGoodPassword).status().code(), ErrorCode::kAuthDisabled);
  EXPECT_EQ(Login("wangfang", "Wrong#Pass99").status().code(), ErrorCode::kAuthBadCredentials);
  ASSERT_TRUE(accounts_->SetDisabled(u.user.id, false).ok());
  EXPECT_TRUE(Login("wangfang", kGoodPassword).ok());
}

TEST_F(AuthLoginTest, RehashesBelowPolicyCost) {
  Add("wangfang", "grid_worker");
  AuthPolicy stronger = policy_;
  stronger.hash_cost.opslimit = policy_.hash_cost.opslimit + 1;
  Accounts upgraded(*db_, stronger, clock_);
  LoginRequest request;
  request.username = "wangfang";
  request.password = kGoodPassword;
  ASSERT_TRUE(upgraded.Authenticate(request).ok());
  auto rows = db_->Query("SELECT password_hash FROM users WHERE username = 'wangfang'");
  EXPECT_FALSE(NeedsRehash((*rows)[0].Text(0), stronger.hash_cost));
  EXPECT_TRUE(VerifyPassword((*rows)[0].Text(0), kGoodPassword));
}

TEST_F(AuthLoginTest, RefusedInsideATransaction) {
  Add("wangfang", "grid_worker");
  ASSERT_TRUE(db_->Begin().ok());
  EXPECT_EQ(Login("wangfang", kGoodPassword).status().code(), ErrorCode::kInternal);
  ASSERT_TRUE(db_->Rollback().ok());
}

// ---- Lockout -------------------------------------------------------------------------------

TEST_F(AuthLockoutTest, FiveFailuresLockForFifteenMinutes) {
  Add("wangfang", "grid_worker");
  for (int attempt = 1; attempt <= 5; ++attempt) {
    EXPECT_EQ(Login("wangfang", "Wrong#Pass99").status().code(), ErrorCode::kAuthBadCredentials)
        << attempt;
    clock_.Advance(10);
  }
  Status locked = Login("wangfang", kGoodPassword).status();
  EXPECT_EQ(locked.code(), ErrorCode::kAuthLocked);
  EXPECT_EQ(locked.Message(), "连续登录失败次数过多，账号已锁定，请15分钟后再试");
  EXPECT_EQ(LookupError(ErrorCode::kAuthLocked).http_status, 429);
  auto user = accounts_->FindUser("wangfang");
  EXPECT_GT(user->locked_until, clock_.Now());
  // 5th failure at t0+40 locks until t0+40+900; now is t0+50.
  clock_.Advance(900 - 10 - 1);
  EXPECT_EQ(Login("wangfang", kGoodPassword).status().code(), ErrorCode::kAuthLocked);
  clock_.Advance(1);
  auto ok = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(accounts_->FindUser("wangfang")->locked_until, 0);
  // The counter starts again from zero.
  for (int attempt = 1; attempt <= 4; ++attempt) (void)Login("wangfang", "Wrong#Pass99");
  EXPECT_TRUE(Login("wangfang", kGoodPassword).ok());
}

TEST_F(AuthLockoutTest, FailuresOutsideTheWindowDoNotAddUp) {
  Add("wangfang", "grid_worker");
  for (int attempt = 1; attempt <= 4; ++attempt) (void)Login("wangfang", "Wrong#Pass99");
  clock_.Advance(15 * 60);
  for (int attempt = 1; attempt <= 4; ++attempt) (void)Login("wangfang", "Wrong#Pass99");
  EXPECT_TRUE(Login("wangfang", kGoodPassword).ok());
}

TEST_F(AuthLockoutTest, SuccessResetsTheCount) {
  Add("wangfang", "grid_worker");
  for (int attempt = 1; attempt <= 4; ++attempt) (void)Login("wangfang", "Wrong#Pass99");
  EXPECT_TRUE(Login("wangfang", kGoodPassword).ok());
  for (int attempt = 1; attempt <= 4; ++attempt) (void)Login("wangfang", "Wrong#Pass99");
  EXPECT_TRUE(Login("wangfang", kGoodPassword).ok());
}

TEST_F(AuthLockoutTest, AdministratorUnlocks) {
  CreatedUser u = Add("wangfang", "grid_worker");
  for (int attempt = 1; attempt <= 5; ++attempt) (void)Login("wangfang", "Wrong#Pass99");
  EXPECT_EQ(Login("wangfang", kGoodPassword).status().code(), ErrorCode::kAuthLocked);
  ASSERT_TRUE(accounts_->Unlock(u.user.id).ok());
  EXPECT_TRUE(Login("wangfang", kGoodPassword).ok());
}

TEST_F(AuthLockoutTest, ConfiguredLimits) {
  policy_.max_failures = 3;
  policy_.lockout_seconds = 3600;
  accounts_ = std::make_unique<Accounts>(*db_, policy_, clock_);
  Add("wangfang", "grid_worker");
  for (int attempt = 1; attempt <= 3; ++attempt) (void)Login("wangfang", "Wrong#Pass99");
  Status st = Login("wangfang", kGoodPassword).status();
  EXPECT_EQ(st.code(), ErrorCode::kAuthLocked);
  EXPECT_EQ(st.Param("duration"), "1小时");
}

TEST_F(AuthLockoutTest, WrongTotpCodesCount) {
  CreatedUser u = Add("dudao", "supervisor");
  std::string wrong = WrongCodeFor(u.totp->secret);
  for (int attempt = 1; attempt <= 5; ++attempt)
    EXPECT_EQ(Login("dudao", kGoodPassword, wrong).status().code(), ErrorCode::kAuthTotpInvalid);
  EXPECT_EQ(Login("dudao", kGoodPassword, CodeFor(u.totp->secret)).status().code(),
            ErrorCode::kAuthLocked);
}

// ---- TOTP ----------------------------------------------------------------------------------

TEST_F(AuthTotpTest, RequiredForSupervisorsAndAdministrators) {
  int n = 0;
  for (const Role& role : AllRoles()) {
    std::string name = "user" + std::to_string(++n);
    CreatedUser u = Add(name, std::string(role.key));
    auto without = Login(name, kGoodPassword);
    if (!role.totp_required) {
      EXPECT_TRUE(without.ok()) << role.key << " " << without.status().ToString();
      continue;
    }
    EXPECT_EQ(without.status().code(), ErrorCode::kAuthTotpRequired) << role.key;
    EXPECT_EQ(without.status().Message(), "请输入动态口令（身份验证器中显示的6位数字）");
    auto with = Login(name, kGoodPassword, CodeFor(u.totp->secret));
    EXPECT_TRUE(with.ok()) << role.key << " " << with.status().ToString();
  }
  for (const char* key : {"supervisor", "system_admin", "security_admin", "auditor"})
    EXPECT_TRUE(FindRole(key)->totp_required) << key;
}

TEST_F(AuthTotpTest, RoleRequiringTotpWithoutOneGetsEnrolmentError) {
  CreatedUser u = Add("wangfang", "grid_worker");
  ASSERT_TRUE(accounts_->SetRole(u.user.id, "supervisor").ok());
  Status st = Login("wangfang", kGoodPassword).status();
  EXPECT_EQ(st.code(), ErrorCode::kAuthTotpNotEnrolled);
  EXPECT_NE(st.Message().find("街道/区督导账号必须使用动态口令登录"), std::string::npos);
  EXPECT_NE(st.Message().find("linli user reset-totp"), std::string::npos);
  // Only after the right password: a wrong one still says nothing about the account.
  EXPECT_EQ(Login("wangfang", "Wrong#Pass99").status().code(), ErrorCode::kAuthBadCredentials);
  auto enrolled = accounts_->ResetTotp(u.user.id);
  ASSERT_TRUE(enrolled.ok());
  EXPECT_TRUE(Login("wangfang", kGoodPassword, CodeFor(enrolled->secret)).ok());
}

TEST_F(AuthTotpTest, WrongCodeRejected) {
  CreatedUser u = Add("dudao", "supervisor");
  std::string code = CodeFor(u.totp->secret);
  std::string wrong = WrongCodeFor(u.totp->secret);
  EXPECT_EQ(Login("dudao", kGoodPassword, wrong).status().code(), ErrorCode::kAuthTotpInvalid);
  EXPECT_EQ(Login("dudao", kGoodPassword, "12345").status().code(), ErrorCode::kAuthTotpInvalid);
  EXPECT_EQ(Login("dudao", "Wrong#Pass99", code).status().code(), ErrorCode::kAuthBadCredentials);
  EXPECT_TRUE(Login("dudao", kGoodPassword, code).ok());
}

TEST_F(AuthTotpTest, ReplayedCodeRejected) {
  CreatedUser u = Add("dudao", "supervisor");
  std::string code = CodeFor(u.totp->secret);
  ASSERT_TRUE(Login("dudao", kGoodPassword, code).ok());
  clock_.Advance(5);
  Status replay = Login("dudao", kGoodPassword, code).status();
  EXPECT_EQ(replay.code(), ErrorCode::kAuthTotpReplayed);
  EXPECT_EQ(LookupError(replay.code()).http_status, 401);
  // An older code still inside the window is refused too.
  EXPECT_EQ(Login("dudao", kGoodPassword, CodeFor(u.totp->secret, -30)).status().code(),
            ErrorCode::kAuthTotpReplayed);
  clock_.Advance(30);
  EXPECT_TRUE(Login("dudao", kGoodPassword, CodeFor(u.totp->secret)).ok());
  // Replays do not count as failures: the account is not locked after many.
  for (int attempt = 0; attempt < 6; ++attempt) (void)Login("dudao", kGoodPassword, code);
  clock_.Advance(30);
  EXPECT_TRUE(Login("dudao", kGoodPassword, CodeFor(u.totp->secret)).ok());
}

TEST_F(AuthTotpTest, OneStepOfClockSkew) {
  CreatedUser u = Add("dudao", "supervisor");
  EXPECT_TRUE(Login("dudao", kGoodPassword, CodeFor(u.totp->secret, -30)).ok());  // phone slow
  clock_.Advance(60);
  EXPECT_TRUE(Login("dudao", kGoodPassword, CodeFor(u.totp->secret, 30)).ok());  // phone fast
  clock_.Advance(120);
  EXPECT_EQ(Login("dudao", kGoodPassword, CodeFor(u.totp->secret, -60)).status().code(),
            ErrorCode::kAuthTotpInvalid);
}

TEST_F(AuthTotpTest, SelfEnrolmentForOptionalRoles) {
  CreatedUser u = Add("wangfang", "grid_worker");
  auto pending = accounts_->BeginTotpEnrollment(u.user.id);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(Login("wangfang", kGoodPassword).ok());  // not enabled before confirmation
  EXPECT_EQ(accounts_->ConfirmTotp(u.user.id, WrongCodeFor(pending->secret)).code(),
            ErrorCode::kAuthTotpInvalid);
  EXPECT_TRUE(Login("wangfang", kGoodPassword).ok());  // still not enabled
  ASSERT_TRUE(accounts_->ConfirmTotp(u.user.id, CodeFor(pending->secret)).ok());
  EXPECT_EQ(Login("wangfang", kGoodPassword).status().code(), ErrorCode::kAuthTotpRequired);
  // The confirming code's step counts as used.
  EXPECT_EQ(Login("wangfang", kGoodPassword, CodeFor(pending->secret)).status().code(),
            ErrorCode::kAuthTotpReplayed);
  clock_.Advance(30);
  EXPECT_TRUE(Login("wangfang", kGoodPassword, CodeFor(pending->secret)).ok());
  EXPECT_EQ(accounts_->BeginTotpEnrollment(u.user.id).status().code(), ErrorCode::kConflict);
}

TEST_F(AuthTotpTest, ResetInvalidatesOldSecretAndSessions) {
  CreatedUser u = Add("dudao", "supervisor");
  auto s = Login("dudao", kGoodPassword, CodeFor(u.totp->secret));
  ASSERT_TRUE(s.ok());
  auto fresh = accounts_->ResetTotp(u.user.id);
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(fresh->secret, u.totp->secret);
  EXPECT_EQ(accounts_->ValidateSession(s->token).status().code(), ErrorCode::kAuthSessionInvalid);
  clock_.Advance(30);
  std::string old_code = CodeFor(u.totp->secret), new_code = CodeFor(fresh->secret);
  if (old_code != new_code) {
    EXPECT_EQ(Login("dudao", kGoodPassword, old_code).status().code(), ErrorCode::kAuthTotpInvalid);
  }
  EXPECT_TRUE(Login("dudao", kGoodPassword, new_code).ok());
}

// ---- Sessions ------------------------------------------------------------------------------

TEST_F(SessionTest, NewIdAtEveryLogin) {
  Add("wangfang", "grid_worker");
  auto first = Login("wangfang", kGoodPassword);
  auto second = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->token, second->token);
  EXPECT_NE(first->session.id, second->session.id);
  EXPECT_NE(first->session.csrf_token, second->session.csrf_token);
  // A login that presents its previous cookie ends that session (no fixation).
  LoginRequest request;
  request.username = "wangfang";
  request.password = kGoodPassword;
  request.previous_token = second->token;
  auto third = accounts_->Authenticate(request);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(accounts_->ValidateSession(second->token).status().code(),
            ErrorCode::kAuthSessionInvalid);
  EXPECT_TRUE(accounts_->ValidateSession(first->token).ok());
  EXPECT_TRUE(accounts_->ValidateSession(third->token).ok());
}

TEST_F(SessionTest, IdleTimeout) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(s.ok());
  // Activity every 29 minutes keeps the session alive.
  for (int round = 0; round < 4; ++round) {
    clock_.Advance(29 * 60);
    auto v = accounts_->ValidateSession(s->token);
    ASSERT_TRUE(v.ok()) << round << " " << v.status().ToString();
    EXPECT_EQ(v->last_seen_at, clock_.Now());
    EXPECT_EQ(v->user.username, "wangfang");
  }
  clock_.Advance(30 * 60);
  Status idle = accounts_->ValidateSession(s->token).status();
  EXPECT_EQ(idle.code(), ErrorCode::kAuthSessionIdle);
  EXPECT_EQ(idle.Message(), "超过30分钟未操作，已自动退出，请重新登录");
  EXPECT_EQ(LookupError(idle.code()).http_status, 401);
  // Ended for good: activity afterwards does not revive it.
  EXPECT_EQ(accounts_->ValidateSession(s->token).status().code(), ErrorCode::kAuthSessionInvalid);
  auto reason = db_->Query("SELECT revoke_reason FROM sessions WHERE id = ?", {s->session.id});
  EXPECT_EQ((*reason)[0].Text(0), "idle");
}

TEST_F(SessionTest, IdleJustBelowAndAtTheLimit) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(s.ok());
  clock_.Advance(30 * 60 - 1);
  EXPECT_TRUE(accounts_->ValidateSession(s->token).ok());
  auto t = Login("wangfang", kGoodPassword);
  clock_.Advance(30 * 60);
  EXPECT_EQ(accounts_->ValidateSession(t->token).status().code(), ErrorCode::kAuthSessionIdle);
}

TEST_F(SessionTest, TouchIsThrottled) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(s.ok());
  const int64_t login_at = clock_.Now();
  clock_.Advance(30);
  EXPECT_EQ(accounts_->ValidateSession(s->token)->last_seen_at, login_at);
  clock_.Advance(30);
  EXPECT_EQ(accounts_->ValidateSession(s->token)->last_seen_at, login_at + 60);
}

TEST_F(SessionTest, AbsoluteLifetime) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(s.ok());
  const int64_t end = s->session.expires_at;
  while (clock_.Now() + 20 * 60 < end) {
    clock_.Advance(20 * 60);
    ASSERT_TRUE(accounts_->ValidateSession(s->token).ok()) << end - clock_.Now();
  }
  clock_.Set(end);
  Status expired = accounts_->ValidateSession(s->token).status();
  EXPECT_EQ(expired.code(), ErrorCode::kAuthSessionExpired);
  EXPECT_EQ(expired.Message(), "本次登录已超过12小时，请重新登录");
}

TEST_F(SessionTest, CsrfMismatchRejected) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  auto other = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(s.ok() && other.ok());
  auto v = accounts_->ValidateSession(s->token);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(accounts_->CheckCsrf(*v, s->session.csrf_token).ok());
  std::string flipped = s->session.csrf_token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad : {std::string(), flipped, other->session.csrf_token, s->token,
                                 s->session.csrf_token.substr(1)}) {
    Status st = accounts_->CheckCsrf(*v, bad);
    EXPECT_EQ(st.code(), ErrorCode::kAuthCsrf) << bad;
    EXPECT_EQ(LookupError(st.code()).http_status, 403);
  }
  Session blank;
  EXPECT_EQ(accounts_->CheckCsrf(blank, "").code(), ErrorCode::kAuthCsrf);
}

TEST_F(SessionTest, Logout) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(accounts_->Logout(s->token).ok());
  EXPECT_EQ(accounts_->ValidateSession(s->token).status().code(), ErrorCode::kAuthSessionInvalid);
  EXPECT_TRUE(accounts_->Logout(s->token).ok());
  EXPECT_TRUE(accounts_->Logout("").ok());
}

TEST_F(SessionTest, RotateKeepsTheAbsoluteEnd) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(s.ok());
  clock_.Advance(600);
  auto rotated = accounts_->RotateSession(s->token);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_NE(rotated->token, s->token);
  EXPECT_NE(rotated->session.csrf_token, s->session.csrf_token);
  EXPECT_EQ(rotated->session.expires_at, s->session.expires_at);
  EXPECT_EQ(accounts_->ValidateSession(s->token).status().code(), ErrorCode::kAuthSessionInvalid);
  EXPECT_TRUE(accounts_->ValidateSession(rotated->token).ok());
  EXPECT_EQ(accounts_->RotateSession(s->token).status().code(), ErrorCode::kAuthSessionInvalid);
}

TEST_F(SessionTest, PrivilegeChangesEndSessions) {
  CreatedUser u = Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(accounts_->SetRole(u.user.id, "community_worker").ok());
  EXPECT_EQ(accounts_->ValidateSession(s->token).status().code(), ErrorCode::kAuthSessionInvalid);
  auto again = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->session.user.role, "community_worker");
  ASSERT_TRUE(accounts_->SetDisabled(u.user.id, true).ok());
  EXPECT_EQ(accounts_->ValidateSession(again->token).status().code(),
            ErrorCode::kAuthSessionInvalid);
  ASSERT_TRUE(accounts_->SetDisabled(u.user.id, false).ok());
  auto third = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(accounts_->SetPassword(u.user.id, "New#Password7", /*must_change=*/true).ok());
  EXPECT_EQ(accounts_->ValidateSession(third->token).status().code(),
            ErrorCode::kAuthSessionInvalid);
  EXPECT_EQ(accounts_->SetRole(u.user.id, "root").code(), ErrorCode::kRoleUnknown);
  EXPECT_EQ(accounts_->SetPassword(u.user.id, "weak", false).code(), ErrorCode::kPasswordTooShort);
}

TEST_F(SessionTest, ChangePasswordByItsOwner) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(accounts_->ChangePassword(s->token, "Wrong#Pass99", "New#Password7").status().code(),
            ErrorCode::kAuthOldPasswordWrong);
  EXPECT_EQ(accounts_->ChangePassword(s->token, kGoodPassword, kGoodPassword).status().code(),
            ErrorCode::kPasswordUnchanged);
  EXPECT_EQ(accounts_->ChangePassword(s->token, kGoodPassword, "newpassword").status().code(),
            ErrorCode::kPasswordClasses);
  EXPECT_EQ(accounts_->ChangePassword("garbage", kGoodPassword, "New#Password7").status().code(),
            ErrorCode::kAuthSessionInvalid);
  auto other = Login("wangfang", kGoodPassword);
  auto changed = accounts_->ChangePassword(s->token, kGoodPassword, "New#Password7");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->session.expires_at, s->session.expires_at);
  EXPECT_FALSE(changed->session.must_change_password);
  EXPECT_EQ(accounts_->ValidateSession(s->token).status().code(), ErrorCode::kAuthSessionInvalid);
  EXPECT_EQ(accounts_->ValidateSession(other->token).status().code(),
            ErrorCode::kAuthSessionInvalid);
  EXPECT_TRUE(accounts_->ValidateSession(changed->token).ok());
  EXPECT_EQ(Login("wangfang", kGoodPassword).status().code(), ErrorCode::kAuthBadCredentials);
  EXPECT_TRUE(Login("wangfang", "New#Password7").ok());
}

TEST_F(SessionTest, GuessingTheOldPasswordLocksAndEndsTheSession) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(s.ok());
  for (int attempt = 1; attempt <= 5; ++attempt)
    (void)accounts_->ChangePassword(s->token, "Wrong#Pass99", "New#Password7");
  EXPECT_EQ(accounts_->ValidateSession(s->token).status().code(), ErrorCode::kAuthSessionInvalid);
  EXPECT_EQ(Login("wangfang", kGoodPassword).status().code(), ErrorCode::kAuthLocked);
}

TEST_F(SessionTest, MustChangePasswordAfterResetOrRotation) {
  CreatedUser u = Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  EXPECT_FALSE(s->session.must_change_password);
  clock_.Advance(90 * 86400);
  auto late = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->session.must_change_password);
  EXPECT_TRUE(accounts_->ValidateSession(late->token)->must_change_password);
  EXPECT_TRUE(accounts_->CheckPasswordCurrent(s->session).ok());
  EXPECT_EQ(accounts_->CheckPasswordCurrent(late->session).Message(),
            "密码已超过90天未修改，请先修改密码");
  auto renewed = accounts_->ChangePassword(late->token, kGoodPassword, "New#Password7");
  ASSERT_TRUE(renewed.ok());
  EXPECT_FALSE(accounts_->ValidateSession(renewed->token)->must_change_password);
  ASSERT_TRUE(accounts_->SetPassword(u.user.id, "Reset#Password8", /*must_change=*/true).ok());
  auto after_reset = Login("wangfang", "Reset#Password8");
  ASSERT_TRUE(after_reset.ok());
  EXPECT_TRUE(after_reset->session.must_change_password);
  EXPECT_EQ(accounts_->CheckPasswordCurrent(after_reset->session).Message(),
            "当前密码是管理员设置的初始密码，请先修改密码");
  EXPECT_EQ(LookupError(ErrorCode::kAuthPasswordChangeRequired).http_status, 403);
}

TEST_F(SessionTest, GarbageTokensAreInvalid) {
  Add("wangfang", "grid_worker");
  auto s = Login("wangfang", kGoodPassword);
  for (const std::string& token : {std::string(), std::string("x"), std::string(43, 'A'),
                                   s->session.id, s->token + "A", s->session.csrf_token})
    EXPECT_EQ(accounts_->ValidateSession(token).status().code(), ErrorCode::kAuthSessionInvalid)
        << token;
}

TEST_F(SessionTest, PurgeEndedSessions) {
  Add("wangfang", "grid_worker");
  auto ended = Login("wangfang", kGoodPassword);
  ASSERT_TRUE(accounts_->Logout(ended->token).ok());
  auto live = Login("wangfang", kGoodPassword);
  clock_.Advance(20 * 60);
  ASSERT_TRUE(accounts_->ValidateSession(live->token).ok());
  clock_.Advance(2 * 86400 - 20 * 60);
  auto recent = Login("wangfang", kGoodPassword);
  auto purged = accounts_->PurgeSessions(86400);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 2);  // the logged-out one and the long-idle one
  EXPECT_TRUE(accounts_->ValidateSession(recent->token).ok());
}

TEST_F(SessionTest, CookieAttributes) {
  std::string cookie = SessionCookie("tok", 43200, /*secure=*/false);
  EXPECT_EQ(cookie, "linli_session=tok; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SessionCookie("tok", 60, /*secure=*/true),
            "linli_session=tok; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(ClearedSessionCookie(true),
            "linli_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
}

}  // namespace
}  // namespace linli::auth
