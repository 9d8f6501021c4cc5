// Ledgers over the API, with ledgers that exist only as declaration folders written by this test
// (no C++ of their own): end to end (declaration, validation at the field, enrolment, schedule,
// visits, due lists, approval by a second person, daily and zero reports, completeness,
// statistics, export, import of the exported file and of new rows), and the access matrix of every
// ledger route — every role × route × target in the test world, judged by the oracle below
// (written from docs/SECURITY.md and the declarations, not by calling the server's policy): no
// leaks, no false denials, every read audited with exactly the entries it showed, every denial
// audited, no clear phone (canary) in any response or export cell, and the restricted ledger
// invisible (404) to the roles it is not declared for.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "access/policy.h"
#include "api_world.h"
#include "io/sheet.h"
#include "ledger/declaration.h"
#include "test_db.h"

namespace linli::testing {
namespace {

using nlohmann::json;

// 困难群众走访: a person ledger with a local code table, a phone field (the canaries), a schedule
// by level, an approval, daily reports, statistics and an Excel layout.
constexpr const char* kFangwen = R"JSON({
  "key": "fangwen", "name": "困难群众走访", "title": "困难群众走访台账", "purpose": "测试用台账：只有声明，没有代码。",
  "subject": "person", "daily_report": true,
  "fields": [
    {"key": "level", "label": "关注等级", "type": "code", "table": "level", "required": true, "filter": true},
    {"key": "income", "label": "月收入（元）", "type": "money", "min": 0, "max": 100000},
    {"key": "contact", "label": "联系人电话", "type": "phone"},
    {"key": "found_on", "label": "发现日期", "type": "date", "max": "today"},
    {"key": "checked_on", "label": "核实日期", "type": "date"},
    {"key": "note", "label": "情况说明", "type": "text", "max_length": 50},
    {"key": "proof", "label": "证明材料", "type": "attachment", "accept": ["pdf", "png"], "max_kb": 1},
    {"key": "caretaker", "label": "照护人", "type": "person"}
  ],
  "rules": [{"code": "fangwen.check_after_found", "kind": "date_order", "fields": ["found_on", "checked_on"],
             "message": "核实日期不能早于发现日期"}],
  "lifecycle": {
    "stages": [{"key": "open", "label": "关注中"}, {"key": "closed", "label": "已结束", "final": true}],
    "transitions": [
      {"key": "enrol", "label": "纳入关注", "to": "open"},
      {"key": "review", "label": "回访", "from": ["open"], "to": "open", "satisfies_schedule": true, "fields": ["income"]},
      {"key": "change_level", "label": "调整等级", "from": ["open"], "to": "open", "fields": ["level"],
       "approvers": ["community_head", "supervisor"]},
      {"key": "close", "label": "结束关注", "from": ["open"], "to": "closed", "reasons": ["情况好转", "迁出"], "reason_required": true}
    ]
  },
  "schedule": {"label": "走访", "by_field": "level", "every_days": 90, "every_days_by": {"1": 90, "2": 30}, "grace_days": 5},
  "statistics": [{"key": "by_level", "label": "按等级人数", "by": "level"}, {"key": "income", "label": "月收入合计", "sum": "income"}],
  "export": {"title": "{org}{name}台账（{date}）", "columns": [
    {"source": "person.name", "header": "姓名"}, {"source": "person.id_number", "header": "公民身份号码"},
    {"source": "level"}, {"source": "income", "aliases": ["月收入"]}, {"source": "contact"}, {"source": "note"},
    {"source": "proof"},
    {"source": "next_due_on", "header": "下次走访"}]}
})JSON";

// A restricted ledger: visible only to community heads and supervisors, export needs approval.
constexpr const char* kMimi = R"JSON({
  "key": "mimi", "name": "保密对象", "title": "保密对象台账", "purpose": "测试用敏感台账。",
  "subject": "person", "visible_to": ["community_head", "supervisor"],
  "fields": [{"key": "kind", "label": "类别", "type": "code", "table": "level", "required": true}],
  "lifecycle": {"stages": [{"key": "open", "label": "在册"}, {"key": "closed", "label": "解除", "final": true}],
                "transitions": [{"key": "enrol", "label": "纳入", "to": "open"},
                                {"key": "close", "label": "解除", "from": ["open"], "to": "closed"}]},
  "export": {"title": "{org}保密对象", "approvers": ["supervisor"], "columns": [{"source": "person.name", "header": "姓名"}, {"source": "kind"}]}
})JSON";

constexpr const char* kLevels =
    "# title: 关注等级 | 测试\ncode,label,aliases\n1,一般关注,一般\n2,重点关注,重点\n";

class LedgerApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string root = TempDir() + "/ledger-decls";
    for (auto [key, text] : {std::pair{"fangwen", kFangwen}, std::pair{"mimi", kMimi}}) {
      std::filesystem::create_directories(root + "/" + key + "/codes");
      std::ofstream(root + "/" + key + "/ledger.json") << text;
      std::ofstream(root + "/" + key + "/codes/level.csv") << kLevels;
    }
    setenv("LINLI_LEDGERS", root.c_str(), 1);
    setenv("LINLI_TODAY", "2026-06-30", 1);
    world_ = ApiWorld::Build().release();
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
    unsetenv("LINLI_LEDGERS");
    unsetenv("LINLI_TODAY");
  }
  static ApiWorld* world_;
};
ApiWorld* LedgerApiTest::world_ = nullptr;

TEST_F(LedgerApiTest, NewLedgerFromADeclarationFolderWorksEndToEnd) {
  // A world of its own: the matrix below adds entries everywhere.
  auto own = ApiWorld::Build();
  ASSERT_TRUE(own);
  ApiWorld& w = *own;
  const WorldUser& worker = w.User("community_worker@110105001001");
  const WorldUser& head = w.User("community_head@110105001001");
  // The ledger and its derived form.
  Reply list = w.Call(&worker, "GET", "/api/v1/ledgers");
  ASSERT_EQ(list.status, 200) << list.raw;
  std::set<std::string> keys;
  for (const auto& l : list.body["data"]) keys.insert(l["key"]);
  EXPECT_TRUE(keys.count("fangwen"));
  EXPECT_FALSE(keys.count("mimi"));  // restricted: not for community workers
  Reply decl = w.Call(&worker, "GET", "/api/v1/ledgers/fangwen");
  ASSERT_EQ(decl.status, 200);
  EXPECT_EQ(decl.body["data"]["fields"][0]["choices"][1]["label"], "重点关注");
  EXPECT_TRUE(decl.body["data"]["messages"].contains("9003"));

  WorldPerson p = w.AddPerson(w.Unit("110105001001001").id);
  // Validation at the field, with the declared codes and messages.
  Reply bad = w.Call(&worker, "POST", "/api/v1/ledgers/fangwen/entries",
                     json{{"subject_id", p.id},
                          {"values",
                           {{"level", "三级"},
                            {"income", -1},
                            {"found_on", "2026-06-01"},
                            {"checked_on", "2026-05-01"}}},
                          {"on", "2026-01-10"}}
                         .dump());
  ASSERT_EQ(bad.status, 422) << bad.raw;
  std::map<std::string, int> fields;
  for (const auto& f : bad.body["error"]["fields"]) fields[f["field"]] = f["code"];
  EXPECT_EQ(fields,
            (std::map<std::string, int>{{"level", 9008}, {"income", 9005}, {"checked_on", 9009}}));
  Reply rule = w.Call(
      &worker, "POST", "/api/v1/ledgers/fangwen/entries",
      json{
          {"subject_id", p.id},
          {"values", {{"level", "一般"}, {"found_on", "2026-06-01"}, {"checked_on", "2026-05-01"}}}}
          .dump());
  ASSERT_EQ(rule.status, 422);
  EXPECT_EQ(rule.body["error"]["fields"][0]["field"], "checked_on");
  EXPECT_EQ(rule.body["error"]["fields"][0]["message"], "核实日期不能早于发现日期");

  // Enrol (back-dated): level 2 is visited every 30 days, so it is overdue by now.
  Reply made = w.Call(
      &worker, "POST", "/api/v1/ledgers/fangwen/entries",
      json{{"subject_id", p.id},
           {"values",
            {{"level", "重点"}, {"income", "1,200"}, {"contact", "13912345678"}, {"note", "独居"}}},
           {"on", "2026-01-10"}}
          .dump());
  ASSERT_EQ(made.status, 201) << made.raw;
  std::string id = std::to_string(made.body["data"]["id"].get<int64_t>());
  std::string entries = "/api/v1/ledgers/fangwen/entries";

  // Attachments: checked by content and size, shown at the field; taken by one entry only;
  // downloaded through the entry, audited, byte for byte.
  std::string pdf = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
  std::string uploads = "/api/v1/ledgers/fangwen/attachments?field=proof&file_name=";
  Reply fake = w.Call(&worker, "POST", uploads + "fake.pdf", "just text, named .pdf");
  ASSERT_EQ(fake.status, 422) << fake.raw;
  EXPECT_EQ(fake.body["error"]["code"], 9029);
  EXPECT_EQ(fake.body["error"]["fields"][0]["field"], "proof");
  Reply big = w.Call(&worker, "POST", uploads + "big.pdf", pdf + std::string(1100, 'x'));
  EXPECT_EQ(big.body["error"]["code"], 9030) << big.raw;
  EXPECT_EQ(w.Call(&worker, "POST", "/api/v1/ledgers/fangwen/attachments?field=note", pdf)
                .body["error"]["code"],
            9032);
  // A name that is not UTF-8 (or a path) is not kept as given.
  Reply odd = w.Call(&worker, "POST", uploads + "..%2F..%2F%FF%FE.pdf", pdf);
  ASSERT_EQ(odd.status, 201) << odd.raw;
  EXPECT_EQ(odd.body["data"]["name"], "附件");
  Reply up = w.Call(&worker, "POST", uploads + "%E8%AF%81%E6%98%8E.pdf", pdf);
  ASSERT_EQ(up.status, 201) << up.raw;
  EXPECT_EQ(up.body["data"]["name"], "证明.pdf");
  EXPECT_EQ(up.body["data"]["kind"], "pdf");
  int64_t file = up.body["data"]["id"];
  // Someone else's upload cannot be taken.
  EXPECT_EQ(w.Call(&head, "PATCH", entries + "/" + id, json{{"values", {{"proof", file}}}}.dump())
                .body["error"]["fields"][0]["code"],
            9031);
  Reply attached =
      w.Call(&worker, "PATCH", entries + "/" + id, json{{"values", {{"proof", file}}}}.dump());
  ASSERT_EQ(attached.status, 200) << attached.raw;
  Reply shown = w.Call(&worker, "GET", entries + "/" + id);
  EXPECT_EQ(shown.body["data"]["values"]["proof"], (json{{"id", file}, {"name", "证明.pdf"}}));
  // A person field shows the resident's name when the resident is in the caller's scope, and
  // nothing of a resident elsewhere.
  WorldPerson near = w.AddPerson(w.Unit("110105001001002").id);
  WorldPerson far = w.AddPerson(w.Unit("110105002001001").id);
  for (const WorldPerson* who : {&near, &far}) {
    ASSERT_EQ(w.Call(&worker, "PATCH", entries + "/" + id,
                     json{{"values", {{"caretaker", who->id}}}}.dump())
                  .status,
              200);
    Reply named = w.Call(&worker, "GET", entries + "/" + id);
    json person = named.body["data"]["people"][std::to_string(who->id)];
    EXPECT_EQ(person["in_scope"], who == &near);
    EXPECT_EQ(person["name"], who == &near ? json(near.name) : json(nullptr));
    if (who == &far) {
      EXPECT_EQ(named.raw.find(far.name), std::string::npos);
    }
  }
  std::string download = entries + "/" + id + "/attachments/" + std::to_string(file);
  int64_t before_download = w.AuditHead();
  Reply got = w.Call(&worker, "GET", download);
  ASSERT_EQ(got.status, 200) << got.raw;
  EXPECT_EQ(got.raw, pdf);
  EXPECT_EQ(got.content_type, "application/pdf");
  auto records = w.AuditSince(before_download);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["details"]["attachment_id"], file);
  // The file is stored encrypted, not as uploaded.
  EXPECT_EQ(w.Count("SELECT count(*) FROM ledger_attachments WHERE id = ? AND content LIKE 'e1:%' "
                    "AND content NOT LIKE '%PDF-1.4%'",
                    {file}),
            1);
  // Another entry cannot take it, nor serve it.
  WorldPerson other = w.AddPerson(w.Unit("110105001001001").id);
  Reply taken =
      w.Call(&worker, "POST", entries,
             json{{"subject_id", other.id}, {"values", {{"level", "1"}, {"proof", file}}}}.dump());
  EXPECT_EQ(taken.status, 422) << taken.raw;
  EXPECT_EQ(taken.body["error"]["fields"][0]["code"], 9031);
  Reply overdue = w.Call(&worker, "GET", entries + "?due=overdue");
  ASSERT_EQ(overdue.status, 200);
  ASSERT_EQ(overdue.body["page"]["total"], 1);
  EXPECT_EQ(overdue.body["data"][0]["due_state"], "overdue");
  EXPECT_EQ(overdue.body["data"][0]["values"]["contact"], "139****5678");  // masked on the server
  // A visit clears it; the next one is due 30 days later.
  Reply visit = w.Call(&worker, "POST", entries + "/" + id + "/visits",
                       json{{"on", "2026-06-28"}, {"method", "入户"}}.dump());
  ASSERT_EQ(visit.status, 201) << visit.raw;
  EXPECT_EQ(visit.body["data"]["next_due_on"], "2026-07-28");
  EXPECT_EQ(w.Call(&worker, "GET", entries + "?due=overdue").body["page"]["total"], 0);
  EXPECT_EQ(w.Call(&worker, "GET", entries + "?f.level=2").body["page"]["total"], 1);
  EXPECT_EQ(w.Call(&worker, "GET", entries + "?f.level=1").body["page"]["total"], 0);
  // A level change waits for a second person; the worker cannot approve their own request.
  Reply change = w.Call(
      &worker, "POST", entries + "/" + id + "/transitions",
      json{{"transition", "change_level"}, {"values", {{"level", "一般"}}}, {"on", "2026-06-30"}}
          .dump());
  ASSERT_EQ(change.status, 202) << change.raw;
  std::string approval = std::to_string(change.body["data"]["approval_id"].get<int64_t>());
  EXPECT_EQ(w.Call(&worker, "POST", "/api/v1/approvals/" + approval + "/approve", "{}").status,
            403);
  Reply approved = w.Call(&head, "POST", "/api/v1/approvals/" + approval + "/approve",
                          json{{"note", "同意"}}.dump());
  ASSERT_EQ(approved.status, 200) << approved.raw;
  Reply detail = w.Call(&worker, "GET", entries + "/" + id);
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(detail.body["data"]["values"]["level"], "1");
  EXPECT_EQ(detail.body["data"]["next_due_on"], "2026-09-28");  // level 1: 90 days from the change
  EXPECT_EQ(detail.body["data"]["history"].back()["approved_by"], head.user_id);
  EXPECT_EQ(detail.body["data"]["history"].back()["requested_by"], worker.user_id);
  // Who, by name (the display names the world gave them), not only by number.
  EXPECT_FALSE(
      detail.body["data"]["history"].back()["approved_by_name"].get<std::string>().empty());
  EXPECT_NE(detail.body["data"]["history"].back()["approved_by_name"],
            detail.body["data"]["history"].back()["requested_by_name"]);
  Reply decided = w.Call(&head, "GET", "/api/v1/approvals?status=approved");
  ASSERT_EQ(decided.status, 200) << decided.raw;
  ASSERT_FALSE(decided.body["data"].empty());
  EXPECT_EQ(decided.body["data"][0]["decided_by_name"],
            detail.body["data"]["history"].back()["approved_by_name"]);
  // Daily and zero reports, and their completeness.
  EXPECT_EQ(
      w.Call(&worker, "POST", entries + "/" + id + "/reports", json{{"zero", true}}.dump()).status,
      201);
  EXPECT_EQ(
      w.Call(&worker, "POST", entries + "/" + id + "/reports", json{{"zero", true}}.dump()).status,
      409);
  EXPECT_EQ(w.Call(&worker, "POST", entries + "/" + id + "/reports",
                   json{{"zero", false}, {"on", "2026-06-29"}}.dump())
                .status,
            422);
  Reply complete =
      w.Call(&worker, "GET", "/api/v1/ledgers/fangwen/reports/completeness?date=2026-06-30");
  ASSERT_EQ(complete.status, 200) << complete.raw;
  EXPECT_EQ(complete.body["data"]["expected"], 1);
  EXPECT_EQ(complete.body["data"]["zero"], 1);
  ASSERT_EQ(complete.body["data"]["by_worker"].size(), 1u) << complete.raw;
  EXPECT_EQ(complete.body["data"]["by_worker"][0]["user_id"], worker.user_id);  // the enroller
  EXPECT_FALSE(complete.body["data"]["by_worker"][0]["user_id_name"].get<std::string>().empty());
  EXPECT_EQ(complete.body["data"]["by_worker"][0]["filed"], 1);
  Reply yesterday =
      w.Call(&worker, "GET", "/api/v1/ledgers/fangwen/reports/completeness?date=2026-06-29");
  EXPECT_EQ(yesterday.body["data"]["filed"], 0);
  EXPECT_EQ(yesterday.body["data"]["missing"][0]["id"].get<int64_t>(), std::stoll(id));
  // Statistics per unit.
  Reply stats = w.Call(&worker, "GET", "/api/v1/ledgers/fangwen/statistics");
  ASSERT_EQ(stats.status, 200) << stats.raw;
  EXPECT_EQ(stats.body["data"]["units"][0]["statistics"]["by_level"]["by"]["1"], 1);
  EXPECT_EQ(stats.body["data"]["units"][0]["statistics"]["income"]["total"], 1200.0);
  // The completeness rate over the period: enrolled 2026-01-10, so 172 reports were due up to
  // 2026-06-30 (from 2026-01-01 on); one, a zero report, was filed.
  EXPECT_EQ(stats.body["data"]["units"][0]["reports"],
            (json{{"expected", 172}, {"filed", 1}, {"zero", 1}, {"rate", 1.0 / 172}}));
  // As of yesterday, before the level change took effect, it counts in its old level.
  Reply before = w.Call(&worker, "GET", "/api/v1/ledgers/fangwen/statistics?as_of=2026-06-29");
  ASSERT_EQ(before.status, 200) << before.raw;
  EXPECT_EQ(before.body["data"]["units"][0]["statistics"]["by_level"]["by"], (json{{"2", 1}}));

  // Export in the declared layout; importing it back changes nothing; a new row enrols.
  Reply xlsx = w.Call(&worker, "GET", "/api/v1/ledgers/fangwen/export");
  ASSERT_EQ(xlsx.status, 200) << xlsx.raw.substr(0, 300);
  auto sheet = io::ReadSheetFromMemory(xlsx.raw, "e.xlsx");
  ASSERT_TRUE(sheet.ok());
  EXPECT_NE(sheet->rows[0][0].text.find("困难群众走访台账"), std::string::npos);
  EXPECT_EQ(sheet->rows[1][2].text, "关注等级");
  EXPECT_EQ(sheet->rows[2][2].text, "一般关注");
  EXPECT_EQ(sheet->rows[2][4].text, "139****5678");
  WorldPerson q = w.AddPerson(w.Unit("110105001001002").id);
  std::string csv = "姓名,公民身份号码,关注等级,月收入\n" + p.name + "," + p.id_number +
                    ",一般,1200\n" + q.name + "," + q.id_number + ",重点,300\n";
  Reply dry =
      w.Call(&worker, "POST", "/api/v1/ledgers/fangwen/imports?dry_run=1&file_name=a.csv", csv);
  ASSERT_EQ(dry.status, 200) << dry.raw;
  EXPECT_EQ(dry.body["data"]["unchanged"], 1);
  EXPECT_EQ(dry.body["data"]["imported"], 1);
  EXPECT_EQ(dry.body["data"]["written"], false);
  EXPECT_EQ(w.Call(&worker, "GET", entries).body["page"]["total"], 1);
  std::string bad_csv = csv + "无此人,110105199001011238,一般,\n";
  Reply rejected =
      w.Call(&worker, "POST", "/api/v1/ledgers/fangwen/imports?file_name=b.csv", bad_csv);
  ASSERT_EQ(rejected.status, 200);
  EXPECT_EQ(rejected.body["data"]["rejected"], 1);
  EXPECT_EQ(rejected.body["data"]["errors"][0]["row"], 4);
  EXPECT_EQ(w.Call(&worker, "GET", entries).body["page"]["total"], 1);  // all or nothing
  Reply imported = w.Call(&worker, "POST", "/api/v1/ledgers/fangwen/imports?file_name=a.csv", csv);
  EXPECT_EQ(imported.body["data"]["written"], true) << imported.raw;
  EXPECT_EQ(w.Call(&worker, "GET", entries).body["page"]["total"], 2);
  // Keyset pages: one row per page, deep pages by cursor, same total.
  Reply page1 = w.Call(&worker, "GET", entries + "?limit=1&sort=name");
  ASSERT_FALSE(page1.body["page"]["next"].get<std::string>().empty());
  Reply page2 =
      w.Call(&worker, "GET",
             entries + "?limit=1&sort=name&after=" + page1.body["page"]["next"].get<std::string>());
  ASSERT_EQ(page2.status, 200) << page2.raw;
  EXPECT_NE(page1.body["data"][0]["id"], page2.body["data"][0]["id"]);
  EXPECT_EQ(page2.body["page"]["next"], "");
  // Closing needs a declared reason.
  EXPECT_EQ(w.Call(&worker, "POST", entries + "/" + id + "/transitions",
                   json{{"transition", "close"}}.dump())
                .status,
            422);
  EXPECT_EQ(w.Call(&worker, "POST", entries + "/" + id + "/transitions",
                   json{{"transition", "close"}, {"reason", "情况好转"}}.dump())
                .status,
            200);
  EXPECT_EQ(w.Call(&worker, "POST", entries + "/" + id + "/visits", "{}").status, 409);
}

