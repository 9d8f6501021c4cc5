// Audit log tests, on whichever engine LINLI_TEST_DB selects (scripts/test.sh runs both).
//
// Covers:
//   chain        1,000 records append and verify; fields, hashes and links as stored; anchors
//                (table row and file) follow the head
//   immutability UPDATE/DELETE (and TRUNCATE on PostgreSQL) of records and deletion of the anchor
//                row are refused by triggers for every role
//   tampering    (triggers bypassed, as an attacker with database access would) an edited field,
//                a deleted middle row, a forged row at the end and in the middle, two swapped
//                rows, a truncated tail (also with the anchor row rewound), a chain re-MACed with
//                another key: each detected and classified
//   keys         wrong key refused at open and reported by verify; a lost key is not silently
//                replaced; key file 0600, wider permissions and malformed keys refused
//   anchor file  two slots survive a torn slot; a damaged file is reported
//   fail closed  inserts rejected by a trigger, a read-only store, an anchor file on a full
//                device, clear ID numbers/phones in details: an error comes back and nothing is
//                half-written (the audited change is rolled back too)
//   transactions AppendInTransaction commits and rolls back with the caller; Transact
//   concurrency  (PostgreSQL) two connections appending at once keep one gapless chain
//   search       filters by user, action, outcome, target, org, time; keyset paging both ways;
//                time bounds from dates (China time) and UTC timestamps

#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "test_db.h"

