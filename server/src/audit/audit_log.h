// The audit log: an append-only, hash-chained record of logins, changes, sensitive reads and
// denials (G10; 等保 2.0 安全审计; 网络安全法 §21 retention), stored in the audit_log table.
//
// Records. Each record has a gapless seq (1..n), a UTC timestamp, the actor (user id and user name,
// or "cli:<os user>" for the command line), role, action (a closed set, AuditAction), target type
// and id, org unit, outcome, reason (required for reveal), details (a JSON object: old/new values
// for changes, filters and counts for searches and exports), client IP, prev_hash and hash, where
//   hash = HMAC-SHA-256(audit key, canonical form of every field above and prev_hash)
// and prev_hash is the previous record's hash (64 zeros for seq 1). The key lives outside the
// database (chain.h), so someone who can rewrite the database cannot recompute a valid chain.
//
// Sensitive values are NEVER stored in clear. Callers put into details, reason and target ids
// only masked values (MaskIdNumber, MaskPhone, MaskName) or keyed digests (ValueDigest()); as a
// safety net Append refuses, with kAuditSensitiveInClear, text holding an unmasked 18-digit ID
// number (valid check digit) or mobile number as a separate token.
//
// Appending. Append() commits one record (or AppendAll() a batch) in its own transaction before
// returning: use it for reads, searches, reveals, exports, logins and denials, and send the
// response only after it returned OK. Changes use Transact() (or AppendInTransaction() inside the
// caller's transaction) so that the change and its record commit together or not at all (G1).
// Appends are serialised across processes: on PostgreSQL by pg_advisory_xact_lock(kAuditLockId)
// taken inside the transaction before the head is read (held until commit, so append last, just
// before Commit); SQLite has a single writer anyway. Each append moves the anchors to the new
// head: the audit_anchor row in the same transaction, the anchor file after the commit. Anchors
// move only along the chain they anchor: the row only when it names the head being extended, the
// file only while the chain still holds its anchored record with the anchored hash. After a
// truncation or rewrite both keep their evidence, so Verify() keeps reporting it even once new
// records have regrown the chain past the old head.
//
// Fail closed. Every append error (read-only or full store, I/O error, trigger, anchor file not
// writable) is returned as a Status (kAuditWriteFailed, kAuditAnchorFailed, …); the caller must
// turn it into a failed request and must not deliver the data it was about to send. A failed
// append leaves nothing behind: its transaction is rolled back (Transact() rolls back the change
// too). A kAuditAnchorFailed after commit means the record is durable but the anchor file could
// not be advanced; the request must still fail.
//
// Immutability. There is no API to update or delete records. Triggers reject UPDATE, DELETE (and
// on PostgreSQL TRUNCATE) of audit_log and DELETE of audit_anchor for every role; a database
// superuser or table owner can still disable or drop triggers, which Verify() then detects
// through the keyed chain and the anchors.
//
// Retention. Records are kept at least 180 days (kAuditRetentionDays; 网络安全法 §21 requires 6
// months). This version provides no pruning at all; any future pruning must keep every record
// younger than kAuditRetentionDays and re-anchor the chain.
//
// What Verify() detects, and how:
//   edited / forged row       its HMAC does not match its fields (kEdited)
//   deleted or inserted row   seq is not previous seq + 1 (kSequenceGap)
//   reordered rows            the row's HMAC matches its fields under another seq (kReordered)
//   spliced chain             prev_hash is not the previous record's hash (kBrokenLink)
//   truncated tail            the chain ends before the seq of the audit_anchor row or of the
//                             anchor file (kTruncated)
//   rewritten tail            the record at an anchor's seq has another hash, or the
//                             audit_anchor row is gone (kAnchorMismatch)
//   wrong key                 every record fails its HMAC while seqs and links are consistent,
//                             or the store's key check differs (kWrongKey)
// The audit_anchor row catches deletions by someone who leaves the anchor table alone; the
// anchor file (outside the database) also catches someone who rewinds the anchor row too.
//
// Thread-safety: an AuditLog uses its Db like any caller and follows the Db's rules: appends need
// exclusive use of the Db; Search() and Verify() may run concurrently with each other where the
// Db allows concurrent Query() calls. REQUIRES: the Db outlives the AuditLog.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/chain.h"
#include "common/status.h"
#include "storage/db.h"

