// Generated first accounts for init and demo.
#include "main/initial_accounts.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "auth/password.h"

namespace linli::cli {

Result<std::vector<InitialAccount>> CreateInitialAccounts(storage::Db& db, const std::vector<AccountSpec>& specs,
                                                          bool must_change_password) {
  auth::Accounts accounts(db);
  std::vector<InitialAccount> out;
  for (const auto& spec : specs) {
    InitialAccount a{spec, "", std::nullopt};
    auto existing = accounts.FindUser(spec.username);
    if (existing.ok()) {
      out.push_back(std::move(a));
      continue;
    }
    if (existing.status().code() != ErrorCode::kUserNotFound) return existing.status();
    auth::NewUser nu;
    nu.username = spec.username;
    nu.role = spec.role;
    nu.org_code = spec.org_code;
    nu.password = auth::GeneratePassword();
    nu.must_change_password = must_change_password;
    ASSIGN_OR_RETURN(auth::CreatedUser created, accounts.CreateUser(nu));
    a.password = nu.password;
    a.totp = created.totp;
    out.push_back(std::move(a));
  }
  return out;
}

nlohmann::json InitialAccountsJson(const std::vector<InitialAccount>& accounts) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& a : accounts) {
    nlohmann::json j = {{"username", a.spec.username}, {"role", a.spec.role}, {"org_code", a.spec.org_code},
                        {"created", !a.password.empty()}};
    if (!a.password.empty()) j["password"] = a.password;
    if (a.totp) j["totp_secret"] = a.totp->secret;
    arr.push_back(j);
  }
  return arr;
}

Status PrintInitialAccounts(const std::vector<InitialAccount>& accounts, const std::string& logins_file) {
  std::string text = "登录账号（密码只显示这一次，请妥善保存）：\n";
  for (const auto& a : accounts) {
    const auth::Role* role = auth::FindRole(a.spec.role);
    std::string line = "  " + a.spec.username + "  " + (role ? std::string(role->label) : a.spec.role) + "  " + a.spec.org_code;
    if (a.password.empty()) {
      line += "  （已存在，密码未改变）";
    } else {
      line += "  密码 " + a.password;
      if (a.totp) line += "  动态口令密钥 " + a.totp->secret;
    }
    text += line + "\n";
  }
  std::fputs(text.c_str(), stdout);
  if (logins_file.empty()) return Status::Ok();
  int fd = ::open(logins_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error(ErrorCode::kIo, {{"path", logins_file}, {"detail", "无法写入"}});
  ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) return Error(ErrorCode::kIo, {{"path", logins_file}, {"detail", "写入不完整"}});
  return Status::Ok();
}

}  // namespace linli::cli