namespace linli::audit {
namespace {

using linli::testing::FreshStoreUrl;
using linli::testing::OpenFreshDb;
using linli::testing::TempDir;
using linli::testing::TestingPostgres;
using nlohmann::json;

#define ASSERT_OK(expr)                                       \
  do {                                                        \
    const ::linli::Status& _st = (expr);                      \
    ASSERT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (0)

#define ASSERT_RESULT_OK(res) ASSERT_TRUE((res).ok()) << #res << ": " << (res).status().ToString()

// A fresh folder for one test's key and anchor files.
std::string FreshKeyDir() {
  static std::atomic<int> counter{0};
  std::string dir = TempDir() + "/audit-keys-" + std::to_string(++counter);
  std::filesystem::create_directories(dir);
  return dir;
}

AuditEvent ReadEvent(int i) {
  AuditEvent e;
  e.user_id = 1 + i % 3;
  e.actor = "user" + std::to_string(1 + i % 3);
  e.role = "grid_worker";
  e.action = AuditAction::kRead;
  e.target_type = "person";
  e.target_id = std::to_string(100 + i);
  e.org_id = 7;
  e.details = {{"fields", {"name", "id_number"}}, {"id_number", "110105********002X"}};
  e.client_ip = "10.0.0." + std::to_string(i % 250);
  return e;
}

// Removes the append-only triggers, as an attacker with database access would before tampering.
void BypassTriggers(storage::Db& db) {
  Status st =
      db.dialect() == storage::Dialect::kSqlite
          ? db.ExecScript(
                "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS "
                "audit_log_no_delete; DROP TRIGGER IF EXISTS audit_anchor_no_delete; DROP "
                "TRIGGER IF EXISTS audit_anchor_key_check")
          : db.ExecScript(
                "ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_anchor DISABLE "
                "TRIGGER USER");
  ASSERT_TRUE(st.ok()) << st.ToString();
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenFreshDb();
    ASSERT_NE(db_, nullptr);
    key_dir_ = FreshKeyDir();
    key_path_ = key_dir_ + "/audit.key";
    auto log = AuditLog::Open(*db_, Options());
    ASSERT_RESULT_OK(log);
    log_ = std::move(log).value();
  }

  AuditOptions Options() const {
    AuditOptions o;
    o.key_path = key_path_;
    return o;
  }

  // Appends n read events; returns the records.
  std::vector<AuditRecord> AppendReads(int n) {
    std::vector<AuditEvent> events;
    for (int i = 0; i < n; ++i) events.push_back(ReadEvent(i));
    auto recs = log_->AppendAll(events);
    EXPECT_TRUE(recs.ok()) << recs.status().ToString();
    return recs.ok() ? *recs : std::vector<AuditRecord>{};
  }

  VerifyReport MustVerify() {
    auto rep = log_->Verify();
    EXPECT_TRUE(rep.ok()) << rep.status().ToString();
    return rep.ok() ? *rep : VerifyReport{};
  }

  int64_t Count() {
    auto n = db_->QueryInt("SELECT count(*) FROM audit_log");
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  std::string Describe(const VerifyReport& rep) { return ReportToJson(rep).dump(2); }

  std::unique_ptr<storage::Db> db_;
  std::string key_dir_, key_path_;
  std::unique_ptr<AuditLog> log_;
};

// ---- chain -----------------------------------------------------------------------------------

TEST_F(AuditLogTest, ThousandRecordsAppendAndVerify) {
  std::vector<AuditRecord> all;
  for (int batch = 0; batch < 9; ++batch) {
    std::vector<AuditEvent> events;
    for (int i = 0; i < 100; ++i) events.push_back(ReadEvent(batch * 100 + i));
    auto recs = log_->AppendAll(events);
    ASSERT_RESULT_OK(recs);
    all.insert(all.end(), recs->begin(), recs->end());
  }
  for (int i = 900; i < 1000; ++i) {
    auto rec = log_->Append(ReadEvent(i));
    ASSERT_RESULT_OK(rec);
    all.push_back(*rec);
  }
  ASSERT_EQ(all.size(), 1000u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(all[i].prev_hash, i == 0 ? std::string(kGenesisHash) : all[i - 1].hash);
  }
  VerifyReport rep = MustVerify();
  EXPECT_TRUE(rep.ok()) << Describe(rep);
  EXPECT_EQ(rep.records, 1000);
  EXPECT_EQ(rep.head_seq, 1000);
  EXPECT_EQ(rep.head_hash, all.back().hash);
  EXPECT_TRUE(rep.table_anchor_present);
  EXPECT_EQ(rep.table_anchor.seq, 1000);
  EXPECT_EQ(rep.table_anchor.hash, all.back().hash);
  ASSERT_EQ(rep.file_anchor.state, AnchorState::kOk);
  EXPECT_EQ(rep.file_anchor.anchor.seq, 1000);
  EXPECT_EQ(rep.file_anchor.anchor.hash, all.back().hash);
}

TEST_F(AuditLogTest, StoredFieldsMatchTheEventAndTheHash) {
  AuditEvent e;
  e.user_id = 42;
  e.actor = "wangfang";
  e.role = "community_admin";
  e.action = AuditAction::kUpdate;
  e.target_type = "person";
  e.target_id = "12";
  e.org_id = 5;
  e.details = {
      {"field", "phone"}, {"old", "138****8000"}, {"new", "139****9000"}, {"说明", "更正"}};
  e.client_ip = "192.168.1.20";
  auto rec = log_->Append(e);
  ASSERT_RESULT_OK(rec);
  AuditEvent cli;
  cli.actor = "cli:root";
  cli.action = AuditAction::kReveal;
  cli.outcome = AuditOutcome::kDenied;
  cli.reason = "核对低保申请";
  ASSERT_RESULT_OK(log_->Append(cli));

  auto page = log_->Search({.oldest_first = true});
  ASSERT_RESULT_OK(page);
  ASSERT_EQ(page->records.size(), 2u);
  const AuditRecord& r = page->records[0];
  EXPECT_EQ(r.seq, 1);
  EXPECT_EQ(r.user_id, 42);
  EXPECT_EQ(r.actor, "wangfang");
  EXPECT_EQ(r.role, "community_admin");
  EXPECT_EQ(r.action, "update");
  EXPECT_EQ(r.target_type, "person");
  EXPECT_EQ(r.target_id, "12");
  EXPECT_EQ(r.org_id, 5);
  EXPECT_EQ(r.outcome, "ok");
  EXPECT_EQ(json::parse(r.details), e.details);
  EXPECT_EQ(r.client_ip, "192.168.1.20");
  EXPECT_EQ(r.at.size(), 24u) << r.at;  // 2026-03-01T08:15:30.123Z
  EXPECT_EQ(r.at.back(), 'Z');
  EXPECT_EQ(r.hash, rec->hash);
  EXPECT_EQ(r.hash.size(), 64u);

  const AuditRecord& r2 = page->records[1];
  EXPECT_EQ(r2.user_id, 0);
  EXPECT_EQ(r2.org_id, 0);
  EXPECT_EQ(r2.action, "reveal");
  EXPECT_EQ(r2.outcome, "denied");
  EXPECT_EQ(r2.reason, "核对低保申请");
  EXPECT_EQ(r2.details, "{}");
  EXPECT_EQ(r2.prev_hash, r.hash);
  EXPECT_EQ(RecordToJson(r2)["user_id"], nullptr);

  // user_id and org_id 0 are stored as NULL.
  auto nulls =
      db_->QueryInt("SELECT count(*) FROM audit_log WHERE user_id IS NULL AND org_id IS NULL");
  ASSERT_RESULT_OK(nulls);
  EXPECT_EQ(*nulls, 1);
}

TEST_F(AuditLogTest, CanonicalFormIsUnambiguous) {
  EXPECT_EQ(CanonicalForm({"a", "", "b:c\n"}), "1:a\n0:\n4:b:c\n\n");
  EXPECT_NE(CanonicalForm({"ab", "c"}), CanonicalForm({"a", "bc"}));
  EXPECT_NE(CanonicalForm({"a:", "b"}), CanonicalForm({"a", ":b"}));
}

// ---- immutability ------------------------------------------------------------------------------

TEST_F(AuditLogTest, TriggersRefuseUpdateAndDelete) {
  AppendReads(5);
  EXPECT_FALSE(db_->Exec("UPDATE audit_log SET actor = 'x' WHERE seq = 2").ok());
  EXPECT_FALSE(db_->Exec("UPDATE audit_log SET seq = 9 WHERE seq = 5").ok());
  EXPECT_FALSE(db_->Exec("DELETE FROM audit_log WHERE seq = 5").ok());
  EXPECT_FALSE(db_->Exec("DELETE FROM audit_log").ok());
  EXPECT_FALSE(db_->Exec("DELETE FROM audit_anchor").ok());
  EXPECT_FALSE(db_->Exec("UPDATE audit_anchor SET key_check = 'forged'").ok());
  if (TestingPostgres()) {
    EXPECT_FALSE(db_->ExecScript("TRUNCATE audit_log").ok());
    EXPECT_FALSE(db_->ExecScript("TRUNCATE audit_anchor").ok());
  }
  EXPECT_EQ(Count(), 5);
  VerifyReport rep = MustVerify();
  EXPECT_TRUE(rep.ok()) << Describe(rep);
}

// ---- tampering ---------------------------------------------------------------------------------

TEST_F(AuditLogTest, EditedFieldDetected) {
  AppendReads(20);
  BypassTriggers(*db_);
  ASSERT_OK(db_->Exec("UPDATE audit_log SET target_id = '999' WHERE seq = 7"));
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  ASSERT_EQ(rep.break_count, 1) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].seq, 7);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kEdited);
}