namespace linli::audit {

inline constexpr int kAuditRetentionDays = 180;
// PostgreSQL advisory lock id held while appending (migrations use 7426001).
inline constexpr int64_t kAuditLockId = 7426003;

// The closed set of audited actions; keys are stored in the `action` column.
enum class AuditAction {
  kLogin,        // "login"
  kLoginFailed,  // "login_failed"
  kLogout,       // "logout"
  kRead,         // "read": a record with sensitive fields (masked) was shown
  kSearch,       // "search"
  kReveal,       // "reveal": a full, unmasked value was shown (reason required)
  kExport,       // "export": details carry row count and file hash
  kCreate,       // "create"
  kUpdate,       // "update": details carry old and new values
  kEnd,          // "end": moved out, deceased, closed
  kMerge,        // "merge"
  kImport,       // "import"
  kDenied,       // "denied": a request refused by access control
  kUserAdmin,    // "user_admin": accounts, roles, password and TOTP resets
  kApprove,      // "approve": a second person approved a change or export (four eyes)
  kReject,       // "reject"
  kAuditSearch,  // "audit_search": the audit log itself was searched
};
std::string_view ActionKey(AuditAction action);
std::optional<AuditAction> ParseAction(std::string_view key);
const std::vector<AuditAction>& AllActions();

enum class AuditOutcome { kOk, kDenied, kFailed };
std::string_view OutcomeKey(AuditOutcome outcome);  // "ok", "denied", "failed"
std::optional<AuditOutcome> ParseOutcome(std::string_view key);

// What the caller reports; the log adds seq, time and hashes.
struct AuditEvent {
  int64_t user_id = 0;  // 0: no account (CLI, failed login of an unknown name)
  std::string actor;    // user name, or "cli:<os user>"; REQUIRED
  std::string role;     // the actor's role key at the time ("" when none)
  AuditAction action = AuditAction::kRead;
  std::string target_type;  // "person", "household", "user", "ledger:dibao", "" …
  std::string target_id;    // internal id, never an ID number or phone in clear
  int64_t org_id = 0;       // org unit the target belongs to (0: none)
  AuditOutcome outcome = AuditOutcome::kOk;
  std::string reason;                                 // REQUIRED for kReveal
  nlohmann::json details = nlohmann::json::object();  // masked or digested values only
  std::string client_ip;
};

// A stored record. action and outcome are the stored keys (a tampered row may hold anything).
struct AuditRecord {
  int64_t seq = 0;
  std::string at;  // 2026-03-01T08:15:30.123Z
  int64_t user_id = 0;
  std::string actor;
  std::string role;
  std::string action;
  std::string target_type;
  std::string target_id;
  int64_t org_id = 0;
  std::string outcome;
  std::string reason;
  std::string details;  // JSON text exactly as stored and hashed
  std::string client_ip;
  std::string prev_hash;
  std::string hash;
};
// The record's expected hash under `key`.
std::string RecordHash(const AuditKey& key, const AuditRecord& record);
// JSON for APIs and the CLI (details parsed back to an object when it is valid JSON).
nlohmann::json RecordToJson(const AuditRecord& record);

// Search filters; empty/zero fields do not filter. Results are ordered by seq.
struct AuditQuery {
  std::string actor;  // exact user name
  int64_t user_id = 0;
  std::optional<AuditAction> action;
  std::optional<AuditOutcome> outcome;
  std::string target_type;
  std::string target_id;  // only together with target_type
  int64_t org_id = 0;
  std::string from;           // UTC timestamp, inclusive (see ParseTimeBound)
  std::string to;             // UTC timestamp, exclusive
  bool oldest_first = false;  // default newest first
  int64_t cursor = 0;         // keyset paging: next_cursor of the previous page
  int limit = 50;             // 1..1000
};
struct AuditPage {
  std::vector<AuditRecord> records;
  int64_t next_cursor = 0;  // 0 when there are no more records
};

// A search bound from user text: a date (2026-03-01, 2026年3月1日, …) is a calendar day in China
// Standard Time (UTC+8) — as lower bound its first instant, as upper bound the instant after its
// last — and a UTC timestamp (2026-03-01T08:00:00Z, optional .mmm) is taken as given.
// Errors: kAuditBadQuery.
Result<std::string> ParseTimeBound(std::string_view text, bool upper);

enum class BreakKind {
  kEdited,          // "edited"
  kSequenceGap,     // "sequence_gap"
  kReordered,       // "reordered"
  kBrokenLink,      // "broken_link"
  kTruncated,       // "truncated"
  kAnchorMismatch,  // "anchor_mismatch"
  kWrongKey,        // "wrong_key"
};
std::string_view BreakKindKey(BreakKind kind);
std::string BreakKindLabel(BreakKind kind);  // Chinese, e.g. "内容被修改或伪造"

struct ChainBreak {
  int64_t seq = 0;  // the first affected seq (0: the whole log)
  BreakKind kind = BreakKind::kEdited;
  std::string detail;  // Chinese
};

struct VerifyReport {
  int64_t records = 0;
  int64_t head_seq = 0;
  std::string head_hash{kGenesisHash};
  bool table_anchor_present = false;
  Anchor table_anchor;
  AnchorReading file_anchor;
  std::string file_anchor_path;
  std::vector<ChainBreak> breaks;  // in seq order, anchor findings last; capped at kMaxBreaks
  int64_t break_count = 0;         // all findings, including those beyond the cap
  static constexpr size_t kMaxBreaks = 100;
  bool ok() const { return break_count == 0; }
};
nlohmann::json ReportToJson(const VerifyReport& report);

struct AuditOptions {
  std::string key_path;     // REQUIRED; see DefaultAuditKeyPath()
  std::string anchor_path;  // "" → key_path + ".anchor"
  // Create the key file (and anchor file) when missing. A key is never created for a store whose
  // audit log already has records: that is refused with kAuditKey.
  bool create_key = true;
  // Verify and search only: creates no files, writes nothing, Append* fail.
  bool read_only = false;
  // fdatasync the anchor file after each advance (off only where durability does not matter).
  bool sync_anchor = true;
  // Clock for `at` (tests); default: UTC now with milliseconds.
  std::function<std::string()> clock;
};

class AuditLog {
 public:
  // Opens the log of `db`: loads (or creates) the key and the anchor file, and checks the key
  // against the store's key check (set on first open). Errors: kAuditKey, kAuditKeyMismatch,
  // kAuditAnchorFailed, storage errors.
  static Result<std::unique_ptr<AuditLog>> Open(storage::Db& db, AuditOptions options);
  ~AuditLog();

