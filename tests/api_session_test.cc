// Sessions, CSRF, forced password changes, lockout and fail-closed auditing through the API (the
// account rules themselves are tested in server/src/auth/*_test.cc with a controllable clock).
#include <gtest/gtest.h>

#include "api_world.h"
#include "test_db.h"

namespace linli::testing {
namespace {

using nlohmann::json;

class ApiSessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { world_ = ApiWorld::Build().release(); }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(world_); }
  static ApiWorld* world_;
};
ApiWorld* ApiSessionTest::world_ = nullptr;

int Code(const Reply& r) { return r.body["error"]["code"].get<int>(); }

TEST_F(ApiSessionTest, LoginSetsAStrictHttpOnlyCookieAndLogoutEndsTheSession) {
  std::string name;
  world_->AddUser("community_worker", world_->Unit("110105001001").id, false, &name);
  WorldUser u;
  Reply login = world_->Login(name, ApiWorld::kPassword, &u);
  ASSERT_EQ(login.status, 201) << login.raw;
  std::string cookie;
  for (const auto& [k, v] : login.headers)
    if (k == "Set-Cookie") cookie = v;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "no TLS here: " << cookie;
  Reply session = world_->Call(&u, "GET", "/api/v1/session");
  EXPECT_EQ(session.status, 200);
  // The role's permissions from data/policy/permissions.csv, for the UI's menus.
  EXPECT_EQ(
      session.body["data"]["permissions"],
      json::array({"session", "org.read", "registry.read", "registry.write", "registry.reveal",
                   "registry.merge", "registry.import", "registry.export", "ledger.read",
                   "ledger.write", "ledger.import", "ledger.export"}))
      << session.raw;
  Reply out = world_->Call(&u, "DELETE", "/api/v1/session");
  EXPECT_EQ(out.status, 200) << out.raw;
  Reply after = world_->Call(&u, "GET", "/api/v1/session");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(Code(after), static_cast<int>(ErrorCode::kAuthSessionInvalid));
}

TEST_F(ApiSessionTest, NoCookieIs401AndAForgedCookieToo) {
  EXPECT_EQ(world_->Call(nullptr, "GET", "/api/v1/persons").status, 401);
  Reply forged = world_->Call(nullptr, "GET", "/api/v1/persons", "", {{"cookie", "linli_session=abc"}});
  EXPECT_EQ(forged.status, 401);
}

TEST_F(ApiSessionTest, StateChangingRequestsWithoutTheCsrfTokenAreRefusedAndChangeNothing) {
  const WorldUser& worker = world_->User("community_worker@110105001001");
  const WorldPerson& p = world_->persons[0];
  std::string path = "/api/v1/persons/" + std::to_string(p.id);
  json body = {{"hukou_address", "CSRF测试地址"}, {"reason", "跨站请求"}};
  for (std::string token : {"", "wrong-token"}) {
    Reply r = world_->Call(&worker, "PATCH", path, body.dump(), {{"x-csrf-token", token}});
    EXPECT_EQ(r.status, 403) << r.raw;
    EXPECT_EQ(Code(r), static_cast<int>(ErrorCode::kAuthCsrf));
  }
  Reply now = world_->Call(&worker, "GET", path);
  ASSERT_EQ(now.status, 200);
  EXPECT_NE(now.body["data"]["fields"]["hukou_address"], "CSRF测试地址");
}

TEST_F(ApiSessionTest, AnAdministratorsInitialPasswordMustBeChangedBeforeAnythingElse) {
  std::string name;
  world_->AddUser("community_worker", world_->Unit("110105001001").id, /*must_change_password=*/true, &name);
  WorldUser u;
  Reply login = world_->Login(name, ApiWorld::kPassword, &u);
  ASSERT_EQ(login.status, 201) << login.raw;
  EXPECT_TRUE(login.body["data"]["must_change_password"].get<bool>());
  Reply blocked = world_->Call(&u, "GET", "/api/v1/persons");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(Code(blocked), static_cast<int>(ErrorCode::kAuthPasswordChangeRequired));
  Reply changed = world_->Call(&u, "POST", "/api/v1/session/password",
                               json{{"old_password", ApiWorld::kPassword}, {"new_password", "Changed#2024pw"}}.dump());
  ASSERT_EQ(changed.status, 200) << changed.raw;
  for (const auto& [k, v] : changed.headers)
    if (k == "Set-Cookie") u.cookie = v.substr(0, v.find(';'));
  u.csrf = changed.body["data"]["csrf_token"].get<std::string>();
  EXPECT_EQ(world_->Call(&u, "GET", "/api/v1/persons").status, 200);
}

