// Field encryption of the registry (crypto/field_cipher.h), on SQLite and on PostgreSQL:
//   - the store: values round-trip through import, Get, History, search and export; what is stored
//     is ciphertext; blind indexes find full IDs, ID tails (4–8 digits, buckets verified), phones
//     and phone tails
//   - keys: a store opened with another key file, or without its key file, is refused with a clear
//     error naming the path; a read-only open defers that error to the first use
//   - tampering: a changed ciphertext, or one moved to another column, is refused (kFieldDecrypt)
//   - reports: ID numbers and phones are masked in `normalized` unless asked otherwise
//   - canaries: after imports, re-imports, a dry run, a move, a merge, an ending, a search and an
//     export, no canary ID number or phone appears as ASCII digits in the SQLite main file, -wal,
//     -shm or a VACUUM INTO copy, nor in any text column of any table on PostgreSQL
//   - search: names with address characters (张国栋, 路遥) are found by name (regression)
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/id_number.h"
#include "crypto/field_cipher.h"
#include "org/org.h"
#include "registry/export.h"
#include "registry/import.h"
#include "registry/person.h"
#include "registry/search.h"
#include "test_db.h"

namespace linli {
namespace {

std::string MakeId(const std::string& area, const std::string& birth, const std::string& seq) {
  std::string first17 = area + birth + seq;
  return first17 + IdCheckChar(first17);
}

// Canaries: valid, and used nowhere else in the tests.
const std::string kCanaryIdA = MakeId("110105", "19770707", "771");  // 钱多多 m
const std::string kCanaryIdB = MakeId("110105", "19660606", "662");  // 孙有才 f
const std::string kCanaryIdE = MakeId("110105", "19550505", "553");  // 周不来 (dry run only) m
const std::string kCanaryPhoneA1 = "18577770001";
const std::string kCanaryPhoneA2 = "18577770002";
const std::string kCanaryPhoneB = "18577770003";
const std::string kCanaryPhoneC = "18577770004";
const std::string kCanaryPhoneD = "18577770005";
const std::string kCanaryPhoneE = "18577770006";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

class RegistryEncryptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("LINLI_TODAY", "2026-06-30", 1);
    url_ = testing::FreshStoreUrl();
    auto db = storage::Db::Open(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto d = org::UpsertOrgUnit(*db_, "110105", "朝阳区", org::Level::kDistrict, 0);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    auto s = org::UpsertOrgUnit(*db_, "110105001", "建外街道", org::Level::kStreet, *d);
    ASSERT_TRUE(s.ok());
    auto c = org::UpsertOrgUnit(*db_, "110105001001", "幸福里社区居委会", org::Level::kCommunity, *s);
    ASSERT_TRUE(c.ok());
  }

