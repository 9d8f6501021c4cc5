// Several `linli serve` processes: over one PostgreSQL database each sees the other's writes (and
// sessions, and one audit chain); over one SQLite file the second is refused with a clear message.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "auth/accounts.h"
#include "org/org.h"
#include "test_db.h"

extern char** environ;

namespace linli::testing {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using nlohmann::json;

struct HttpReply {
  int status = 0;
  json body;
  std::string cookie;
};

HttpReply Http(uint16_t port, const std::string& method, const std::string& target, const std::string& body = "",
               const std::string& cookie = "", const std::string& csrf = "") {
  asio::io_context ioc;
  boost::beast::tcp_stream stream(ioc);
  HttpReply r;
  boost::beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return r;
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::content_type, "application/json");
  if (!cookie.empty()) req.set(bhttp::field::cookie, cookie);
  if (!csrf.empty()) req.set("X-CSRF-Token", csrf);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(stream, req, ec);
  boost::beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buf, res, ec);
  if (ec) return r;
  r.status = res.result_int();
  r.body = json::parse(res.body(), nullptr, false);
  std::string set = std::string(res[bhttp::field::set_cookie]);
  r.cookie = set.substr(0, set.find(';'));
  return r;
}

// A `linli serve` child on a free port; its first line names the port.
struct Server {
  pid_t pid = 0;
  uint16_t port = 0;
  std::string output;  // what it printed before the port line (or everything, when it failed)
  int exit_code = -1;
  int out_fd = -1;

  bool Start(const std::string& url) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> args = {LINLI_BINARY, "serve", "--db", url, "--listen", "127.0.0.1:0", "--threads", "2"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid, LINLI_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
      close(fds[0]);
      return false;
    }
    // Read until the start line or EOF (the process exited).
    char c;
    std::string line;
    while (read(fds[0], &c, 1) == 1) {
      if (c != '\n') {
        line += c;
        continue;
      }
      output += line + "\n";
      size_t at = line.find("http://127.0.0.1:");
      if (at != std::string::npos) {
        port = static_cast<uint16_t>(std::atoi(line.c_str() + at + 17));
        out_fd = fds[0];  // kept open (and drained at Stop) so the server can print its last line
        return true;
      }
      line.clear();
    }
    output += line;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid = 0;
    return false;
  }

  int Stop() {
    if (!pid) return exit_code;
    kill(pid, SIGTERM);
    char c;
    while (out_fd >= 0 && read(out_fd, &c, 1) == 1) output += c;
    if (out_fd >= 0) close(out_fd);
    out_fd = -1;
    int status = 0;
    waitpid(pid, &status, 0);
    pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ~Server() { Stop(); }
};

constexpr const char* kPassword = "Linli#2024pass";

// A store with a community and a community worker.
std::string PrepareStore() {
  std::string url = FreshStoreUrl();
  auto db = storage::Db::Open(url);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return url;
  auto d = org::UpsertOrgUnit(**db, "110105", "朝阳区", org::Level::kDistrict, 0);
  auto s = org::UpsertOrgUnit(**db, "110105001", "建外街道", org::Level::kStreet, *d);
  auto c = org::UpsertOrgUnit(**db, "110105001001", "东湖社区", org::Level::kCommunity, *s);
  EXPECT_TRUE(c.ok());
  auth::NewUser nu;
  nu.username = "worker";
  nu.role = "community_worker";
  nu.org_code = "110105001001";
  nu.password = kPassword;
  nu.must_change_password = false;
  auto u = auth::CreateUser(**db, nu);
  EXPECT_TRUE(u.ok()) << u.status().ToString();
  return url;
}

class ServeProcessesTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("LINLI_AUDIT_KEY", (TempDir() + "/serve-audit.key").c_str(), 1); }
};