TEST_F(AuditLogTest, EditedTimestampAndDetailsDetected) {
  AppendReads(10);
  BypassTriggers(*db_);
  ASSERT_OK(db_->Exec("UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 1"));
  ASSERT_OK(db_->Exec("UPDATE audit_log SET details = '{}' WHERE seq = 10"));
  VerifyReport rep = MustVerify();
  ASSERT_EQ(rep.break_count, 2) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].seq, 1);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kEdited);
  EXPECT_EQ(rep.breaks[1].seq, 10);
  EXPECT_EQ(rep.breaks[1].kind, BreakKind::kEdited);
}

TEST_F(AuditLogTest, DeletedMiddleRowDetected) {
  AppendReads(20);
  BypassTriggers(*db_);
  ASSERT_OK(db_->Exec("DELETE FROM audit_log WHERE seq = 10"));
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  ASSERT_EQ(rep.break_count, 1) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].seq, 10);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kSequenceGap);
  EXPECT_EQ(rep.records, 19);
}

TEST_F(AuditLogTest, ForgedRowAtTheEndDetected) {
  auto recs = AppendReads(20);
  BypassTriggers(*db_);
  // Plausible fields, the right prev_hash, and a hash the forger cannot compute without the key.
  AuditRecord forged = recs.back();
  forged.seq = 21;
  forged.actor = "user1";
  forged.prev_hash = recs.back().hash;
  forged.hash = std::string(64, 'a');
  ASSERT_OK(
      db_->Exec("INSERT INTO audit_log (seq, at, user_id, actor, role, action, target_type, "
                "target_id, org_id, "
                "outcome, reason, details, client_ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, "
                "?, ?, ?)",
                {forged.seq, forged.at, forged.user_id, forged.actor, forged.role, forged.action,
                 forged.target_type, forged.target_id, forged.org_id, forged.outcome, forged.reason,
                 forged.details, forged.client_ip, forged.prev_hash, forged.hash}));
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.breaks[0].seq, 21) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kEdited);
}

TEST_F(AuditLogTest, ForgedRowInTheMiddleDetected) {
  AppendReads(20);
  BypassTriggers(*db_);
  // Make room at seq 11 by renumbering the tail (via negatives, so the key never collides), then
  // copy record 11's fields with another target into the hole.
  ASSERT_OK(
      db_->ExecScript("UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= 11; UPDATE audit_log SET "
                      "seq = -seq WHERE "
                      "seq < 0; INSERT INTO audit_log (seq, at, user_id, actor, role, action, "
                      "target_type, target_id, "
                      "org_id, outcome, reason, details, client_ip, prev_hash, hash) SELECT 11, "
                      "at, user_id, actor, "
                      "role, action, target_type, '555', org_id, outcome, reason, details, "
                      "client_ip, prev_hash, hash "
                      "FROM audit_log WHERE seq = 12"));
  ASSERT_EQ(Count(), 21);
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.breaks[0].seq, 11) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kEdited);
}

TEST_F(AuditLogTest, SwappedRowsDetectedAsReordered) {
  AppendReads(20);
  BypassTriggers(*db_);
  ASSERT_OK(
      db_->ExecScript("UPDATE audit_log SET seq = -seq WHERE seq IN (5, 6); UPDATE audit_log SET "
                      "seq = 6 WHERE seq = "
                      "-5; UPDATE audit_log SET seq = 5 WHERE seq = -6"));
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  ASSERT_GE(rep.breaks.size(), 2u) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].seq, 5);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kReordered) << Describe(rep);
  EXPECT_EQ(rep.breaks[1].seq, 6);
  EXPECT_EQ(rep.breaks[1].kind, BreakKind::kReordered);
}

TEST_F(AuditLogTest, DistantSwapDetectedAsReordered) {
  AppendReads(200);
  BypassTriggers(*db_);
  ASSERT_OK(
      db_->ExecScript("UPDATE audit_log SET seq = -seq WHERE seq IN (3, 150); UPDATE audit_log SET "
                      "seq = 150 WHERE seq "
                      "= -3; UPDATE audit_log SET seq = 3 WHERE seq = -150"));
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.breaks[0].seq, 3);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kReordered) << Describe(rep);
}

TEST_F(AuditLogTest, TruncatedTailDetectedByBothAnchors) {
  AppendReads(20);
  BypassTriggers(*db_);
  ASSERT_OK(db_->Exec("DELETE FROM audit_log WHERE seq > 15"));
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  ASSERT_EQ(rep.break_count, 2) << Describe(rep);  // the anchor row and the anchor file
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kTruncated);
  EXPECT_EQ(rep.breaks[0].seq, 16);
  EXPECT_EQ(rep.breaks[1].kind, BreakKind::kTruncated);
  EXPECT_EQ(rep.head_seq, 15);
}