  registry::ImportReport ImportCsv(const std::string& csv, bool dry_run = false, bool unmasked = false) {
    static int counter = 0;
    std::string path = testing::TempDir() + "/enc-" + std::to_string(++counter) + ".csv";
    std::ofstream(path, std::ios::binary) << csv;
    registry::ImportOptions opts;
    opts.org_code = "110105001001";
    opts.dry_run = dry_run;
    opts.unmasked = unmasked;
    auto r = registry::ImportRegistryFile(*db_, path, opts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : registry::ImportReport{};
  }

  int64_t PersonId(const std::string& id_number) {
    auto store = registry::PersonStore::Create(*db_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return 0;
    auto id = (*store)->FindByIdNumber(id_number);
    return id.ok() ? *id : 0;
  }

  std::vector<std::string> Names(const std::string& q) {
    registry::SearchQuery sq;
    sq.text = q;
    sq.limit = 50;
    auto hits = registry::SearchPersons(*db_, sq);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    std::vector<std::string> out;
    if (hits.ok())
      for (const auto& h : *hits) out.push_back(h.name);
    return out;
  }

  std::string SqlitePath() const { return url_.substr(std::string("sqlite:").size()); }

  std::string url_;
  std::unique_ptr<storage::Db> db_;
};

TEST(FieldCipherTest, RoundTripNonceAssociatedDataAndIndexes) {
  auto c = crypto::FieldCipher::FromBytes(std::string(32, '\x01'));
  std::string a = c->Encrypt("id_number", "11010519491231002X");
  std::string b = c->Encrypt("id_number", "11010519491231002X");
  EXPECT_NE(a, b);  // a random nonce per value
  EXPECT_TRUE(crypto::FieldCipher::LooksEncrypted(a));
  EXPECT_EQ(a.find("11010519491231002X"), std::string::npos);
  EXPECT_EQ(*c->Decrypt("id_number", a), "11010519491231002X");
  EXPECT_EQ(c->Encrypt("phone", ""), "");
  EXPECT_EQ(*c->Decrypt("phone", ""), "");
  // Bound to its field: the same ciphertext in another column does not decrypt.
  EXPECT_EQ(c->Decrypt("phone", a).status().code(), ErrorCode::kFieldDecrypt);
  // Tampered: one character of the base64 body changed.
  std::string t = a;
  t[10] = t[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(c->Decrypt("id_number", t).status().code(), ErrorCode::kFieldDecrypt);
  EXPECT_EQ(c->Decrypt("id_number", "11010519491231002X").status().code(), ErrorCode::kFieldDecrypt);
  EXPECT_EQ(c->Decrypt("id_number", "e1:").status().code(), ErrorCode::kFieldDecrypt);
  // Another key does not decrypt, and gives other blind indexes and another key check.
  auto other = crypto::FieldCipher::FromBytes(std::string(32, '\x02'));
  EXPECT_EQ(other->Decrypt("id_number", a).status().code(), ErrorCode::kFieldDecrypt);
  EXPECT_NE(c->KeyCheck(), other->KeyCheck());
  EXPECT_EQ(c->BlindIndex("phone", "13800138000"), c->BlindIndex("phone", "13800138000"));
  EXPECT_NE(c->BlindIndex("phone", "13800138000"), other->BlindIndex("phone", "13800138000"));
  EXPECT_NE(c->BlindIndex("phone", "13800138000"), c->BlindIndex("id_number", "13800138000"));
  EXPECT_EQ(c->BlindIndex("phone", "13800138000").size(), 32u);
  // Tails: the last four digits (and X), dashes ignored.
  EXPECT_EQ(c->TailIndex("phone", "010-12345678"), c->TailIndex("phone", "5678"));
  EXPECT_EQ(c->TailIndex("id_number", "11010519491231002X"), c->TailIndex("id_number", "002x"));
  EXPECT_EQ(c->TailIndex("phone", "123"), "");
}

TEST(FieldKeyFileTest, CreatedPrivateAndLoadedAgain) {
  std::string path = testing::TempDir() + "/keys-" + std::to_string(::getpid()) + "/field.key";
  bool created = false;
  auto a = crypto::FieldCipher::Load(path, /*create=*/true, &created);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(created);
  auto perms = std::filesystem::status(path).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
  auto b = crypto::FieldCipher::Load(path, /*create=*/false, &created);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ((*a)->KeyCheck(), (*b)->KeyCheck());
  auto missing = crypto::FieldCipher::Load(path + ".missing", /*create=*/false);
  EXPECT_EQ(missing.status().code(), ErrorCode::kFieldKey);
  EXPECT_NE(missing.status().Message().find(path + ".missing"), std::string::npos);
}

TEST_F(RegistryEncryptionTest, ValuesRoundTripAndOnlyCiphertextIsStored) {
  auto r = ImportCsv("姓名,公民身份号码,联系电话,现居住地址\n钱多多," + kCanaryIdA + "," + kCanaryPhoneA1 +
                     ",幸福里小区1栋1单元101室\n");
  ASSERT_EQ(r.imported, 1) << registry::ReportToText(r);
  int64_t id = PersonId(kCanaryIdA);
  ASSERT_GT(id, 0);
  auto stored = db_->Query("SELECT id_number, phone, id_number_digest, phone_digest FROM persons WHERE id = ?", {id});
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(crypto::FieldCipher::LooksEncrypted((*stored)[0].Text(0)));
  EXPECT_TRUE(crypto::FieldCipher::LooksEncrypted((*stored)[0].Text(1)));
  EXPECT_EQ((*stored)[0].Text(2).size(), 32u);
  auto store = registry::PersonStore::Create(*db_);
  ASSERT_TRUE(store.ok());
  auto p = (*store)->Get(id);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->fields["id_number"], kCanaryIdA);
  EXPECT_EQ(p->fields["phone"], kCanaryPhoneA1);
  EXPECT_EQ(p->fields["birth_date"], "1977-07-07");  // derived, stays plain
  // A re-import with a new phone: the change is reported masked, recorded encrypted, read back clear.
  r = ImportCsv("姓名,公民身份号码,联系电话\n钱多多," + kCanaryIdA + "," + kCanaryPhoneA2 + "\n");
  ASSERT_EQ(r.updated, 1) << registry::ReportToText(r);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].old_value, "185****0001");
  EXPECT_EQ(r.changes[0].new_value, "185****0002");
  auto events = db_->Query("SELECT old_value, new_value FROM person_events WHERE person_id = ? AND field = 'phone'", {id});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_TRUE(crypto::FieldCipher::LooksEncrypted((*events)[0].Text(0)));
  auto history = (*store)->History(id);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  bool seen = false;
  for (const auto& e : *history)
    if (e.field == "phone") {
      EXPECT_EQ(e.old_value, kCanaryPhoneA1);
      EXPECT_EQ(e.new_value, kCanaryPhoneA2);
      seen = true;
    }
  EXPECT_TRUE(seen);
  // Search results carry clear values.
  registry::SearchQuery q;
  q.text = kCanaryPhoneA2;
  auto hits = registry::SearchPersons(*db_, q);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id_number, kCanaryIdA);
  EXPECT_EQ((*hits)[0].phone, kCanaryPhoneA2);
  EXPECT_EQ((*hits)[0].matched_by, "phone");
}

