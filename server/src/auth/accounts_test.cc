// Tests of user accounts, on the engine of LINLI_TEST_DB:
//  - The role table: the seven roles, TOTP for supervisors and administrators, no sensitive reads
//    for the three administrators, lookup by key or Chinese label.
//  - CreateUser: Argon2id hash stored (never the password), scope by org code or id, user name
//    rules and normalisation, duplicate names, unknown role or org, weak passwords with the
//    policy's Chinese message, TOTP enrolled at creation exactly for the roles that require it.
//  - ListUsers, the free CreateUser + GeneratePassword used by init/demo, and `linli user add`
//    / `user list` through the binary (generated password and otpauth:// URI printed once).
#include "auth/accounts.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "auth/accounts_testing.h"
#include "auth/password.h"
#include "auth/roles.h"

namespace linli::auth {
namespace {

TEST(AuthRolesTest, Table) {
  ASSERT_EQ(AllRoles().size(), 7u);
  for (const char* key : {"grid_worker", "community_worker", "community_head"}) {
    const Role* role = FindRole(key);
    ASSERT_NE(role, nullptr) << key;
    EXPECT_FALSE(role->totp_required) << key;
    EXPECT_TRUE(role->reads_sensitive) << key;
  }
  EXPECT_TRUE(FindRole("supervisor")->totp_required);
  for (const char* key : {"system_admin", "security_admin", "auditor"}) {
    const Role* role = FindRole(key);
    ASSERT_NE(role, nullptr) << key;
    EXPECT_TRUE(role->totp_required) << key;
    EXPECT_FALSE(role->reads_sensitive) << key;
    EXPECT_TRUE(role->administrator) << key;
  }
  EXPECT_EQ(FindRole("网格员"), FindRole("grid_worker"));
  EXPECT_EQ(FindRole("社区书记/主任")->key, "community_head");
  EXPECT_EQ(FindRole("admin"), nullptr);
  EXPECT_NE(RoleList().find("auditor（审计管理员）"), std::string::npos);
}

class UserTest : public AuthFixture {};

TEST_F(UserTest, CreateStoresArgon2idHashAndScope) {
  CreatedUser created = Add("wangfang", "grid_worker");
  EXPECT_GT(created.user.id, 0);
  EXPECT_EQ(created.user.username, "wangfang");
  EXPECT_EQ(created.user.display_name, "wangfang");
  EXPECT_EQ(created.user.role, "grid_worker");
  EXPECT_EQ(created.user.org_id, community_id_);
  EXPECT_EQ(created.user.created_at, clock_.Now());
  EXPECT_EQ(created.user.password_changed_at, clock_.Now());
  EXPECT_FALSE(created.user.totp_enabled);
  EXPECT_FALSE(created.totp.has_value());
  auto rows = db_->Query("SELECT password_hash FROM users WHERE username = 'wangfang'");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  std::string hash = (*rows)[0].Text(0);
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(hash, kGoodPassword));

  NewUser by_id;
  by_id.username = "lisi";
  by_id.display_name = "李四";
  by_id.role = "community_head";
  by_id.org_id = district_id_;
  by_id.password = kGoodPassword;
  auto second = accounts_->CreateUser(by_id);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->user.org_id, district_id_);
  EXPECT_EQ(second->user.display_name, "李四");
  EXPECT_TRUE(second->user.must_change_password);  // the default for a password set by others
}

TEST_F(UserTest, UsernameRules) {
  EXPECT_EQ(Add(" ZhangSan ", "grid_worker").user.username, "zhangsan");
  EXPECT_TRUE(accounts_->FindUser("ZHANGSAN").ok());
  for (const char* bad : {"ab", "1abc", "张三", "zhang san", "a234567890123456789012345678901234",
                          "", "zhang;drop"}) {
    NewUser spec;
    spec.username = bad;
    spec.role = "grid_worker";
    spec.org_code = "110105001001";
    spec.password = kGoodPassword;
    EXPECT_EQ(accounts_->CreateUser(spec).status().code(), ErrorCode::kUsernameInvalid) << bad;
  }
}

TEST_F(UserTest, DuplicateUnknownRoleUnknownOrg) {
  Add("wangfang", "grid_worker");
  NewUser spec;
  spec.username = "WangFang";
  spec.role = "grid_worker";
  spec.org_code = "110105001001";
  spec.password = kGoodPassword;
  Status st = accounts_->CreateUser(spec).status();
  EXPECT_EQ(st.code(), ErrorCode::kUserExists);
  EXPECT_EQ(LookupError(st.code()).http_status, 409);
  spec.username = "other";
  spec.role = "root";
  st = accounts_->CreateUser(spec).status();
  EXPECT_EQ(st.code(), ErrorCode::kRoleUnknown);
  EXPECT_NE(st.Message().find("grid_worker（网格员）"), std::string::npos) << st.Message();
  spec.role = "grid_worker";
  spec.org_code = "999999";
  EXPECT_EQ(accounts_->CreateUser(spec).status().code(), ErrorCode::kOrgNotFound);
  spec.org_code = "";
  spec.org_id = 987654;
  EXPECT_EQ(accounts_->CreateUser(spec).status().code(), ErrorCode::kOrgNotFound);
  auto count = db_->QueryInt("SELECT count(*) FROM users");
  EXPECT_EQ(*count, 1);
}