  // Appends one record in its own transaction and commits it. REQUIRES: no open transaction.
  Result<AuditRecord> Append(const AuditEvent& event);
  // Appends several records in one transaction (all or none). REQUIRES: no open transaction.
  Result<std::vector<AuditRecord>> AppendAll(const std::vector<AuditEvent>& events);
  // Appends inside the caller's open transaction; the record commits or rolls back with it.
  // Call SyncAnchor() after the commit (the next Append does it otherwise).
  // REQUIRES: db.InTransaction().
  Result<AuditRecord> AppendInTransaction(const AuditEvent& event);
  // Advances the anchor file to the newest record appended by this AuditLog that has committed.
  // REQUIRES: no open transaction.
  Status SyncAnchor();
  // Begins a transaction, runs `change` (which makes its writes and returns the event describing
  // them), appends that event, commits, advances the anchor. Any error rolls everything back.
  // REQUIRES: no open transaction.
  Result<AuditRecord> Transact(const std::function<Result<AuditEvent>()>& change);

  Result<AuditPage> Search(const AuditQuery& query);
  Result<VerifyReport> Verify();

  // A keyed digest of a sensitive value ("hmac:<64 hex>"), for details that must identify a value
  // (e.g. which ID number was revealed) without storing it. Same value → same digest.
  std::string ValueDigest(std::string_view value) const;
  const std::string& key_path() const { return options_.key_path; }
  const std::string& anchor_path() const { return options_.anchor_path; }

 private:
  AuditLog(storage::Db& db, AuditOptions options, AuditKey key);
  Result<AuditRecord> AppendLocked(const AuditEvent& event);
  Result<std::vector<AuditRecord>> AppendBatch(const std::vector<AuditEvent>& events);
  Status AdvanceFileAnchor(const Anchor& head);
  std::string Now() const;

  storage::Db& db_;
  AuditOptions options_;
  AuditKey key_;
  std::unique_ptr<AnchorFile> anchor_file_;
  std::optional<Anchor> pending_;  // appended in the caller's transaction, not yet anchored
};

}  // namespace linli::audit