TEST_F(RegistryEncryptionTest, TailSearchesGoThroughBlindIndexBuckets) {
  // Two IDs sharing their last four characters, differing in the fifth from the end.
  std::string id1 = MakeId("110105", "19800101", "123");
  std::string id2;
  for (int day = 2; day <= 28 && (id2.empty() || id2.back() != id1.back()); ++day)
    id2 = MakeId("110105", std::string("198001") + (day < 10 ? "0" : "") + std::to_string(day), "123");
  ASSERT_EQ(id1.substr(14), id2.substr(14));
  ASSERT_NE(id1.substr(13), id2.substr(13));
  auto r = ImportCsv("姓名,公民身份号码,联系电话\n赵甲," + id1 + ",13612345678\n赵乙," + id2 + ",010-87654321\n");
  ASSERT_EQ(r.imported, 2) << registry::ReportToText(r);
  auto tail4 = Names(id1.substr(14));
  EXPECT_EQ(std::set<std::string>(tail4.begin(), tail4.end()), (std::set<std::string>{"赵甲", "赵乙"}));
  EXPECT_EQ(Names(id1.substr(13)), std::vector<std::string>{"赵甲"});  // 5 digits: bucket verified
  EXPECT_EQ(Names(id2.substr(10)), std::vector<std::string>{"赵乙"});  // 8 digits
  EXPECT_EQ(Names("5678"), std::vector<std::string>{"赵甲"});          // phone tail
  EXPECT_EQ(Names("2345678"), std::vector<std::string>{"赵甲"});
  EXPECT_EQ(Names("87654321"), std::vector<std::string>{"赵乙"});      // fixed-line tail, past the dash
  EXPECT_EQ(Names("01087654321"), std::vector<std::string>{"赵乙"});   // fixed line typed without its dash
  EXPECT_EQ(Names("13612345678"), std::vector<std::string>{"赵甲"});
  EXPECT_EQ(Names(id2), std::vector<std::string>{"赵乙"});
  EXPECT_TRUE(Names("99995678").empty());
}

