// Handlers of the `linli user …` commands over auth::Accounts.
#include "main/user_commands.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/accounts.h"
#include "auth/password.h"
#include "common/time_util.h"
#include "org/org.h"

namespace linli::cli {
namespace {

using nlohmann::json;

// "2026-03-01 14:05" in China Standard Time; "" for 0.
std::string LocalTime(int64_t unix_seconds) {
  if (unix_seconds <= 0) return "";
  int64_t local = unix_seconds + 8 * 3600;
  int64_t days = local / 86400, rest = local % 86400;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d",
                Date::FromDays(static_cast<int>(days)).ToString().c_str(),
                static_cast<int>(rest / 3600), static_cast<int>(rest % 3600 / 60));
  return buf;
}

// One line from stdin; on a terminal, prompted on stderr without echo.
bool ReadSecretLine(const char* prompt, std::string& out) {
  bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "%s", prompt);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  bool ok = static_cast<bool>(std::getline(std::cin, out));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return ok;
}

// The password of --password, --generate or stdin. `generated` tells whether to print it.
Result<std::string> PasswordArg(const Args& a, bool& generated) {
  generated = false;
  if (a.Has("generate") && a.Has("password"))
    return Error(ErrorCode::kUsage, {{"detail", "--password 与 --generate 只能选一个"}});
  if (a.Has("generate")) {
    generated = true;
    return auth::GeneratePassword();
  }
  if (a.Has("password")) {
    std::fprintf(stderr,
                 "注意：命令行中的密码会留在命令历史里；建议改用 --generate 或从标准输入读入\n");
    return a.Get("password");
  }
  std::string first, second;
  if (!ReadSecretLine("请输入密码：", first) || first.empty())
    return Error(ErrorCode::kUsage, {{"detail", "没有读到密码（可用 --generate 生成）"}});
  if (isatty(STDIN_FILENO)) {
    if (!ReadSecretLine("请再输入一次：", second) || second != first)
      return Error(ErrorCode::kUsage, {{"detail", "两次输入的密码不一致"}});
  }
  return first;
}

void PrintTotp(const auth::TotpEnrollment& totp) {
  std::printf("动态口令（只显示这一次）：请用身份验证器扫描或输入以下地址\n  %s\n  密钥：%s\n",
              totp.uri.c_str(), totp.secret.c_str());
}

std::string OrgLabel(storage::Db& db, int64_t org_id) {
  auto unit = org::GetOrg(db, org_id);
  return unit.ok() ? unit->name + "（" + unit->code + "）" : "#" + std::to_string(org_id);
}

}  // namespace