// ---- The access matrix of the ledger routes -------------------------------------------------

// Permissions by role (SECURITY.md; data/policy/permissions.csv is what the server reads).
bool May(const std::string& role, const std::string& cap) {
  static const std::map<std::string, std::set<std::string>> kMay = {
      {"grid_worker", {"read", "write"}},
      {"community_worker", {"read", "write", "import", "export"}},
      {"community_head", {"read", "write", "approve", "import", "export"}},
      {"supervisor", {"read", "approve", "export", "configure"}},
      {"system_admin", {}},
      {"security_admin", {}},
      {"auditor", {}}};
  return kMay.at(role).count(cap) > 0;
}
bool SeesLedger(const std::string& role, const std::string& key) {
  return key != "mimi" || role == "community_head" || role == "supervisor";
}

enum class On { kNone, kUnit, kEntry, kApproval };
struct Case {
  std::string method, pattern, cap;
  On on;
};
const std::vector<Case>& Cases() {
  static const std::vector<Case> k = {
      {"GET", "/api/v1/ledgers", "read", On::kNone},
      {"GET", "/api/v1/ledgers/{key}", "read", On::kNone},
      {"GET", "/api/v1/ledgers/{key}/entries", "read", On::kUnit},
      {"POST", "/api/v1/ledgers/{key}/entries", "write", On::kEntry},
      {"GET", "/api/v1/ledgers/{key}/entries/{id}", "read", On::kEntry},
      {"GET", "/api/v1/ledgers/{key}/entries/{id}/attachments/{file}", "read", On::kEntry},
      {"POST", "/api/v1/ledgers/{key}/attachments", "write", On::kNone},
      {"PATCH", "/api/v1/ledgers/{key}/entries/{id}", "write", On::kEntry},
      {"POST", "/api/v1/ledgers/{key}/entries/{id}/transitions", "write", On::kEntry},
      {"POST", "/api/v1/ledgers/{key}/entries/{id}/visits", "write", On::kEntry},
      {"POST", "/api/v1/ledgers/{key}/entries/{id}/reports", "write", On::kEntry},
      {"GET", "/api/v1/ledgers/{key}/statistics", "read", On::kUnit},
      {"GET", "/api/v1/ledgers/{key}/reports/completeness", "read", On::kUnit},
      {"PUT", "/api/v1/ledgers/{key}/intervals", "configure", On::kUnit},
      {"GET", "/api/v1/ledgers/{key}/export", "export", On::kUnit},
      {"POST", "/api/v1/ledgers/{key}/export_requests", "export", On::kUnit},
      {"POST", "/api/v1/ledgers/{key}/imports", "import", On::kUnit},
      {"GET", "/api/v1/approvals", "read", On::kNone},
      {"POST", "/api/v1/approvals/{id}/approve", "approve", On::kApproval},
      {"POST", "/api/v1/approvals/{id}/reject", "read", On::kApproval},
  };
  return k;
}