TEST_F(ServeProcessesTest, TwoServersOverOnePostgresDatabaseSeeEachOthersWrites) {
  if (!TestingPostgres()) GTEST_SKIP() << "PostgreSQL only (SQLite allows one writer process)";
  std::string url = PrepareStore();
  Server a, b;
  ASSERT_TRUE(a.Start(url)) << a.output;
  ASSERT_TRUE(b.Start(url)) << b.output;
  HttpReply login = Http(a.port, "POST", "/api/v1/sessions", json{{"username", "worker"}, {"password", kPassword}}.dump());
  ASSERT_EQ(login.status, 201) << login.body.dump();
  std::string csrf = login.body["data"]["csrf_token"];
  int64_t community = login.body["data"]["user"]["org"]["id"];
  // The session made by A is valid on B.
  EXPECT_EQ(Http(b.port, "GET", "/api/v1/session", "", login.cookie).status, 200);
  // A registers a person; B reads it; B edits it; A sees the edit.
  HttpReply created = Http(a.port, "POST", "/api/v1/persons",
                           json{{"org_id", community}, {"name", "双进程"}, {"id_number", "11010519491231002X"},
                                {"address", "东湖小区1栋1单元101室"}, {"reason", "新登记"}}
                               .dump(),
                           login.cookie, csrf);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  std::string path = "/api/v1/persons/" + std::to_string(created.body["data"]["id"].get<int64_t>());
  HttpReply seen = Http(b.port, "GET", path, "", login.cookie);
  ASSERT_EQ(seen.status, 200) << seen.body.dump();
  EXPECT_EQ(seen.body["data"]["fields"]["name"], "双进程");
  EXPECT_EQ(seen.body["data"]["fields"]["id_number"], "110105********002X");
  HttpReply edited = Http(b.port, "PATCH", path, json{{"hukou_address", "河北省保定市"}, {"reason", "核实"}}.dump(),
                          login.cookie, csrf);
  ASSERT_EQ(edited.status, 200) << edited.body.dump();
  HttpReply back = Http(a.port, "GET", path, "", login.cookie);
  EXPECT_EQ(back.body["data"]["fields"]["hukou_address"], "河北省保定市");
  // Both appended to one audit chain, and it verifies.
  for (int i = 0; i < 10; ++i) {
    Http(i % 2 ? a.port : b.port, "GET", path, "", login.cookie);
  }
  EXPECT_EQ(a.Stop(), 0);
  EXPECT_EQ(b.Stop(), 0);
  auto db = storage::Db::Open(url);
  ASSERT_TRUE(db.ok());
  audit::AuditOptions options;
  options.key_path = std::getenv("LINLI_AUDIT_KEY");
  options.read_only = true;
  auto log = audit::AuditLog::Open(**db, options);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  auto report = (*log)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << audit::ReportToJson(*report).dump();
  EXPECT_GE(report->records, 15);
}

TEST_F(ServeProcessesTest, ASecondServerOnOneSqliteFileIsRefusedWithAClearMessage) {
  if (TestingPostgres()) GTEST_SKIP() << "SQLite only";
  std::string url = PrepareStore();
  Server a, b;
  ASSERT_TRUE(a.Start(url)) << a.output;
  EXPECT_FALSE(b.Start(url));
  EXPECT_NE(b.exit_code, 0);
  EXPECT_NE(b.output.find("已被另一个 linli 进程以写方式打开"), std::string::npos) << b.output;
  EXPECT_EQ(Http(a.port, "GET", "/api/v1/health").status, 200);
  EXPECT_EQ(a.Stop(), 0);
}

// Imports and exports are long work: the server runs them on its worker pool and writes the
// answer back on the connection.
TEST_F(ServeProcessesTest, ImportsAndExportsRunOnTheWorkerPoolAndAnswerOverTheConnection) {
  std::string url = PrepareStore();
  Server a;
  ASSERT_TRUE(a.Start(url)) << a.output;
  HttpReply login = Http(a.port, "POST", "/api/v1/sessions", json{{"username", "worker"}, {"password", kPassword}}.dump());
  ASSERT_EQ(login.status, 201) << login.body.dump();
  std::string csrf = login.body["data"]["csrf_token"];
  int64_t community = login.body["data"]["user"]["org"]["id"];
  std::string csv = "姓名,公民身份号码,现居住地址\n池上,11010519491231002X,东湖小区2栋1单元201室\n坏行,123,东湖小区2栋1单元202室\n";
  HttpReply preview = Http(a.port, "POST", "/api/v1/imports?org_id=" + std::to_string(community) + "&file_name=a.csv", csv,
                           login.cookie, csrf);
  ASSERT_EQ(preview.status, 201) << preview.body.dump();
  EXPECT_EQ(preview.body["data"]["report"]["imported"], 1);
  EXPECT_EQ(preview.body["data"]["report"]["rejected"], 1);
  std::string id = preview.body["data"]["id"];
  HttpReply done = Http(a.port, "POST", "/api/v1/imports/" + id + "/confirm", "", login.cookie, csrf);
  ASSERT_EQ(done.status, 200) << done.body.dump();
  EXPECT_EQ(done.body["data"]["status"], "imported");
  HttpReply exported = Http(a.port, "POST", "/api/v1/exports", json{{"org_id", community}}.dump(), login.cookie, csrf);
  EXPECT_EQ(exported.status, 200);
  EXPECT_EQ(Http(a.port, "GET", "/api/v1/persons?org_id=" + std::to_string(community), "", login.cookie)
                .body["page"]["total"],
            1);
  EXPECT_EQ(a.Stop(), 0);
}

}  // namespace
}  // namespace linli::testing
