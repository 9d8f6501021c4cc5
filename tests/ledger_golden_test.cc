// Golden cases of the built-in ledgers: every folder ledgers/<key>/ has a golden.json that this
// runner plays against the engine on a fresh store (SQLite or PostgreSQL, like every test).
//
// golden.json:
//   {"persons": [{"name", "gender": "男|女", "birth_date", "household", "relation", "address",
//                 "grid"}],            registered first; ID numbers are generated (valid, 110105…)
//    "cases": [{"name", "steps": [step, …]}]}   cases share the store and run in order
// A step has one action and optional "as" (a role; default community_worker), "today"
// (YYYY-MM-DD, the engine's today from this step on) and "expect" (default {"ok": true}):
//   {"enrol": NAME, "values": {…}, "on": DATE}     household ledgers enrol NAME's household
//   {"transition": KEY, "entry": NAME, "values", "on", "reason"}
//   {"edit": NAME, "values"}   {"visit": NAME, "on"}   {"report": NAME, "on", "zero", "details"}
//   {"approve": NAME} / {"reject": NAME}           the last approval requested for NAME
//   {"check": NAME, "stage", "next_due_on", "last_followup_on", "exited_on", "values": {…},
//    "events": [event keys], "requested_by"/"approved_by" of the last event: roles}
//   {"list": {"due": "today|week|overdue", "filters": {…}, "stage": S}, "names": [NAME, …]}
//   {"statistics": {"as_of", "from"}, "active", "enrolled", "exited", "values": {KEY: {…}}}
//   {"completeness": DATE, "expected", "filed", "zero"}
//   {"interval": CODE, "days": N}                  the district's own interval for CODE
//   expect: {"ok": true} | {"pending": true} (an approval was requested) | {"error": CODE}
//           | {"fields": {FIELD: CODE, …}} (validation problems, exactly these)
// Strings in values may contain {id:NAME}, replaced by NAME's ID number.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/id_number.h"
#include "ledger/engine.h"
#include "ledger/views.h"
#include "org/org.h"
#include "registry/import.h"
#include "test_db.h"