std::string Fill(std::string s, const std::string& key, const std::string& v) {
  size_t at = s.find("{" + key + "}");
  if (at != std::string::npos) s.replace(at, key.size() + 2, v);
  return s;
}

TEST_F(LedgerApiTest, EveryLedgerRouteIsInTheMatrix) {
  std::set<std::string> matrix;
  for (const auto& c : Cases()) matrix.insert(c.method + " " + c.pattern);
  for (const auto& r : access::Policy::Get().routes())
    if (r.pattern.starts_with("/api/v1/ledgers") || r.pattern.starts_with("/api/v1/approvals")) {
      EXPECT_TRUE(matrix.count(r.method + " " + r.pattern)) << r.method << " " << r.pattern;
    }
}

TEST_F(LedgerApiTest, AccessMatrixNoLeaksAuditedNoCanaries) {
  ASSERT_TRUE(world_);
  ApiWorld& w = *world_;
  int cases = 0, leaks = 0, false_denials = 0, audit_errors = 0, canary_hits = 0;
  std::vector<std::string> failures;
  auto fail = [&](const std::string& s) {
    if (failures.size() < 40) failures.push_back(s);
  };
  std::vector<std::string> canaries;
  std::map<int64_t, int64_t> file_of;  // entry → its attachment (fangwen)
  int serial = 0;
  // A fresh entry of `key` for a fresh resident of `grid`, made by a user with rights there.
  auto make_entry = [&](const std::string& key, int64_t grid) -> std::pair<int64_t, int64_t> {
    WorldPerson p = w.AddPerson(grid);
    std::string phone = "1370000" + std::to_string(1000 + ++serial);
    canaries.push_back(phone);
    json values = key == "mimi" ? json{{"kind", "1"}}
                                : json{{"level", "2"}, {"contact", phone}, {"income", 100}};
    // Written through the API by a community head of that community (a user made for it).
    static std::map<int64_t, std::string> heads;
    int64_t community = 0;
    for (const auto& u : w.units)
      if (u.id == grid) community = u.parent_id;
    WorldUser writer;
    auto it = heads.find(community);
    if (it == heads.end()) {
      std::string name;
      w.AddUser("community_head", community, false, &name);
      EXPECT_EQ(w.Login(name, ApiWorld::kPassword, &writer).status, 201);
      heads[community] = writer.cookie + "\n" + writer.csrf;
    } else {
      writer.cookie = it->second.substr(0, it->second.find('\n'));
      writer.csrf = it->second.substr(it->second.find('\n') + 1);
      writer.role = "community_head";
    }
    int64_t file = 0;
    if (key == "fangwen") {
      // A file per entry (its bytes hold no canary: files are not masked).
      Reply up =
          w.Call(&writer, "POST", "/api/v1/ledgers/fangwen/attachments?field=proof&file_name=p.pdf",
                 "%PDF-1.4\n% entry file\n");
      EXPECT_EQ(up.status, 201) << up.raw;
      file = up.body["data"]["id"].get<int64_t>();
      values["proof"] = file;
    }
    Reply r = w.Call(&writer, "POST", "/api/v1/ledgers/" + key + "/entries",
                     json{{"subject_id", p.id}, {"values", values}, {"on", "2026-01-05"}}.dump());
    EXPECT_EQ(r.status, 201) << r.raw;
    int64_t entry = r.body["data"]["id"].get<int64_t>();
    file_of[entry] = file;
    return {entry, p.id};
  };
  // Background entries, one per grid for both ledgers (what lists may or may not show).
  std::map<std::string, std::map<int64_t, int64_t>> entry_grid;  // ledger → entry → grid
  for (const auto& u : w.units)
    if (u.level == org::Level::kGrid)
      for (const char* key : {"fangwen", "mimi"})
        entry_grid[key][make_entry(key, u.id).first] = u.id;

  for (const WorldUser& user : std::vector<WorldUser>(w.users)) {
    for (const Case& c : Cases()) {
      for (const char* key : {"fangwen", "mimi"}) {
        if (c.pattern.find("{key}") == std::string::npos && std::string(key) == "mimi") continue;
        struct T {
          std::string id;
          int64_t unit = 0, grid = 0;
        };
        std::vector<T> targets;
        if (c.on == On::kNone) targets.push_back({});
        if (c.on == On::kUnit)
          for (const auto& u : w.units) targets.push_back({std::to_string(u.id), u.id, 0});
        if (c.on == On::kEntry || c.on == On::kApproval) {
          for (const auto& u : w.units)
            if (u.level == org::Level::kGrid && (u.code.back() == '1'))
              targets.push_back({"", u.id, u.id});
          targets.push_back({"999999", 0, 0});
        }
        for (T t : targets) {
          std::string path = Fill(c.pattern, "key", key), body;
          bool in_scope = c.on == On::kNone || (t.unit && w.Under(t.unit, user.org_id));
          int expect_other = 0;  // a 4xx the case provokes on purpose
          if (c.on == On::kEntry && !t.grid && c.method == "POST" &&
              c.pattern.ends_with("/entries"))
            body = json{{"subject_id", 999999}, {"values", json::object()}}.dump();
          if (c.pattern.ends_with("/completeness") && std::string(key) == "mimi")
            expect_other = 422;  // no daily report
          if (c.on == On::kEntry && t.grid) {
            if (c.method == "POST" && c.pattern == "/api/v1/ledgers/{key}/entries") {
              WorldPerson p = w.AddPerson(t.grid);
              body = json{{"subject_id", p.id},
                          {"values",
                           std::string(key) == "mimi" ? json{{"kind", "2"}} : json{{"level", "1"}}}}
                         .dump();
            } else {
              t.id = std::to_string(make_entry(key, t.grid).first);
            }
          }
          path = Fill(path, "id", t.id);
          if (c.pattern.ends_with("{file}")) {
            // mimi declares no attachment field: its entries have no file to find.
            int64_t file = t.id.empty() ? 0 : file_of[std::stoll(t.id)];
            path = Fill(path, "file", file ? std::to_string(file) : "999999");
            if (std::string(key) == "mimi" && t.grid) expect_other = 404;
          }
          if (c.pattern.ends_with("/attachments")) {
            path += "?field=proof&file_name=a.pdf";
            body = "%PDF-1.4\n% upload\n";
            if (std::string(key) == "mimi") expect_other = 422;  // no such field
          }
          if (c.pattern.ends_with("/entries/{id}") && c.method == "PATCH")
            body = json{{"values",
                         std::string(key) == "mimi" ? json{{"kind", "2"}} : json{{"note", "更新"}}}}
                       .dump();
          if (c.pattern.ends_with("/transitions"))
            body = json{{"transition", "close"}, {"reason", "迁出"}}.dump();
          if (c.pattern.ends_with("/visits")) {
            body = json{{"on", "2026-06-30"}}.dump();
            if (std::string(key) == "mimi") expect_other = 422;  // no schedule declared
          }
          if (c.pattern.ends_with("/reports")) {
            body = json{{"zero", true}}.dump();
            if (std::string(key) == "mimi") expect_other = 422;  // no daily report declared
          }
          if (c.pattern.ends_with("/intervals")) {
            body = json{{"org_id", t.unit}, {"code", "2"}, {"days", 20}}.dump();
            const WorldUnit* unit = nullptr;
            for (const auto& u : w.units)
              if (u.id == t.unit) unit = &u;
            if (std::string(key) == "mimi")
              expect_other = 422;  // no schedule
            else if (unit->level != org::Level::kDistrict)
              expect_other = 400;
          }
          if (c.on == On::kUnit && c.method == "GET") path += "?org_id=" + t.id;
          if (c.pattern.ends_with("/export_requests")) {
            path += "?org_id=" + t.id;
            if (std::string(key) == "fangwen") expect_other = 400;  // needs no approval
          }
          if (c.pattern.ends_with("/export") && std::string(key) == "mimi")
            expect_other = 400;  // no approval given
          if (c.pattern.ends_with("/imports")) {
            path += "?org_id=" + t.id + "&dry_run=1&file_name=t.csv";
            body = "姓名,公民身份号码\n某人,110105199001011238\n";
          }
          if (c.on == On::kApproval && t.grid) {
            // A level change requested by the community's own head-level writer: pending approval.
            auto [entry, person] = make_entry("fangwen", t.grid);
            (void)person;
            WorldUser requester;
            std::string name;
            int64_t community = 0;
            for (const auto& u : w.units)
              if (u.id == t.grid) community = u.parent_id;
            w.AddUser("community_worker", community, false, &name);
            EXPECT_EQ(w.Login(name, ApiWorld::kPassword, &requester).status, 201);
            Reply req =
                w.Call(&requester, "POST",
                       "/api/v1/ledgers/fangwen/entries/" + std::to_string(entry) + "/transitions",
                       json{{"transition", "change_level"}, {"values", {{"level", "1"}}}}.dump());
            EXPECT_EQ(req.status, 202) << req.raw;
            path = Fill(c.pattern, "id",
                        std::to_string(req.body["data"]["approval_id"].get<int64_t>()));
            body = "{}";
            // Rejecting is for the declared approvers (or the requester): others are refused.
            if (c.pattern.ends_with("/reject") && user.role != "community_head" &&
                user.role != "supervisor")
              expect_other = 403;
          }
          int64_t head = w.AuditHead();
          Reply r = w.Call(&user, c.method, path, body);
          ++cases;
          bool permitted = May(user.role, c.cap);
          int expect = !permitted ? 403
                       : !SeesLedger(user.role, key) && c.pattern.find("{key}") != std::string::npos
                           ? 404
                       : !in_scope || (c.on != On::kNone && c.on != On::kUnit && !t.grid) ? 404
                       : expect_other ? expect_other
                                      : 2;
          int got = r.status / 100 == 2 ? 2 : r.status;
          std::string label =
              user.key + " " + c.method + " " + path + " → " + std::to_string(r.status);
          if (got != expect) {
            if (got == 2)
              ++leaks;
            else
              ++false_denials;
            fail(label + " (expected " + std::to_string(expect) + "): " + r.raw.substr(0, 240));
            continue;
          }
          // What a success shows: only entries of the user's scope (and of the asked unit).
          std::vector<int64_t> shown;
          if (got == 2 && c.method == "GET" && c.pattern.ends_with("/entries")) {
            for (const auto& e : r.body["data"]) {
              int64_t grid = e["grid_id"].get<int64_t>();
              shown.push_back(e["id"]);
              if (!w.Under(grid, user.org_id) || !w.Under(grid, t.unit)) {
                ++leaks;
                fail(label + " shows entry of grid " + std::to_string(grid));
              }
            }
          }
          if (got == 2 && c.method == "GET" && c.pattern.ends_with("/entries/{id}"))
            shown.push_back(r.body["data"]["id"]);
          if (got == 2 && c.pattern.ends_with("{file}")) shown.push_back(std::stoll(t.id));
          if (got == 2 && c.pattern == "/api/v1/ledgers")
            for (const auto& l : r.body["data"])
              if (!SeesLedger(user.role, l["key"])) {
                ++leaks;
                fail(label + " lists " + l["key"].get<std::string>());
              }
          if (got == 2 && c.pattern == "/api/v1/approvals")
            for (const auto& a : r.body["data"])
              if (!w.Under(a.contains("org_id") ? a["org_id"].get<int64_t>()
                                                : a["grid_id"].get<int64_t>(),
                           user.org_id)) {
                ++leaks;
                fail(label + " lists an approval of another scope: " + a.dump());
              }
          // Canaries: no clear phone in any response or export cell.
          std::string scan = r.raw;
          if (r.content_type.find("spreadsheetml") != std::string::npos) {
            auto sheet = io::ReadSheetFromMemory(r.raw, "x.xlsx");
            scan.clear();
            if (sheet.ok())
              for (const auto& row : sheet->rows)
                for (const auto& cell : row) scan += cell.text + "\n";
          }
          for (const auto& canary : canaries)
            if (scan.find(canary) != std::string::npos) {
              ++canary_hits;
              fail(label + " shows canary " + canary);
            }
          for (const auto& canary : w.canaries)
            if (scan.find(canary) != std::string::npos) {
              ++canary_hits;
              fail(label + " shows a resident canary");
            }
          // Audit: a read names exactly the entries shown; every denial is recorded.
          auto records = w.AuditSince(head);
          if (!shown.empty()) {
            std::vector<int64_t> audited;
            int reads = 0;
            for (const auto& rec : records)
              if (rec["action"] == "read") {
                ++reads;
                audited = rec["details"]["entry_ids"].get<std::vector<int64_t>>();
              }
            std::sort(shown.begin(), shown.end());
            std::sort(audited.begin(), audited.end());
            if (reads != 1 || audited != shown) {
              ++audit_errors;
              fail(label + " read audit does not match what was shown");
            }
          }
          if (expect == 403 || expect == 404) {
            bool denial = std::any_of(records.begin(), records.end(),
                                      [](const json& rec) { return rec["outcome"] == "denied"; });
            if (!denial) {
              ++audit_errors;
              fail(label + " denial not audited");
            }
          }
        }
      }
    }
  }
  std::printf(
      "ledger access matrix: %d cases, %d leaks, %d false denials, %d audit errors, %d canaries "
      "shown\n",
      cases, leaks, false_denials, audit_errors, canary_hits);
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_GT(cases, 500);
  EXPECT_EQ(leaks, 0);
  EXPECT_EQ(false_denials, 0);
  EXPECT_EQ(audit_errors, 0);
  EXPECT_EQ(canary_hits, 0);
}

}  // namespace
}  // namespace linli::testing