TEST_F(AuditLogTest, TruncationWithRewoundAnchorRowCaughtByAnchorFile) {
  auto recs = AppendReads(20);
  BypassTriggers(*db_);
  ASSERT_OK(db_->Exec("DELETE FROM audit_log WHERE seq > 15"));
  ASSERT_OK(db_->Exec("UPDATE audit_anchor SET seq = 15, hash = ? WHERE id = 1", {recs[14].hash}));
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  ASSERT_EQ(rep.break_count, 1) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kTruncated);
  EXPECT_NE(rep.breaks[0].detail.find("锚点文件"), std::string::npos) << rep.breaks[0].detail;
  // Still caught after new records pass the old head.
  for (int i = 0; i < 8; ++i) ASSERT_RESULT_OK(log_->Append(ReadEvent(i)));
  rep = MustVerify();
  ASSERT_EQ(rep.break_count, 1) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kAnchorMismatch);
  EXPECT_EQ(rep.breaks[0].seq, 20);
}

TEST_F(AuditLogTest, TruncationStaysDetectedAfterTheChainRegrows) {
  AppendReads(20);
  BypassTriggers(*db_);
  ASSERT_OK(db_->Exec("DELETE FROM audit_log WHERE seq > 15"));
  // Ten new records reuse seqs 16..25: the chain grows past the old head, but both anchors keep
  // naming the old record 20, which the chain no longer holds.
  for (int i = 0; i < 10; ++i) ASSERT_RESULT_OK(log_->Append(ReadEvent(i)));
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.head_seq, 25);
  ASSERT_EQ(rep.break_count, 2) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kAnchorMismatch);
  EXPECT_EQ(rep.breaks[0].seq, 20);
  EXPECT_EQ(rep.breaks[1].kind, BreakKind::kAnchorMismatch);
  EXPECT_EQ(rep.file_anchor.anchor.seq, 20);
}

TEST_F(AuditLogTest, ChainRewrittenWithAnotherKeyDetected) {
  AppendReads(10);
  BypassTriggers(*db_);
  // The attacker re-MACs every record and the anchor row with a key of their own.
  AuditKey forger = AuditKey::FromBytes(std::string(kAuditKeyBytes, 'k'));
  auto page = log_->Search({.oldest_first = true, .limit = 100});
  ASSERT_RESULT_OK(page);
  std::string prev(kGenesisHash);
  for (AuditRecord r : page->records) {
    r.prev_hash = prev;
    r.hash = RecordHash(forger, r);
    ASSERT_OK(db_->Exec("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                        {r.prev_hash, r.hash, r.seq}));
    prev = r.hash;
  }
  ASSERT_OK(db_->Exec("UPDATE audit_anchor SET hash = ? WHERE id = 1", {prev}));
  VerifyReport rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.breaks[0].seq, 1) << Describe(rep);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kEdited);
  EXPECT_EQ(rep.breaks.back().kind, BreakKind::kAnchorMismatch);  // the anchor file
}

// ---- keys --------------------------------------------------------------------------------------

TEST_F(AuditLogTest, KeyFileIsPrivateAndStable) {
  struct stat st {};
  ASSERT_EQ(::stat(key_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((key_path_ + ".anchor").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(key_path_);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text.size(), 64u);
  auto rec = log_->Append(ReadEvent(0));
  ASSERT_RESULT_OK(rec);
  // Reopening loads the same key: the record still verifies.
  log_.reset();
  auto again = AuditLog::Open(*db_, Options());
  ASSERT_RESULT_OK(again);
  auto rep = (*again)->Verify();
  ASSERT_RESULT_OK(rep);
  EXPECT_TRUE(rep->ok()) << Describe(*rep);
  EXPECT_EQ((*again)->ValueDigest("11010519491231002X"),
            (*again)->ValueDigest("11010519491231002X"));
  EXPECT_EQ((*again)->ValueDigest("x").rfind("hmac:", 0), 0u);
}

TEST_F(AuditLogTest, UnsafeOrMalformedKeyFilesRefused) {
  std::string dir = FreshKeyDir();
  std::string loose = dir + "/loose.key";
  { std::ofstream(loose) << std::string(64, 'a') << "\n"; }
  ::chmod(loose.c_str(), 0644);
  auto k1 = AuditKey::Load(loose, false);
  ASSERT_FALSE(k1.ok());
  EXPECT_EQ(k1.status().code(), ErrorCode::kAuditKey);
  std::string bad = dir + "/bad.key";
  { std::ofstream(bad) << "not a key\n"; }
  ::chmod(bad.c_str(), 0600);
  auto k2 = AuditKey::Load(bad, false);
  ASSERT_FALSE(k2.ok());
  EXPECT_EQ(k2.status().code(), ErrorCode::kAuditKey);
  auto k3 = AuditKey::Load(dir + "/missing.key", false);
  ASSERT_FALSE(k3.ok());
  EXPECT_EQ(k3.status().code(), ErrorCode::kAuditKey);
  EXPECT_FALSE(std::filesystem::exists(dir + "/missing.key"));
  bool created = false;
  auto k4 = AuditKey::Load(dir + "/sub/new.key", true, &created);
  ASSERT_RESULT_OK(k4);
  EXPECT_TRUE(created);
}

TEST_F(AuditLogTest, WrongKeyRefusedAtOpenAndReportedByVerify) {
  AppendReads(5);
  std::string other = FreshKeyDir() + "/other.key";
  ASSERT_RESULT_OK(AuditKey::Load(other, /*create=*/true));  // another store's key
  AuditOptions o;
  o.key_path = other;
  auto refused = AuditLog::Open(*db_, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kAuditKeyMismatch);

  o.read_only = true;
  o.create_key = false;
  auto reader = AuditLog::Open(*db_, o);
  ASSERT_RESULT_OK(reader);
  auto rep = (*reader)->Verify();
  ASSERT_RESULT_OK(rep);
  ASSERT_FALSE(rep->ok());
  ASSERT_EQ(rep->break_count, 1) << Describe(*rep);
  EXPECT_EQ(rep->breaks[0].kind, BreakKind::kWrongKey);
  EXPECT_FALSE((*reader)->Append(ReadEvent(0)).ok());  // read-only
}

TEST_F(AuditLogTest, LostKeyIsNotReplaced) {
  AppendReads(3);
  log_.reset();
  ASSERT_TRUE(std::filesystem::remove(key_path_));
  auto log = AuditLog::Open(*db_, Options());
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), ErrorCode::kAuditKey);
  EXPECT_FALSE(std::filesystem::exists(key_path_));
}