int CmdUserAdd(const Args& a) {
  if (!a.Has("username") || !a.Has("role") || !a.Has("org"))
    return Usage(a,
                 "linli user add --username 用户名 --role 角色 --org 组织代码 [--name 姓名] "
                 "[--password 密码 | --generate]；角色：" +
                     auth::RoleList());
  bool generated = false;
  auto password = PasswordArg(a, generated);
  if (!password.ok()) return Fail(password.status(), a);
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auth::NewUser spec;
  spec.username = a.Get("username");
  spec.display_name = a.Get("name");
  spec.role = a.Get("role");
  spec.org_code = a.Get("org");
  spec.password = *password;
  auto created = auth::CreateUser(**db, spec);
  if (!created.ok()) return Fail(created.status(), a);
  const auth::User& u = created->user;
  const auth::Role* role = u.role_info();
  if (a.json()) {
    json j = {{"id", u.id},
              {"username", u.username},
              {"display_name", u.display_name},
              {"role", u.role},
              {"org", OrgLabel(**db, u.org_id)},
              {"must_change_password", u.must_change_password}};
    if (generated) j["password"] = *password;
    if (created->totp) {
      j["totp_secret"] = created->totp->secret;
      j["otpauth_uri"] = created->totp->uri;
    }
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("已创建用户 %s（%s，%s）\n", u.username.c_str(),
              role ? std::string(role->label).c_str() : u.role.c_str(),
              OrgLabel(**db, u.org_id).c_str());
  if (generated) std::printf("初始密码（只显示这一次，首次登录后须修改）：%s\n", password->c_str());
  if (created->totp) PrintTotp(*created->totp);
  return 0;
}

int CmdUserList(const Args& a) {
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auth::Accounts accounts(**db);
  auto users = accounts.ListUsers();
  if (!users.ok()) return Fail(users.status(), a);
  int64_t now = accounts.clock().Now();
  json arr = json::array();
  for (const auth::User& u : *users) {
    const auth::Role* role = u.role_info();
    std::string role_label = role ? std::string(role->label) : u.role;
    bool locked = u.locked_until > now;
    if (a.json()) {
      arr.push_back(
          {{"id", u.id},
           {"username", u.username},
           {"display_name", u.display_name},
           {"role", u.role},
           {"org", OrgLabel(**db, u.org_id)},
           {"totp_enabled", u.totp_enabled},
           {"disabled", u.disabled},
           {"locked_until", locked ? json(LocalTime(u.locked_until)) : json(nullptr)},
           {"last_login_at", u.last_login_at ? json(LocalTime(u.last_login_at)) : json(nullptr)},
           {"created_at", LocalTime(u.created_at)}});
      continue;
    }
    std::string state = u.disabled ? "停用"
                        : locked   ? "锁定至" + LocalTime(u.locked_until)
                                   : "正常";
    std::printf("%-16s %-10s %-14s %-8s %s  %s  最近登录 %s\n", u.username.c_str(),
                u.display_name.c_str(), role_label.c_str(), u.totp_enabled ? "动态口令" : "仅密码",
                state.c_str(), OrgLabel(**db, u.org_id).c_str(),
                u.last_login_at ? LocalTime(u.last_login_at).c_str() : "从未");
  }
  if (a.json())
    std::printf("%s\n", arr.dump(2).c_str());
  else if (users->empty())
    std::printf("（还没有用户：运行 linli user add 创建）\n");
  return 0;
}

int CmdUserResetPassword(const Args& a) {
  if (!a.Has("username"))
    return Usage(a, "linli user reset-password --username 用户名 [--password 密码 | --generate]");
  bool generated = false;
  auto password = PasswordArg(a, generated);
  if (!password.ok()) return Fail(password.status(), a);
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auth::Accounts accounts(**db);
  auto user = accounts.FindUser(a.Get("username"));
  if (!user.ok()) return Fail(user.status(), a);
  Status st = accounts.SetPassword(user->id, *password, /*must_change=*/true);
  if (!st.ok()) return Fail(st, a);
  if (a.json()) {
    json j = {{"username", user->username}, {"must_change_password", true}};
    if (generated) j["password"] = *password;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("已重置 %s 的密码，其所有登录已失效\n", user->username.c_str());
  if (generated) std::printf("新密码（只显示这一次，登录后须修改）：%s\n", password->c_str());
  return 0;
}

int CmdUserResetTotp(const Args& a) {
  if (!a.Has("username")) return Usage(a, "linli user reset-totp --username 用户名");
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auth::Accounts accounts(**db);
  auto user = accounts.FindUser(a.Get("username"));
  if (!user.ok()) return Fail(user.status(), a);
  auto totp = accounts.ResetTotp(user->id);
  if (!totp.ok()) return Fail(totp.status(), a);
  if (a.json()) {
    json j = {
        {"username", user->username}, {"totp_secret", totp->secret}, {"otpauth_uri", totp->uri}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("已为 %s 更换动态口令密钥，旧密钥立即失效，其所有登录已失效\n",
              user->username.c_str());
  PrintTotp(*totp);
  return 0;
}

int CmdUserUnlock(const Args& a) {
  if (!a.Has("username")) return Usage(a, "linli user unlock --username 用户名");
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auth::Accounts accounts(**db);
  auto user = accounts.FindUser(a.Get("username"));
  if (!user.ok()) return Fail(user.status(), a);
  Status st = accounts.Unlock(user->id);
  if (!st.ok()) return Fail(st, a);
  if (a.json())
    std::printf("%s\n", json({{"username", user->username}, {"unlocked", true}}).dump(2).c_str());
  else
    std::printf("已解除 %s 的登录锁定\n", user->username.c_str());
  return 0;
}

}  // namespace linli::cli