TEST_F(ApiSessionTest, RepeatedWrongPasswordsLockTheAccountAndEveryFailureIsAudited) {
  std::string name;
  world_->AddUser("grid_worker", world_->Unit("110105001001001").id, false, &name);
  int64_t head = world_->AuditHead();
  WorldUser u;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(world_->Login(name, "Wrong#pass123", &u).status, 401);
  Reply locked = world_->Login(name, ApiWorld::kPassword, &u);
  EXPECT_EQ(locked.status, 429) << locked.raw;
  EXPECT_EQ(Code(locked), static_cast<int>(ErrorCode::kAuthLocked));
  int failures = 0;
  for (const auto& rec : world_->AuditSince(head)) failures += rec["action"] == "login_failed" ? 1 : 0;
  EXPECT_EQ(failures, 6);
}

TEST_F(ApiSessionTest, TraditionalScriptOnRequest) {
  const WorldUser& worker = world_->User("community_worker@110105001001");
  Reply r = world_->Call(&worker, "GET", "/api/v1/persons/" + std::to_string(world_->persons[0].id), "",
                         {{"x-linli-script", "traditional"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["data"]["fields"]["name"].get<std::string>().rfind("試", 0), 0u) << r.raw;
}

// G10 fail closed: when the audit record cannot be written, the data is not sent and a change
// is rolled back with it.
TEST_F(ApiSessionTest, AnUnwritableAuditLogFailsTheRequestClosed) {
  const WorldUser& worker = world_->User("community_worker@110105001001");
  const WorldPerson& p = world_->persons[0];
  std::string path = "/api/v1/persons/" + std::to_string(p.id);
  std::string block, unblock;
  if (TestingPostgres()) {
    block = "CREATE FUNCTION audit_blocked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; "
            "END $$; CREATE TRIGGER audit_blocked BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_blocked();";
    unblock = "DROP TRIGGER audit_blocked ON audit_log; DROP FUNCTION audit_blocked();";
  } else {
    block = "CREATE TRIGGER audit_blocked BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END;";
    unblock = "DROP TRIGGER audit_blocked;";
  }
  ASSERT_TRUE(world_->Exec(block).ok());
  Reply read = world_->Call(&worker, "GET", path);
  Reply search = world_->Call(&worker, "GET", "/api/v1/persons/search?q=" + std::string("%E8%AF%95"));
  Reply change = world_->Call(&worker, "PATCH", path, json{{"hukou_address", "审计失败时的地址"}, {"reason", "测试"}}.dump());
  Reply reveal = world_->Call(&worker, "POST", path + "/reveal", json{{"field", "phone"}, {"reason", "回访核实电话"}}.dump());
  ASSERT_TRUE(world_->Exec(unblock).ok());
  for (const Reply* r : {&read, &search, &change, &reveal}) {
    EXPECT_EQ(r->status, 503) << r->raw;
    EXPECT_EQ(Code(*r), static_cast<int>(ErrorCode::kAuditWriteFailed)) << r->raw;
    EXPECT_EQ(r->raw.find(p.name), std::string::npos) << "data sent without its audit record: " << r->raw;
    EXPECT_EQ(r->raw.find(p.phone), std::string::npos);
  }
  Reply now = world_->Call(&worker, "GET", path);
  ASSERT_EQ(now.status, 200);
  EXPECT_NE(now.body["data"]["fields"]["hukou_address"], "审计失败时的地址") << "change kept without its audit record";
}

}  // namespace
}  // namespace linli::testing