// ---- anchor file -------------------------------------------------------------------------------

TEST_F(AuditLogTest, AnchorFileSurvivesATornSlotAndReportsDamage) {
  auto recs = AppendReads(3);
  ASSERT_RESULT_OK(log_->Append(ReadEvent(3)));  // second slot written
  std::string anchor = key_path_ + ".anchor";
  ASSERT_EQ(std::filesystem::file_size(anchor), 2 * 156u);
  // Tear the newer slot: the older one still anchors seq 3.
  {
    auto rep = MustVerify();
    ASSERT_EQ(rep.file_anchor.anchor.seq, 4);
  }
  std::fstream f(anchor, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(156 + 40);
  f.write("zzzz", 4);
  f.close();
  VerifyReport rep = MustVerify();
  EXPECT_TRUE(rep.ok()) << Describe(rep);
  ASSERT_EQ(rep.file_anchor.state, AnchorState::kOk);
  EXPECT_EQ(rep.file_anchor.anchor.seq, 3);
  EXPECT_EQ(rep.file_anchor.anchor.hash, recs.back().hash);
  // The next append writes over the torn slot.
  ASSERT_RESULT_OK(log_->Append(ReadEvent(4)));
  EXPECT_EQ(MustVerify().file_anchor.anchor.seq, 5);
  // Both slots damaged: reported.
  f.open(anchor, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(40);
  f.write("zzzz", 4);
  f.seekp(156 + 40);
  f.write("zzzz", 4);
  f.close();
  rep = MustVerify();
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.file_anchor.state, AnchorState::kDamaged);
  EXPECT_EQ(rep.breaks[0].kind, BreakKind::kAnchorMismatch);
}

// ---- fail closed -------------------------------------------------------------------------------

// Makes the store reject every new audit row, as a full or failing disk would.
void RejectAuditInserts(storage::Db& db) {
  Status st =
      db.dialect() == storage::Dialect::kSqlite
          ? db.ExecScript(
                "CREATE TRIGGER audit_reject BEFORE INSERT ON audit_log BEGIN SELECT "
                "RAISE(ABORT, 'database or disk is full'); END")
          : db.ExecScript(
                "CREATE FUNCTION audit_reject() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device'; END $$; "
                "CREATE TRIGGER audit_reject BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE "
                "FUNCTION audit_reject()");
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST_F(AuditLogTest, FailsClosedWhenTheStoreRejectsAuditRows) {
  auto recs = AppendReads(3);
  RejectAuditInserts(*db_);

  auto rec = log_->Append(ReadEvent(9));
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), ErrorCode::kAuditWriteFailed);
  EXPECT_FALSE(log_->AppendAll({ReadEvent(1), ReadEvent(2)}).ok());

  // An audited change is rolled back with its failed audit row.
  auto changed = log_->Transact([&]() -> Result<AuditEvent> {
    RETURN_IF_ERROR(db_->Exec(
        "INSERT INTO org_units (code, name, level) VALUES ('990001', '测试街道', 'street')"));
    AuditEvent e = ReadEvent(0);
    e.action = AuditAction::kCreate;
    e.target_type = "org_unit";
    return e;
  });
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.status().code(), ErrorCode::kAuditWriteFailed);
  auto units = db_->QueryInt("SELECT count(*) FROM org_units WHERE code = '990001'");
  ASSERT_RESULT_OK(units);
  EXPECT_EQ(*units, 0);

  // Inside the caller's transaction: the error comes back, the caller rolls back.
  ASSERT_OK(db_->Begin());
  ASSERT_OK(db_->Exec(
      "INSERT INTO org_units (code, name, level) VALUES ('990002', '测试街道', 'street')"));
  EXPECT_FALSE(log_->AppendInTransaction(ReadEvent(0)).ok());
  ASSERT_OK(db_->Rollback());
  ASSERT_OK(log_->SyncAnchor());

  // Nothing half-written: three records, anchors unchanged.
  EXPECT_EQ(Count(), 3);
  VerifyReport rep = MustVerify();
  EXPECT_TRUE(rep.ok()) << Describe(rep);
  EXPECT_EQ(rep.table_anchor.seq, 3);
  EXPECT_EQ(rep.file_anchor.anchor.seq, 3);
  EXPECT_EQ(rep.head_hash, recs.back().hash);

  // Recovery without restart once the store accepts writes again.
  ASSERT_OK(db_->ExecScript("DROP TRIGGER audit_reject" +
                            std::string(TestingPostgres() ? " ON audit_log" : "")));
  ASSERT_RESULT_OK(log_->Append(ReadEvent(4)));
  EXPECT_TRUE(MustVerify().ok());
}

