// Ledger declarations: a wrong declaration is refused with its file, JSON path and what is wrong;
// declared changes (a new field, a renamed field, a removed field, a new code) migrate the stored
// entries without loss, and an incompatible type change is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ledger/engine.h"
#include "org/org.h"
#include "registry/import.h"
#include "test_db.h"

namespace linli {
namespace {

using nlohmann::json;

json Base() {
  return json::parse(R"({
    "key": "demo_ledger", "name": "测试", "title": "测试台账", "purpose": "测试", "subject": "person",
    "fields": [{"key": "kind", "label": "类别", "type": "code", "table": "kinds", "required": true},
               {"key": "amount", "label": "金额", "type": "money"},
               {"key": "old_note", "label": "备注", "type": "text"}],
    "lifecycle": {"stages": [{"key": "open", "label": "在册"}, {"key": "closed", "label": "退出", "final": true}],
                  "transitions": [{"key": "enrol", "label": "纳入", "to": "open"},
                                  {"key": "close", "label": "退出", "from": ["open"], "to": "closed"}]},
    "export": {"title": "{org}测试", "columns": [{"source": "person.name", "header": "姓名"}, {"source": "kind"}]}
  })");
}
constexpr const char* kKinds = "# title: 类别 | 测试\ncode,label,aliases\n1,甲类,\n2,乙类,\n";

Result<ledger::Ledger> Parse(const json& j, const std::string& kinds = kKinds) {
  return ledger::ParseLedger("ledgers/demo_ledger",
                             {{"ledger.json", j.dump()}, {"codes/kinds.csv", kinds}});
}

void ExpectError(const json& j, const std::string& path, const std::string& detail_part) {
  auto r = Parse(j);
  ASSERT_FALSE(r.ok()) << j.dump();
  EXPECT_EQ(r.status().code(), ErrorCode::kLedgerDeclaration);
  EXPECT_EQ(r.status().Param("file"), "ledgers/demo_ledger/ledger.json");
  EXPECT_EQ(r.status().Param("path"), path) << r.status().Message();
  EXPECT_NE(r.status().Param("detail").find(detail_part), std::string::npos)
      << r.status().Message();
}

TEST(LedgerDeclaration, ValidBaseParses) {
  auto r = Parse(Base());
  ASSERT_TRUE(r.ok()) << r.status().Message();
  EXPECT_EQ(r->fields.size(), 3u);
  EXPECT_EQ(r->FindTable("kinds")->items().size(), 2u);
}

TEST(LedgerDeclaration, WrongDeclarationsNameFilePathAndProblem) {
  json j = Base();
  j["colour"] = "red";
  ExpectError(j, "$.colour", "不认识的键");
  j = Base();
  j["fields"][1]["type"] = "float";
  ExpectError(j, "$.fields[1].type", "float");
  j = Base();
  j["fields"][0]["table"] = "nope";
  ExpectError(j, "$.fields[0].table", "nope");
  j = Base();
  j["fields"][2]["key"] = "Bad Key";
  ExpectError(j, "$.fields[2].key", "小写字母");
  j = Base();
  j["fields"][2]["label"] = "类别";
  ExpectError(j, "$.fields[2].label", "重复");
  j = Base();
  j["lifecycle"]["transitions"][1]["to"] = "gone";
  ExpectError(j, "$.lifecycle.transitions[1].to", "gone");
  j = Base();
  j["lifecycle"]["transitions"][1]["roles"] = {"mayor"};
  ExpectError(j, "$.lifecycle.transitions[1].roles[0]", "mayor");
  j = Base();
  j["rules"] = {
      {{"code", "r1"}, {"kind", "date_order"}, {"fields", {"kind", "amount"}}, {"message", "x"}}};
  ExpectError(j, "$.rules[0].fields[0]", "date_order");
  j = Base();
  j["schedule"] = {{"by_field", "kind"}, {"every_days_by", {{"3", 30}}}};
  ExpectError(j, "$.schedule.every_days_by.3", "不是代码表");
  j = Base();
  j["fields"][2]["pattern"] = "([a-z";
  j["fields"][2]["pattern_message"] = "x";
  ExpectError(j, "$.fields[2].pattern", "正则");
  j = Base();
  j["export"]["columns"][1]["source"] = "person.salary";
  ExpectError(j, "$.export.columns[1].source", "person.salary");
  j = Base();
  j["key"] = "other";
  ExpectError(j, "$.key", "文件夹");
  // Attachments: a closed set of kinds, limits only on attachment fields, no filter, and no
  // required attachment where demo data is declared (the demo uploads no files).
  json scan = {{"key", "scan"}, {"label", "扫描件"}, {"type", "attachment"}};
  j = Base();
  j["fields"].push_back(scan);
  j["fields"][3]["accept"] = {"pdf", "exe"};
  ExpectError(j, "$.fields[3].accept[1]", "exe");
  j = Base();
  j["fields"][2]["max_kb"] = 100;
  ExpectError(j, "$.fields[2].max_kb", "attachment");
  j = Base();
  j["fields"].push_back(scan);
  j["fields"][3]["filter"] = true;
  ExpectError(j, "$.fields[3].filter", "附件");
  j = Base();
  j["fields"].push_back(scan);
  j["fields"][3]["required"] = true;
  j["demo"] = {{"rate", 0.1}};
  ExpectError(j, "$.fields[3].required", "演示");
  j = Base();
  j["fields"].push_back(scan);
  auto defaults = Parse(j);
  ASSERT_TRUE(defaults.ok()) << defaults.status().Message();
  EXPECT_EQ(defaults->fields[3].accept, (std::vector<std::string>{"pdf", "jpg", "png"}));
  EXPECT_EQ(defaults->fields[3].max_kb, 5120);
  auto bad_json = ledger::ParseLedger("ledgers/demo_ledger", {{"ledger.json", "{\"key\": "}});
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.status().Param("path"), "$");
  auto bad_codes = Parse(Base(), "# title: 类别\ncode,label\n1,甲类\n1,乙类\n");
  ASSERT_FALSE(bad_codes.ok());
  EXPECT_EQ(bad_codes.status().Param("file"), "ledgers/demo_ledger/codes/kinds.csv");
  EXPECT_NE(bad_codes.status().Param("detail").find("duplicate code"), std::string::npos);
}