TEST_F(UserTest, WeakPasswordRefusedWithPolicyMessage) {
  NewUser spec;
  spec.username = "zhaoliu";
  spec.role = "grid_worker";
  spec.org_code = "110105001001";
  spec.password = "zhaoliu123";
  Status st = accounts_->CreateUser(spec).status();
  EXPECT_EQ(st.code(), ErrorCode::kPasswordClasses);
  EXPECT_EQ(st.Message(), "密码需包含大写字母、小写字母、数字、符号中的至少3类，当前只有2类");
  spec.password = "Zhaoliu123";
  EXPECT_EQ(accounts_->CreateUser(spec).status().code(), ErrorCode::kPasswordContainsUsername);
  spec.password = "Ab1";
  EXPECT_EQ(accounts_->CreateUser(spec).status().code(), ErrorCode::kPasswordTooShort);
  EXPECT_FALSE(accounts_->FindUser("zhaoliu").ok());
}

TEST_F(UserTest, TotpEnrolledAtCreationForRolesThatRequireIt) {
  int n = 0;
  for (const Role& role : AllRoles()) {
    CreatedUser created = Add("user" + std::to_string(++n), std::string(role.label));
    EXPECT_EQ(created.user.role, role.key);
    EXPECT_EQ(created.user.totp_enabled, role.totp_required) << role.key;
    EXPECT_EQ(created.totp.has_value(), role.totp_required) << role.key;
    if (!created.totp) continue;
    EXPECT_EQ(created.totp->secret.size(), 32u);
    EXPECT_EQ(
        created.totp->uri.rfind(
            "otpauth://totp/linli:" + created.user.username + "?secret=" + created.totp->secret, 0),
        0u)
        << created.totp->uri;
  }
}

TEST_F(UserTest, ListAndFind) {
  Add("zhangsan", "grid_worker");
  Add("admin.sys", "system_admin");
  Add("lisi", "community_worker");
  auto users = accounts_->ListUsers();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 3u);
  EXPECT_EQ((*users)[0].username, "admin.sys");
  EXPECT_EQ((*users)[1].username, "lisi");
  EXPECT_EQ((*users)[2].username, "zhangsan");
  EXPECT_EQ(accounts_->FindUser("nobody").status().code(), ErrorCode::kUserNotFound);
  EXPECT_EQ(accounts_->GetUser(424242).status().code(), ErrorCode::kUserNotFound);
  auto found = accounts_->GetUser((*users)[0].id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->role_info()->label, "系统管理员");
}

TEST_F(UserTest, LibraryCreateUserWithGeneratedPassword) {
  // What `linli init` / `linli demo` call: the default (interactive) Argon2id cost.
  NewUser spec;
  spec.username = "secadmin";
  spec.role = "security_admin";
  spec.org_code = "110105";
  spec.password = GeneratePassword();
  auto created = CreateUser(*db_, spec);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(created->totp.has_value());
  Accounts real(*db_, AuthPolicy{}, clock_);
  LoginRequest request;
  request.username = "secadmin";
  request.password = spec.password;
  auto key = Base32Decode(created->totp->secret);
  ASSERT_TRUE(key.ok());
  request.totp_code = TotpCode(*key, clock_.Now());
  auto session = real.Authenticate(request);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_TRUE(session->session.must_change_password);
}

// Runs a shell command; returns its exit code and output (stdout and stderr).
int RunShell(const std::string& command, std::string& out) {
  out.clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int RunLinli(const std::string& args, std::string& out) {
  return RunShell(std::string(LINLI_BINARY) + " " + args, out);
}

TEST(UserCliTest, AddWithGenerateListAndRefuseWeak) {
  std::string url = linli::testing::FreshStoreUrl();
  {
    auto db = storage::Db::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto district = org::UpsertOrgUnit(**db, "110105", "朝阳区", org::Level::kDistrict, 0);
    ASSERT_TRUE(district.ok());
  }  // closed: SQLite allows one writer process
  std::string out;
  std::string db_arg = "--db '" + url + "'";
  ASSERT_EQ(RunLinli("user add " + db_arg +
                         " --username dudao --generate --role supervisor --org 110105 --json",
                     out),
            0)
      << out;
  auto j = nlohmann::json::parse(out.substr(out.find('{')), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  std::string password = j.value("password", "");
  EXPECT_EQ(password.size(), 16u);
  EXPECT_EQ(j.value("otpauth_uri", "").rfind("otpauth://totp/linli:dudao?secret=", 0), 0u);

  ASSERT_EQ(
      RunLinli("user add " + db_arg + " --username wangfang --role 网格员 --org 110105 --generate",
               out),
      0)
      << out;
  EXPECT_NE(out.find("已创建用户 wangfang（网格员，朝阳区（110105））"), std::string::npos) << out;
  EXPECT_NE(out.find("初始密码（只显示这一次"), std::string::npos) << out;
  EXPECT_EQ(out.find("otpauth://"), std::string::npos) << out;

  EXPECT_EQ(RunShell("echo 'weakpass' | " + std::string(LINLI_BINARY) + " user add " + db_arg +
                         " --username weak --role grid_worker --org 110105",
                     out),
            1);
  EXPECT_NE(out.find("E6015"), std::string::npos) << out;
  EXPECT_NE(out.find("至少3类"), std::string::npos) << out;

  ASSERT_EQ(RunLinli("user list " + db_arg + " --json", out), 0) << out;
  auto list = nlohmann::json::parse(out.substr(out.find('[')), nullptr, false);
  ASSERT_TRUE(list.is_array()) << out;
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["username"], "dudao");
  EXPECT_EQ(list[0]["totp_enabled"], true);
  EXPECT_EQ(out.find(password), std::string::npos);  // never shown again
  EXPECT_EQ(out.find("argon2"), std::string::npos);
}

}  // namespace
}  // namespace linli::auth