TEST_F(AuditLogTest, FailsClosedOnAReadOnlyStore) {
  AppendReads(2);
  std::unique_ptr<storage::Db> ro;
  if (TestingPostgres()) {
    auto db = storage::Db::Open(db_->url());
    ASSERT_RESULT_OK(db);
    ro = std::move(db).value();
    ASSERT_OK(ro->ExecScript("SET default_transaction_read_only = on"));
  } else {
    auto db = storage::Db::Open(db_->url(), {.create = false, .read_only = true});
    ASSERT_RESULT_OK(db);
    ro = std::move(db).value();
  }
  auto log = AuditLog::Open(*ro, Options());
  ASSERT_RESULT_OK(log);
  auto rec = (*log)->Append(ReadEvent(5));
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), ErrorCode::kAuditWriteFailed);
  EXPECT_EQ(Count(), 2);
  EXPECT_TRUE(MustVerify().ok());
}

TEST_F(AuditLogTest, FailsClosedWhenTheAnchorFileCannotBeWritten) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  AuditOptions o = Options();
  o.anchor_path = "/dev/full";  // every write fails with ENOSPC
  auto log = AuditLog::Open(*db_, o);
  ASSERT_RESULT_OK(log);
  auto rec = (*log)->Append(ReadEvent(0));
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), ErrorCode::kAuditAnchorFailed);
}

TEST_F(AuditLogTest, ClearSensitiveValuesRefused) {
  auto try_details = [&](json details) {
    AuditEvent e = ReadEvent(0);
    e.details = std::move(details);
    return log_->Append(e).status();
  };
  EXPECT_EQ(try_details({{"id_number", "11010519491231002X"}}).code(),
            ErrorCode::kAuditSensitiveInClear);
  EXPECT_EQ(try_details({{"old", {{"phone", "13800138000"}}}}).code(),
            ErrorCode::kAuditSensitiveInClear);
  EXPECT_EQ(try_details({{"phones", {"电话13800138000"}}}).code(),
            ErrorCode::kAuditSensitiveInClear);
  EXPECT_EQ(try_details({{"phone", 13800138000LL}}).code(), ErrorCode::kAuditSensitiveInClear);
  AuditEvent by_target = ReadEvent(0);
  by_target.target_id = "11010519491231002x";
  EXPECT_EQ(log_->Append(by_target).status().code(), ErrorCode::kAuditSensitiveInClear);
  EXPECT_EQ(Count(), 0);
  // Masked values, digests, hashes and counts pass.
  ASSERT_OK(try_details({{"id_number", "110105********002X"},
                         {"phone", "138****8000"},
                         {"digest", log_->ValueDigest("11010519491231002X")},
                         {"file_sha256", std::string(64, '1')},
                         {"rows", 13800},
                         {"invalid_check_digit", "110105194912310021"}}));
  AuditEvent reveal = ReadEvent(0);
  reveal.action = AuditAction::kReveal;
  EXPECT_EQ(log_->Append(reveal).status().code(), ErrorCode::kInvalidArgument);  // no reason
  reveal.reason = "入户核查";
  ASSERT_OK(log_->Append(reveal).status());
}

// ---- transactions ------------------------------------------------------------------------------

TEST_F(AuditLogTest, AppendInTransactionCommitsAndRollsBackWithTheCaller) {
  AppendReads(2);
  ASSERT_OK(db_->Begin());
  ASSERT_OK(
      db_->Exec("INSERT INTO org_units (code, name, level) VALUES ('990003', '甲', 'street')"));
  auto rolled = log_->AppendInTransaction(ReadEvent(0));
  ASSERT_RESULT_OK(rolled);
  EXPECT_EQ(rolled->seq, 3);
  ASSERT_OK(db_->Rollback());
  ASSERT_OK(log_->SyncAnchor());
  EXPECT_EQ(Count(), 2);
  EXPECT_EQ(MustVerify().file_anchor.anchor.seq, 2);

  ASSERT_OK(db_->Begin());
  ASSERT_OK(
      db_->Exec("INSERT INTO org_units (code, name, level) VALUES ('990004', '乙', 'street')"));
  auto kept = log_->AppendInTransaction(ReadEvent(1));
  ASSERT_RESULT_OK(kept);
  EXPECT_EQ(kept->seq, 3);  // the rolled-back seq is reused: no gap
  ASSERT_OK(db_->Commit());
  ASSERT_OK(log_->SyncAnchor());
  VerifyReport rep = MustVerify();
  EXPECT_TRUE(rep.ok()) << Describe(rep);
  EXPECT_EQ(rep.records, 3);
  EXPECT_EQ(rep.file_anchor.anchor.seq, 3);
  EXPECT_EQ(rep.table_anchor.seq, 3);
}