TEST_F(RegistryEncryptionTest, ReportsMaskSensitiveNormalisations) {
  std::string lower = kCanaryIdE;
  std::string spaced = "185 7777 0006";
  auto r = ImportCsv("姓名,公民身份号码,联系电话\n周不来," + lower.substr(0, 6) + " " + lower.substr(6) + "," + spaced + "\n",
                     /*dry_run=*/true);
  ASSERT_EQ(r.imported, 1) << registry::ReportToText(r);
  ASSERT_EQ(r.normalized.size(), 2u);
  std::string json = registry::ReportToJson(r).dump();
  EXPECT_EQ(json.find(kCanaryIdE), std::string::npos) << json;
  EXPECT_EQ(json.find(kCanaryPhoneE), std::string::npos) << json;
  EXPECT_NE(json.find(MaskIdNumber(kCanaryIdE)), std::string::npos) << json;
  EXPECT_NE(json.find("185****0006"), std::string::npos) << json;
  auto clear = ImportCsv("姓名,公民身份号码,联系电话\n周不来," + lower.substr(0, 6) + " " + lower.substr(6) + "," + spaced + "\n",
                         /*dry_run=*/true, /*unmasked=*/true);
  std::string clear_json = registry::ReportToJson(clear).dump();
  EXPECT_NE(clear_json.find(kCanaryIdE), std::string::npos);
  EXPECT_NE(clear_json.find(kCanaryPhoneE), std::string::npos);
}

TEST_F(RegistryEncryptionTest, TamperedCiphertextIsRefused) {
  auto r = ImportCsv("姓名,公民身份号码,联系电话\n钱多多," + kCanaryIdA + "," + kCanaryPhoneA1 + "\n");
  ASSERT_EQ(r.imported, 1);
  int64_t id = PersonId(kCanaryIdA);
  // The ID's ciphertext copied into the phone column: bound to its field, it does not decrypt.
  ASSERT_TRUE(db_->Exec("UPDATE persons SET phone = id_number WHERE id = ?", {id}).ok());
  auto store = registry::PersonStore::Create(*db_);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Get(id).status().code(), ErrorCode::kFieldDecrypt);
  registry::SearchQuery q;
  q.text = kCanaryIdA;
  EXPECT_EQ(registry::SearchPersons(*db_, q).status().code(), ErrorCode::kFieldDecrypt);
  // A changed character.
  auto rows = db_->Query("SELECT id_number FROM persons WHERE id = ?", {id});
  std::string ct = (*rows)[0].Text(0);
  ct[ct.size() / 2] = ct[ct.size() / 2] == 'A' ? 'B' : 'A';
  ASSERT_TRUE(db_->Exec("UPDATE persons SET id_number = ?, phone = NULL WHERE id = ?", {ct, id}).ok());
  auto p = (*store)->Get(id);
  EXPECT_EQ(p.status().code(), ErrorCode::kFieldDecrypt);
  EXPECT_NE(p.status().Message().find("无法解密"), std::string::npos);
}

