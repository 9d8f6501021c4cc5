// `linli audit verify` and `linli audit search`, run as the real binary against a fresh store on
// the engine LINLI_TEST_DB selects.
//
// Covers: verify prints "ok" with the record count and head hash and exits 0 (text and --json);
// after a row is deleted behind the triggers it exits 1 naming the first broken record and the
// kind of break; a missing key file is an error; search filters and prints records (text and
// --json) and is itself recorded as an audit_search record by "cli:<os user>"; bad arguments are
// usage errors.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "test_db.h"

namespace linli::cli {
namespace {

using nlohmann::json;

struct CliRun {
  int exit_code = -1;
  std::string out;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs the linli binary with `args`; stdout is captured, stderr appended after a marker line.
CliRun Linli(const std::vector<std::string>& args) {
  std::string cmd = Quote(LINLI_BINARY);
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += " 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    url_ = linli::testing::FreshStoreUrl();
    std::string dir = linli::testing::TempDir() + "/audit-cli-" + std::to_string(++counter);
    std::filesystem::create_directories(dir);
    key_ = dir + "/audit.key";
    auto db = storage::Db::Open(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    audit::AuditOptions o;
    o.key_path = key_;
    auto log = audit::AuditLog::Open(**db, o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 0; i < 6; ++i) {
      audit::AuditEvent e;
      e.user_id = 1 + i % 2;
      e.actor = i % 2 ? "lisi" : "zhangsan";
      e.role = "grid_worker";
      e.action = i % 3 == 2 ? audit::AuditAction::kExport : audit::AuditAction::kRead;
      e.target_type = "person";
      e.target_id = std::to_string(10 + i);
      e.details = {{"id_number", "110105********002X"}};
      auto rec = (*log)->Append(e);
      ASSERT_TRUE(rec.ok()) << rec.status().ToString();
      head_hash_ = rec->hash;
    }
    // The Db closes here: SQLite admits one writer process, and the CLI is another process.
  }

  std::vector<std::string> Common() const { return {"--db", url_, "--audit-key", key_}; }
  CliRun Audit(const std::string& sub, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"audit", sub};
    for (const auto& a : Common()) args.push_back(a);
    for (const auto& a : extra) args.push_back(a);
    return Linli(args);
  }

  std::string url_, key_, head_hash_;
};

TEST_F(AuditCliTest, VerifyPrintsOkWithCountAndHead) {
  CliRun r = Audit("verify");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("ok", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("共 6 条记录"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(head_hash_), std::string::npos) << r.out;

  CliRun j = Audit("verify", {"--json"});
  ASSERT_EQ(j.exit_code, 0) << j.out;
  json report = json::parse(j.out);
  EXPECT_EQ(report["ok"], true);
  EXPECT_EQ(report["records"], 6);
  EXPECT_EQ(report["head_hash"], head_hash_);
  EXPECT_EQ(report["anchors"]["file"]["state"], "ok");
}

TEST_F(AuditCliTest, VerifyNamesTheFirstBrokenRecord) {
  {
    auto db = storage::Db::Open(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status st = (*db)->dialect() == storage::Dialect::kSqlite
                    ? (*db)->ExecScript(
                          "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3")
                    : (*db)->ExecScript(
                          "ALTER TABLE audit_log DISABLE TRIGGER USER; DELETE FROM audit_log WHERE "
                          "seq = 3");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  CliRun r = Audit("verify");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("第 3 条"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sequence_gap"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("E7006"), std::string::npos) << r.out;

  CliRun j = Audit("verify", {"--json"});
  EXPECT_EQ(j.exit_code, 1) << j.out;
  json report = json::parse(j.out);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["breaks"][0]["seq"], 3);
  EXPECT_EQ(report["breaks"][0]["kind"], "sequence_gap");
}

TEST_F(AuditCliTest, VerifyWithoutTheKeyFails) {
  CliRun r = Linli({"audit", "verify", "--db", url_, "--audit-key", key_ + ".missing"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("E7001"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(key_ + ".missing"));
}

TEST_F(AuditCliTest, SearchFiltersAndIsItselfAudited) {
  CliRun j = Audit("search", {"--user", "lisi", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.out;
  json page = json::parse(j.out);
  ASSERT_EQ(page["records"].size(), 3u) << j.out;
  EXPECT_EQ(page["records"][0]["seq"], 6);
  EXPECT_EQ(page["records"][0]["actor"], "lisi");
  EXPECT_EQ(page["records"][0]["details"]["id_number"], "110105********002X");
  EXPECT_EQ(page["next_cursor"], nullptr);

  CliRun t = Audit("search", {"--action", "export", "--target", "person:12", "--order", "asc"});
  ASSERT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("#3  "), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("person:12"), std::string::npos) << t.out;

  CliRun paged = Audit("search", {"--limit", "2", "--json"});
  ASSERT_EQ(paged.exit_code, 0) << paged.out;
  json p2 = json::parse(paged.out);
  EXPECT_EQ(p2["records"].size(), 2u);
  EXPECT_TRUE(p2["next_cursor"].is_number());

  // Each search appended an audit_search record by the CLI user; the chain still verifies.
  CliRun mine = Audit("search", {"--action", "audit_search", "--json"});
  ASSERT_EQ(mine.exit_code, 0) << mine.out;
  json searches = json::parse(mine.out);
  ASSERT_EQ(searches["records"].size(), 3u) << mine.out;  // this search is recorded after it ran
  EXPECT_EQ(searches["records"][0]["actor"].get<std::string>().rfind("cli:", 0), 0u);
  EXPECT_EQ(searches["records"][0]["target_type"], "audit_log");
  EXPECT_EQ(searches["records"][0]["details"]["results"], 2);
  CliRun v = Audit("verify", {"--json"});
  ASSERT_EQ(v.exit_code, 0) << v.out;
  EXPECT_EQ(json::parse(v.out)["records"], 10);
}

TEST_F(AuditCliTest, BadArgumentsAreUsageErrors) {
  CliRun a = Audit("search", {"--action", "drop_table"});
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_NE(a.out.find("E1004"), std::string::npos) << a.out;
  CliRun l = Audit("search", {"--limit", "0"});
  EXPECT_NE(l.out.find("E1004"), std::string::npos) << l.out;
  CliRun d = Audit("search", {"--from", "someday"});
  EXPECT_NE(d.out.find("E7005"), std::string::npos) << d.out;
}

}  // namespace
}  // namespace linli::cli