TEST(LedgerDeclaration, DeclaredChangesMigrateStoredEntriesWithoutLoss) {
  setenv("LINLI_TODAY", "2026-06-30", 1);
  auto db = testing::OpenFreshDb();
  ASSERT_TRUE(db);
  auto d = org::UpsertOrgUnit(*db, "110105", "朝阳区", org::Level::kDistrict, 0);
  auto s = org::UpsertOrgUnit(*db, "110105001", "建外街道", org::Level::kStreet, *d);
  auto c = org::UpsertOrgUnit(*db, "110105001001", "幸福里社区居委会", org::Level::kCommunity, *s);
  ASSERT_TRUE(c.ok());
  registry::ImportOptions opts;
  opts.org_code = "110105001001";
  auto imported = registry::ImportRegistryBytes(
      *db, "姓名,出生日期,现居住地址\n王五,1950-01-01,幸福里小区1栋1单元101室\n", opts);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  int64_t person = *db->QueryInt("SELECT id FROM persons WHERE name = '王五'");

  // Version 1 of a declaration folder on disk, loaded like a deployment's own ledger.
  std::string dir = testing::TempDir() + "/decl-migrate/demo_ledger";
  std::filesystem::create_directories(dir + "/codes");
  auto write = [&](const json& j, const std::string& kinds) {
    std::ofstream(dir + "/ledger.json") << j.dump();
    std::ofstream(dir + "/codes/kinds.csv") << kinds;
    return ledger::Catalog::Load({testing::TempDir() + "/decl-migrate"});
  };
  auto v1 = write(Base(), kKinds);
  ASSERT_TRUE(v1.ok()) << v1.status().Message();
  ASSERT_TRUE(ledger::SyncSchema(*db, **v1).ok());
  const ledger::Ledger* l1 = (*v1)->Find("demo_ledger");
  auto engine1 = ledger::Engine::Create(*db, **v1);
  std::vector<ledger::FieldProblem> problems;
  auto e =
      engine1->Enrol(*l1, person, {{"kind", "乙类"}, {"amount", "12.50"}, {"old_note", "原备注"}},
                     "2026-06-01", 0, {}, &problems);
  ASSERT_TRUE(e.ok()) << e.status().ToString();

  // Version 2: a new field, a renamed field ("was"), a removed field, a new code.
  json j2 = Base();
  j2["fields"][2] = {{"key", "note"}, {"label", "情况说明"}, {"type", "text"}, {"was", "old_note"}};
  j2["fields"].erase(1);  // amount removed from the declaration
  j2["fields"].push_back({{"key", "phone"}, {"label", "电话"}, {"type", "phone"}});
  auto v2 = write(j2, std::string(kKinds) + "3,丙类,\n");
  ASSERT_TRUE(v2.ok()) << v2.status().Message();
  ASSERT_TRUE(ledger::SyncSchema(*db, **v2).ok());
  const ledger::Ledger* l2 = (*v2)->Find("demo_ledger");
  auto engine2 = ledger::Engine::Create(*db, **v2);
  auto got = engine2->Get(*l2, e->entry_id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(std::get<std::string>(got->values["note"]), "原备注");  // renamed, kept
  EXPECT_EQ(std::get<std::string>(got->values["kind"]), "2");
  EXPECT_TRUE(got->values.find("phone") == got->values.end());  // new, empty
  EXPECT_EQ(
      *db->QueryInt("SELECT f_amount FROM ledger_demo_ledger WHERE entry_id = ?", {e->entry_id}),
      1250);  // kept
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM ledger_columns WHERE ledger = 'demo_ledger' AND "
                          "retired_at IS NOT NULL"),
            1);
  ASSERT_TRUE(
      engine2->Edit(*l2, e->entry_id, {{"kind", "丙类"}, {"phone", "13812345678"}}, {}, &problems)
          .ok());

  // Declaring a removed field again brings its data back.
  json j4 = j2;
  j4["fields"].push_back({{"key", "amount"}, {"label", "金额"}, {"type", "money"}});
  auto v4 = write(j4, std::string(kKinds) + "3,丙类,\n");
  ASSERT_TRUE(v4.ok());
  ASSERT_TRUE(ledger::SyncSchema(*db, **v4).ok());
  auto engine4 = ledger::Engine::Create(*db, **v4);
  auto back = engine4->Get(*(*v4)->Find("demo_ledger"), e->entry_id);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<int64_t>(back->values["amount"]), 1250);

  // An incompatible type change is refused, naming the ledger and the field.
  json j5 = j4;
  j5["fields"].back()["type"] = "date";
  auto v5 = write(j5, std::string(kKinds) + "3,丙类,\n");
  ASSERT_TRUE(v5.ok());
  Status refused = ledger::SyncSchema(*db, **v5);
  EXPECT_EQ(refused.code(), ErrorCode::kLedgerSchemaConflict);
  EXPECT_EQ(refused.Param("field"), "金额");
  unsetenv("LINLI_TODAY");
}

}  // namespace
}  // namespace linli