TEST_F(RegistryEncryptionTest, WrongOrMissingKeyIsRefusedWithItsPath) {
  auto r = ImportCsv("姓名,公民身份号码\n钱多多," + kCanaryIdA + "\n");
  ASSERT_EQ(r.imported, 1);
  db_.reset();
  std::string dir = testing::TempDir() + "/wrong-keys-" + std::to_string(reinterpret_cast<uintptr_t>(this));
  storage::OpenOptions options;
  options.field_key_path = dir + "/other.key";
  // Missing: never created for a store that already has a key.
  auto missing = storage::Db::Open(url_, options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kFieldKey);
  EXPECT_NE(missing.status().Message().find(options.field_key_path), std::string::npos);
  EXPECT_NE(missing.status().Message().find("LINLI_FIELD_KEY"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(options.field_key_path));
  // Another key.
  ASSERT_TRUE(crypto::FieldCipher::Load(options.field_key_path, /*create=*/true).ok());
  auto wrong = storage::Db::Open(url_, options);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kFieldKeyMismatch);
  EXPECT_NE(wrong.status().Message().find(options.field_key_path), std::string::npos);
  // Read-only: the open succeeds, the first use of the key fails with the same error.
  options.create = false;
  options.read_only = true;
  auto reader = storage::Db::Open(url_, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  registry::SearchQuery q;
  q.text = kCanaryIdA;
  EXPECT_EQ(registry::SearchPersons(**reader, q).status().code(), ErrorCode::kFieldKeyMismatch);
  // The right key (the process default) still opens it.
  auto right = storage::Db::Open(url_);
  ASSERT_TRUE(right.ok()) << right.status().ToString();
  db_ = std::move(*right);
  EXPECT_GT(PersonId(kCanaryIdA), 0);
}

TEST_F(RegistryEncryptionTest, CanariesNeverStoredInClear) {
  std::string header = "姓名,公民身份号码,性别,出生日期,联系电话,现居住地址\n";
  auto r = ImportCsv(header + "钱多多," + kCanaryIdA + ",男,," + kCanaryPhoneA1 + ",幸福里小区1栋1单元101室\n" +
                     "孙有才," + kCanaryIdB + ",女,," + kCanaryPhoneB + ",幸福里小区1栋1单元102室\n" +
                     "李无证,,女,1980-08-08," + kCanaryPhoneC + ",幸福里小区1栋1单元103室\n");
  ASSERT_EQ(r.imported, 3) << registry::ReportToText(r);
  // Updates: a new phone for A; a record of B without an ID (same name and birth date).
  r = ImportCsv(header + "钱多多," + kCanaryIdA + ",男,," + kCanaryPhoneA2 + ",幸福里小区1栋1单元105室\n" +
                "孙有才,,女,1966-06-06," + kCanaryPhoneD + ",幸福里小区1栋1单元102室\n");
  ASSERT_EQ(r.updated, 1) << registry::ReportToText(r);
  ASSERT_EQ(r.imported, 1) << registry::ReportToText(r);
  // A dry run (rolled back).
  r = ImportCsv(header + "周不来," + kCanaryIdE + ",男,," + kCanaryPhoneE + ",幸福里小区1栋1单元106室\n", true);
  ASSERT_EQ(r.imported, 1);
  // A move, a merge (B's ID moves to the record without one), an ending.
  int64_t a = PersonId(kCanaryIdA), b = PersonId(kCanaryIdB);
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  {
    ASSERT_TRUE(db_->Begin().ok());
    auto store = registry::PersonStore::Create(*db_);
    ASSERT_TRUE(store.ok());
    auto before = (*store)->Get(a);
    ASSERT_TRUE(before.ok());
    registry::Person after = *before;
    after.fields["address"] = "幸福里小区2栋1单元201室";
    after.fields["phone"] = kCanaryPhoneA1;
    ASSERT_TRUE((*store)->Update(*before, after, "搬迁", 0).ok());
    ASSERT_TRUE(db_->Commit().ok());
  }
  auto no_id = db_->QueryInt("SELECT id FROM persons WHERE name = '孙有才' AND id_number IS NULL");
  ASSERT_TRUE(no_id.ok() && *no_id > 0);
  Status merged = registry::MergePersons(*db_, *no_id, b, "同一人");
  ASSERT_TRUE(merged.ok()) << merged.ToString();
  EXPECT_EQ(PersonId(kCanaryIdB), *no_id);
  auto c = db_->QueryInt("SELECT id FROM persons WHERE name = '李无证'");
  ASSERT_TRUE(registry::EndPerson(*db_, *c, "moved_out", "2026-06-01", "迁往外地").ok());
  EXPECT_EQ(Names(kCanaryIdA), std::vector<std::string>{"钱多多"});
  // Export is a permitted place for clear values.
  registry::ExportOptions eo;
  eo.org_code = "110105001001";
  eo.include_ended = true;
  eo.out_path = testing::TempDir() + "/canary-export-" + std::to_string(reinterpret_cast<uintptr_t>(this)) + ".xlsx";
  auto e = registry::ExportRegistry(*db_, eo);
  ASSERT_TRUE(e.ok()) << e.status().ToString();

  const std::vector<std::string> canaries = {kCanaryIdA,     kCanaryIdB,     kCanaryIdE,     kCanaryPhoneA1,
                                             kCanaryPhoneA2, kCanaryPhoneB,  kCanaryPhoneC,  kCanaryPhoneD,
                                             kCanaryPhoneE};
  if (!testing::TestingPostgres()) {
    std::string path = SqlitePath();
    std::string copy = path + ".vacuum-copy";
    std::filesystem::remove(copy);
    sqlite3* src = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &src, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(src, ("VACUUM INTO '" + copy + "'").c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_close(src);
    std::vector<std::string> files = {path, path + "-wal", path + "-shm", copy};
    ASSERT_TRUE(std::filesystem::exists(path + "-wal"));
    for (const auto& f : files) {
      std::string bytes = ReadAll(f);
      if (f != path + "-shm") {
        EXPECT_GT(bytes.size(), 0u) << f;
      }
      for (const auto& canary : canaries) EXPECT_EQ(bytes.find(canary), std::string::npos) << canary << " in " << f;
    }
    // The check itself finds what is there: the name of a resident is stored in clear.
    EXPECT_NE(ReadAll(copy).find("钱多多"), std::string::npos);
  } else {
    auto columns = db_->Query(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND data_type IN ('text', 'character varying', 'character') ORDER BY table_name, column_name");
    ASSERT_TRUE(columns.ok()) << columns.status().ToString();
    ASSERT_GT(columns->size(), 20u);
    for (const auto& col : *columns) {
      for (const auto& canary : canaries) {
        auto n = db_->QueryInt("SELECT count(*) FROM \"" + col.Text(0) + "\" WHERE \"" + col.Text(1) + "\" LIKE ?",
                               {"%" + canary + "%"});
        ASSERT_TRUE(n.ok()) << n.status().ToString();
        EXPECT_EQ(*n, 0) << canary << " in " << col.Text(0) << "." << col.Text(1);
      }
    }
    auto names = db_->QueryInt("SELECT count(*) FROM persons WHERE name LIKE ?", {"%钱多多%"});
    EXPECT_EQ(*names, 1);
  }
}

TEST_F(RegistryEncryptionTest, NamesWithAddressCharactersAreFoundByName) {
  auto r = ImportCsv("姓名,出生日期\n张国栋,1970-01-01\n路遥,1971-01-01\n李苑,1972-01-01\n王万里,1973-01-01\n");
  ASSERT_EQ(r.imported, 4) << registry::ReportToText(r);
  EXPECT_EQ(Names("张国栋"), std::vector<std::string>{"张国栋"});
  EXPECT_EQ(Names("国栋"), std::vector<std::string>{"张国栋"});
  EXPECT_EQ(Names("路遥"), std::vector<std::string>{"路遥"});
  EXPECT_EQ(Names("李苑"), std::vector<std::string>{"李苑"});
  EXPECT_EQ(Names("王万里"), std::vector<std::string>{"王万里"});
  EXPECT_EQ(registry::SearchPlan("张国栋"), (std::vector<std::string>{"name", "address"}));
  EXPECT_EQ(registry::SearchPlan("幸福里小区3栋"), std::vector<std::string>{"address"});
  EXPECT_EQ(registry::SearchPlan("和平路12号"), std::vector<std::string>{"address"});
  EXPECT_TRUE(registry::LooksLikeAddress("朝阳门外大街"));
  EXPECT_FALSE(registry::LooksLikeAddress("张国栋"));
}

}  // namespace
}  // namespace linli