namespace linli {
namespace {

using nlohmann::json;

const std::vector<std::string> kRoles = {"grid_worker", "community_worker", "community_head",
                                         "supervisor",  "system_admin",     "security_admin",
                                         "auditor"};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Golden {
 public:
  Golden(const ledger::Ledger& l, const json& spec) : l_(l), spec_(spec) {}

  void Run() {
    setenv("LINLI_TODAY", "2026-01-05", 1);
    db_ = testing::OpenFreshDb();
    ASSERT_TRUE(db_);
    ASSERT_TRUE(ledger::SyncSchema(*db_, *ledger::Catalog::BuiltIn()).ok());
    auto d = org::UpsertOrgUnit(*db_, "110105", "朝阳区", org::Level::kDistrict, 0);
    auto s = org::UpsertOrgUnit(*db_, "110105001", "建外街道", org::Level::kStreet, *d);
    auto c =
        org::UpsertOrgUnit(*db_, "110105001001", "幸福里社区居委会", org::Level::kCommunity, *s);
    ASSERT_TRUE(c.ok());
    district_ = *d;
    community_ = *c;
    RegisterPersons();
    auto engine = ledger::Engine::Create(*db_, *ledger::Catalog::BuiltIn());
    ASSERT_TRUE(engine.ok());
    engine_.emplace(std::move(*engine));
    for (const json& c : spec_["cases"]) {
      SCOPED_TRACE("case: " + c.value("name", ""));
      int n = 0;
      for (const json& step : c["steps"]) {
        SCOPED_TRACE("step " + std::to_string(++n) + ": " + step.dump());
        Step(step);
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
    unsetenv("LINLI_TODAY");
  }

 private:
  void RegisterPersons() {
    std::string csv = "姓名,公民身份号码,性别,出生日期,户号,与户主关系,现居住地址,所属网格\n";
    int seq = 0;
    for (const json& p : spec_["persons"]) {
      std::string birth = p.value("birth_date", "1960-01-01");
      std::string digits = birth.substr(0, 4) + birth.substr(5, 2) + birth.substr(8, 2);
      int s = 100 + 2 * (seq++) + (p.value("gender", "男") == "男" ? 1 : 0);
      std::string first17 = "110105" + digits + std::to_string(s);
      std::string id = first17 + IdCheckChar(first17);
      ids_[p["name"].get<std::string>()] = id;
      csv += p["name"].get<std::string>() + "," + id + "," + p.value("gender", "男") + "," + birth +
             "," + p.value("household", "") + "," + p.value("relation", "户主") + "," +
             p.value("address", "幸福里小区1栋1单元101室") + "," + p.value("grid", "第1网格") +
             "\n";
    }
    registry::ImportOptions opts;
    opts.org_code = "110105001001";
    opts.file_name = "golden.csv";
    auto r = registry::ImportRegistryBytes(*db_, csv, opts);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->rejected, 0) << registry::ReportToJson(*r).dump();
    for (const auto& [name, id] : ids_) {
      auto rows = db_->Query("SELECT id, household_id FROM persons WHERE name = ?", {name});
      ASSERT_TRUE(rows.ok() && rows->size() == 1) << name;
      person_[name] = (*rows)[0].Int(0);
      household_[name] = (*rows)[0].Int(1);
    }
  }

  json Substitute(json v) {
    if (v.is_string()) {
      std::string s = v.get<std::string>();
      for (const auto& [name, id] : ids_) {
        std::string token = "{id:" + name + "}";
        for (size_t pos; (pos = s.find(token)) != std::string::npos;)
          s.replace(pos, token.size(), id);
      }
      return s;
    }
    if (v.is_object() || v.is_array())
      for (auto& item : v) item = Substitute(item);
    return v;
  }

  ledger::Actor ActorFor(const json& step) {
    std::string role = step.value("as", "community_worker");
    auto it = std::find(kRoles.begin(), kRoles.end(), role);
    EXPECT_NE(it, kRoles.end()) << "unknown role " << role;
    return {static_cast<int64_t>(it - kRoles.begin()) + 1, role};
  }
  std::string RoleOf(int64_t user_id) {
    return user_id >= 1 && user_id <= 7 ? kRoles[user_id - 1] : "";
  }

  int64_t EntryOf(const std::string& name) {
    int64_t subject = l_.household ? household_[name] : person_[name];
    auto rows = db_->Query(
        "SELECT id FROM ledger_entries WHERE ledger = ? AND subject_id = ? ORDER BY id DESC LIMIT "
        "1",
        {l_.key, subject});
    EXPECT_TRUE(rows.ok() && !rows->empty()) << "no entry for " << name;
    return rows.ok() && !rows->empty() ? (*rows)[0].Int(0) : 0;
  }

  void Expect(const json& step, const Status& status,
              const std::vector<ledger::FieldProblem>& problems, int64_t approval_id) {
    json expect = step.value("expect", json{{"ok", true}});
    if (expect.contains("error")) {
      EXPECT_EQ(status.number(), expect["error"].get<int>()) << status.ToString();
    } else if (expect.contains("fields")) {
      EXPECT_EQ(status.code(), ErrorCode::kLedgerInvalid) << status.ToString();
      std::map<std::string, int> got;
      for (const auto& p : problems) got[p.field] = p.status.number();
      std::map<std::string, int> want;
      for (const auto& [k, v] : expect["fields"].items()) want[k] = v.get<int>();
      EXPECT_EQ(got, want);
      for (const auto& p : problems) EXPECT_FALSE(p.status.Message().empty());
    } else {
      EXPECT_TRUE(status.ok()) << status.ToString() << " " << [&] {
        std::string s;
        for (const auto& p : problems) s += p.field + ": " + p.status.Message() + "; ";
        return s;
      }();
      EXPECT_EQ(approval_id != 0, expect.value("pending", false))
          << "approval requested: " << approval_id;
    }
  }

  void Step(const json& raw) {
    json step = Substitute(raw);
    if (step.contains("today")) setenv("LINLI_TODAY", step["today"].get<std::string>().c_str(), 1);
    ledger::Actor actor = ActorFor(step);
    std::vector<ledger::FieldProblem> problems;
    json values = step.value("values", json::object());
    if (step.contains("enrol")) {
      std::string name = step["enrol"];
      ASSERT_TRUE(person_.count(name)) << "unknown person " << name;
      int64_t subject = l_.household ? household_[name] : person_[name];
      auto r = engine_->Enrol(l_, subject, values, step.value("on", ""), 0, actor, &problems);
      if (r.ok() && r->approval_id) approvals_[name] = r->approval_id;
      Expect(step, r.status(), problems, r.ok() ? r->approval_id : 0);
    } else if (step.contains("transition")) {
      std::string name = step["entry"];
      auto r =
          engine_->Transition(l_, EntryOf(name), step["transition"], values, step.value("on", ""),
                              step.value("reason", ""), actor, &problems);
      if (r.ok() && r->approval_id) approvals_[name] = r->approval_id;
      Expect(step, r.status(), problems, r.ok() ? r->approval_id : 0);
    } else if (step.contains("edit")) {
      Status s = engine_->Edit(l_, EntryOf(step["edit"]), values, actor, &problems);
      Expect(step, s, problems, 0);
    } else if (step.contains("visit")) {
      auto r = engine_->RecordVisit(l_, EntryOf(step["visit"]), step.value("on", ""),
                                    step.value("method", "入户"), step.value("notes", ""), actor);
      Expect(step, r.status(), problems, 0);
    } else if (step.contains("report")) {
      auto r = engine_->FileReport(l_, EntryOf(step["report"]), step.value("on", ""),
                                   step.value("zero", true), step.value("details", ""), actor);
      Expect(step, r.status(), problems, 0);
    } else if (step.contains("approve") || step.contains("reject")) {
      std::string name = step.contains("approve") ? step["approve"] : step["reject"];
      ASSERT_TRUE(approvals_.count(name)) << "no approval requested for " << name;
      Status s = step.contains("approve") ? engine_->Approve(approvals_[name], actor, "").status()
                                          : engine_->Reject(approvals_[name], actor, "");
      Expect(step, s, problems, 0);
    } else if (step.contains("check")) {
      Check(step);
    } else if (step.contains("list")) {
      ledger::ListQuery q;
      q.community_ids = {community_};
      const json& lq = step["list"];
      q.due = *ledger::ParseDueWindow(lq.value("due", ""));
      q.stage = lq.value("stage", "");
      q.limit = 500;
      json filters = lq.value("filters", json::object());
      for (const auto& [k, v] : filters.items()) q.filters[k] = v.get<std::string>();
      auto r = engine_->List(l_, q);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      std::set<std::string> got, want;
      for (const auto& e : r->entries) got.insert(e.person_name);
      for (const auto& n : step["names"]) want.insert(n.get<std::string>());
      EXPECT_EQ(got, want);
      EXPECT_EQ(r->total, static_cast<int64_t>(want.size()));
    } else if (step.contains("statistics")) {
      const json& sq = step["statistics"];
      auto r = engine_->Statistics(l_, {{community_, {community_}}}, sq.value("from", ""),
                                   sq.value("as_of", ""));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      const json& unit = (*r)["units"][0];
      for (const char* k : {"active", "enrolled", "exited"})
        if (step.contains(k)) {
          EXPECT_EQ(unit[k], step[k]) << k;
        }
      json want = step.value("values", json::object());
      for (const auto& [k, v] : want.items()) EXPECT_EQ(unit["statistics"][k], v) << k;
    } else if (step.contains("completeness")) {
      auto r = engine_->ReportCompleteness(l_, {community_}, step["completeness"]);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->expected, step.value("expected", -1));
      EXPECT_EQ(r->filed, step.value("filed", -1));
      if (step.contains("zero")) {
        EXPECT_EQ(r->zero, step["zero"].get<int64_t>());
      }
    } else if (step.contains("interval")) {
      ASSERT_TRUE(engine_->SetInterval(l_, district_, step["interval"], step["days"]).ok());
    } else {
      FAIL() << "step without a known action";
    }
  }

  void Check(const json& step) {
    auto e = engine_->Get(l_, EntryOf(step["check"]));
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    for (const char* k : {"stage", "next_due_on", "last_followup_on", "exited_on", "exit_reason"}) {
      if (!step.contains(k)) continue;
      std::string got = k == std::string("stage")              ? e->stage
                        : k == std::string("next_due_on")      ? e->next_due_on
                        : k == std::string("last_followup_on") ? e->last_followup_on
                        : k == std::string("exited_on")        ? e->exited_on
                                                               : e->exit_reason;
      EXPECT_EQ(got, step[k].is_null() ? "" : step[k].get<std::string>()) << k;
    }
    json shown = ledger::EntryJson(l_, *e, "")["values"];
    json want = step.value("values", json::object());
    for (const auto& [k, v] : want.items()) EXPECT_EQ(shown[k], v) << k;
    auto history = engine_->History(e->id);
    ASSERT_TRUE(history.ok());
    if (step.contains("events")) {
      std::vector<std::string> got;
      for (const auto& ev : *history) got.push_back(ev.event);
      EXPECT_EQ(got, step["events"].get<std::vector<std::string>>());
    }
    if (step.contains("requested_by")) {
      EXPECT_EQ(RoleOf(history->back().requested_by), step["requested_by"]);
    }
    if (step.contains("approved_by")) {
      EXPECT_EQ(RoleOf(history->back().approved_by), step["approved_by"]);
    }
  }

  const ledger::Ledger& l_;
  json spec_;
  std::unique_ptr<storage::Db> db_;
  std::optional<ledger::Engine> engine_;
  int64_t district_ = 0, community_ = 0;
  std::map<std::string, std::string> ids_;
  std::map<std::string, int64_t> person_, household_, approvals_;
};

TEST(LedgerGolden, EveryBuiltInLedgerHasGoldenCases) {
  for (const auto& l : ledger::Catalog::BuiltIn()->ledgers()) {
    std::ifstream in(std::string(LINLI_SOURCE_DIR) + "/ledgers/" + l.key + "/golden.json");
    EXPECT_TRUE(in.good()) << "ledgers/" << l.key << "/golden.json is missing";
  }
}

class LedgerGoldenCases : public ::testing::TestWithParam<std::string> {};

TEST_P(LedgerGoldenCases, Play) {
  const ledger::Ledger* l = ledger::Catalog::BuiltIn()->Find(GetParam());
  ASSERT_NE(l, nullptr);
  std::string text =
      ReadFile(std::string(LINLI_SOURCE_DIR) + "/ledgers/" + l->key + "/golden.json");
  if (text.empty()) GTEST_SKIP() << "no golden.json (reported by EveryBuiltInLedgerHasGoldenCases)";
  json spec = json::parse(text);
  Golden(*l, spec).Run();
}

std::vector<std::string> BuiltInKeys() {
  std::vector<std::string> keys;
  for (const auto& l : ledger::Catalog::BuiltIn()->ledgers()) keys.push_back(l.key);
  return keys;
}

INSTANTIATE_TEST_SUITE_P(BuiltIn, LedgerGoldenCases, ::testing::ValuesIn(BuiltInKeys()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace linli