TEST_F(AuditLogTest, TransactCommitsTheChangeWithItsRecord) {
  auto rec = log_->Transact([&]() -> Result<AuditEvent> {
    RETURN_IF_ERROR(
        db_->Exec("INSERT INTO org_units (code, name, level) VALUES ('990005', '丙', 'street')"));
    AuditEvent e;
    e.actor = "admin";
    e.action = AuditAction::kCreate;
    e.target_type = "org_unit";
    e.target_id = "990005";
    e.details = {{"new", {{"name", "丙"}}}};
    return e;
  });
  ASSERT_RESULT_OK(rec);
  EXPECT_EQ(rec->seq, 1);
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM org_units WHERE code = '990005'"), 1);

  // A failing change leaves neither the change nor a record.
  auto failed = log_->Transact([&]() -> Result<AuditEvent> {
    RETURN_IF_ERROR(
        db_->Exec("INSERT INTO org_units (code, name, level) VALUES ('990006', '丁', 'street')"));
    return Error(ErrorCode::kConflict, {{"detail", "测试"}});
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM org_units WHERE code = '990006'"), 0);
  EXPECT_EQ(Count(), 1);
  VerifyReport rep = MustVerify();
  EXPECT_TRUE(rep.ok()) << Describe(rep);
  EXPECT_EQ(rep.file_anchor.anchor.seq, 1);
}

// ---- concurrency -------------------------------------------------------------------------------

TEST(AuditConcurrencyTest, TwoConnectionsKeepOneGaplessChain) {
  if (!TestingPostgres()) GTEST_SKIP() << "SQLite has a single writer connection";
  std::string url = FreshStoreUrl();
  auto a = storage::Db::Open(url);
  ASSERT_RESULT_OK(a);
  auto b = storage::Db::Open(url);
  ASSERT_RESULT_OK(b);
  AuditOptions o;
  o.key_path = FreshKeyDir() + "/audit.key";
  auto log_a = AuditLog::Open(**a, o);
  ASSERT_RESULT_OK(log_a);
  auto log_b = AuditLog::Open(**b, o);
  ASSERT_RESULT_OK(log_b);
  constexpr int kEach = 150;
  std::atomic<int> failures{0};
  auto worker = [&](AuditLog* log, int offset) {
    for (int i = 0; i < kEach; ++i) {
      AuditEvent e = ReadEvent(offset + i);
      if (i % 10 == 9) {  // some batches, too
        if (!log->AppendAll({e, ReadEvent(offset + i + 1000)}).ok()) ++failures;
      } else if (!log->Append(e).ok()) {
        ++failures;
      }
    }
  };
  std::thread ta(worker, log_a->get(), 0);
  std::thread tb(worker, log_b->get(), 5000);
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
  auto rep = (*log_a)->Verify();
  ASSERT_RESULT_OK(rep);
  EXPECT_TRUE(rep->ok()) << ReportToJson(*rep).dump(2);
  constexpr int64_t kTotal = 2 * (kEach + kEach / 10);
  EXPECT_EQ(rep->records, kTotal);
  EXPECT_EQ(rep->head_seq, kTotal);
  ASSERT_EQ(rep->file_anchor.state, AnchorState::kOk);
  EXPECT_EQ(rep->file_anchor.anchor.seq, kTotal);
}

// ---- search ------------------------------------------------------------------------------------

class AuditSearchTest : public AuditLogTest {
 protected:
  void SetUp() override {
    AuditLogTest::SetUp();
    // Reopen with a clock: record i is stamped 2026-03-0(1 + i/4)T0(i%4)…Z.
    log_.reset();
    AuditOptions o = Options();
    o.clock = [this] {
      int i = tick_++;
      char buf[40];
      std::snprintf(buf, sizeof buf, "2026-03-%02dT%02d:00:00.000Z", 1 + i / 4, 4 * (i % 4));
      return std::string(buf);
    };
    auto log = AuditLog::Open(*db_, o);
    ASSERT_RESULT_OK(log);
    log_ = std::move(log).value();
    // 12 records: actors alice/bob/carol in turn, actions read/search/update/denied in turn.
    const AuditAction actions[] = {AuditAction::kRead, AuditAction::kSearch, AuditAction::kUpdate,
                                   AuditAction::kDenied};
    const char* actors[] = {"alice", "bob", "carol"};
    for (int i = 0; i < 12; ++i) {
      AuditEvent e;
      e.user_id = 1 + i % 3;
      e.actor = actors[i % 3];
      e.role = "grid_worker";
      e.action = actions[i % 4];
      e.outcome = e.action == AuditAction::kDenied ? AuditOutcome::kDenied : AuditOutcome::kOk;
      e.target_type = i % 2 ? "person" : "household";
      e.target_id = std::to_string(i % 5);
      e.org_id = 10 + i % 2;
      ASSERT_RESULT_OK(log_->Append(e));
    }
  }

  std::vector<int64_t> Seqs(const AuditQuery& q) {
    auto page = log_->Search(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<int64_t> out;
    if (page.ok())
      for (const auto& r : page->records) out.push_back(r.seq);
    return out;
  }

  int tick_ = 0;
};

using Seq = std::vector<int64_t>;

TEST_F(AuditSearchTest, Filters) {
  EXPECT_EQ(Seqs({}), (Seq{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(Seqs({.actor = "bob"}), (Seq{11, 8, 5, 2}));
  EXPECT_EQ(Seqs({.user_id = 3}), (Seq{12, 9, 6, 3}));
  EXPECT_EQ(Seqs({.action = AuditAction::kUpdate}), (Seq{11, 7, 3}));
  EXPECT_EQ(Seqs({.outcome = AuditOutcome::kDenied}), (Seq{12, 8, 4}));
  EXPECT_EQ(Seqs({.actor = "alice", .action = AuditAction::kDenied}), (Seq{4}));
  EXPECT_EQ(Seqs({.target_type = "person"}), (Seq{12, 10, 8, 6, 4, 2}));
  EXPECT_EQ(Seqs({.target_type = "person", .target_id = "3"}), (Seq{4}));  // i = 3 → seq 4
  EXPECT_EQ(Seqs({.org_id = 10}), (Seq{11, 9, 7, 5, 3, 1}));
  EXPECT_EQ(Seqs({.actor = "nobody"}), Seq{});
  // Records 5..8 are stamped on 2026-03-02 UTC.
  EXPECT_EQ(Seqs({.from = "2026-03-02T00:00:00.000Z", .to = "2026-03-03T00:00:00.000Z"}),
            (Seq{8, 7, 6, 5}));
  EXPECT_EQ(Seqs({.from = "2026-03-03T04:00:00.000Z", .oldest_first = true}), (Seq{10, 11, 12}));
  auto bad = log_->Search({.target_id = "3"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kAuditBadQuery);
  EXPECT_EQ(log_->Search({.limit = 0}).status().code(), ErrorCode::kAuditBadQuery);
  EXPECT_EQ(log_->Search({.limit = 1001}).status().code(), ErrorCode::kAuditBadQuery);
}

TEST_F(AuditSearchTest, KeysetPagingBothWays) {
  for (bool oldest_first : {false, true}) {
    AuditQuery q{.oldest_first = oldest_first, .limit = 5};
    Seq all;
    int pages = 0;
    for (;;) {
      auto page = log_->Search(q);
      ASSERT_RESULT_OK(page);
      ++pages;
      for (const auto& r : page->records) all.push_back(r.seq);
      if (!page->next_cursor) break;
      q.cursor = page->next_cursor;
    }
    EXPECT_EQ(pages, 3);
    Seq expected;
    for (int i = 1; i <= 12; ++i) expected.push_back(oldest_first ? i : 13 - i);
    EXPECT_EQ(all, expected);
  }
  // Paging with a filter.
  auto first = log_->Search({.actor = "carol", .limit = 2});
  ASSERT_RESULT_OK(first);
  ASSERT_EQ(first->records.size(), 2u);
  EXPECT_EQ(first->next_cursor, 9);
  EXPECT_EQ(Seqs({.actor = "carol", .cursor = 9, .limit = 2}), (Seq{6, 3}));
}

TEST(AuditTimeBoundTest, DatesAreChinaTimeTimestampsAreUtc) {
  EXPECT_EQ(*ParseTimeBound("2026-03-01", false), "2026-02-28T16:00:00.000Z");
  EXPECT_EQ(*ParseTimeBound("2026-03-01", true), "2026-03-01T16:00:00.000Z");
  EXPECT_EQ(*ParseTimeBound("2026年3月1日", false), "2026-02-28T16:00:00.000Z");
  EXPECT_EQ(*ParseTimeBound("2026-12-31", true), "2026-12-31T16:00:00.000Z");
  EXPECT_EQ(*ParseTimeBound("2026-03-01T08:00:00Z", false), "2026-03-01T08:00:00.000Z");
  EXPECT_EQ(*ParseTimeBound("2026-03-01T08:00:00.5Z", true), "2026-03-01T08:00:00.500Z");
  EXPECT_EQ(*ParseTimeBound("2026-03-01T08:00:00.123Z", true), "2026-03-01T08:00:00.123Z");
  EXPECT_EQ(ParseTimeBound("yesterday", false).status().code(), ErrorCode::kAuditBadQuery);
  EXPECT_EQ(ParseTimeBound("2026-03", false).status().code(), ErrorCode::kAuditBadQuery);
  EXPECT_EQ(ParseTimeBound("2026-03-01T8:00Z", false).status().code(), ErrorCode::kAuditBadQuery);
}

TEST(AuditNamesTest, ActionsAndOutcomesRoundTrip) {
  for (AuditAction a : AllActions()) {
    ASSERT_TRUE(ParseAction(ActionKey(a)).has_value()) << ActionKey(a);
    EXPECT_EQ(*ParseAction(ActionKey(a)), a);
  }
  EXPECT_EQ(ActionKey(AuditAction::kLoginFailed), "login_failed");
  EXPECT_FALSE(ParseAction("drop_table").has_value());
  EXPECT_EQ(*ParseOutcome("denied"), AuditOutcome::kDenied);
  EXPECT_FALSE(ParseOutcome("maybe").has_value());
}

}  // namespace
}  // namespace linli::audit
