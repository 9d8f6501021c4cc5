// Appending to, verifying and searching the hash-chained audit log.
#include "audit/audit_log.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <limits>

#include "common/id_number.h"
#include "common/time_util.h"

namespace linli::audit {
namespace {

using nlohmann::json;
using storage::Dialect;
using storage::Row;

struct ActionInfo {
  AuditAction action;
  std::string_view key;
};
constexpr ActionInfo kActions[] = {
    {AuditAction::kLogin, "login"},
    {AuditAction::kLoginFailed, "login_failed"},
    {AuditAction::kLogout, "logout"},
    {AuditAction::kRead, "read"},
    {AuditAction::kSearch, "search"},
    {AuditAction::kReveal, "reveal"},
    {AuditAction::kExport, "export"},
    {AuditAction::kCreate, "create"},
    {AuditAction::kUpdate, "update"},
    {AuditAction::kEnd, "end"},
    {AuditAction::kMerge, "merge"},
    {AuditAction::kImport, "import"},
    {AuditAction::kDenied, "denied"},
    {AuditAction::kUserAdmin, "user_admin"},
    {AuditAction::kApprove, "approve"},
    {AuditAction::kReject, "reject"},
    {AuditAction::kAuditSearch, "audit_search"},
};

constexpr const char* kColumns =
    "seq, at, user_id, actor, role, action, target_type, target_id, org_id, outcome, reason, "
    "details, client_ip, prev_hash, hash";
constexpr int64_t kVerifyPage = 5000;
constexpr size_t kReorderChecks = 10;  // content failures examined for a move
constexpr int64_t kReorderWindow = 16;

std::string FormatUtcMillis(int64_t ms_since_epoch) {
  int64_t secs = ms_since_epoch / 1000;
  int64_t ms = ms_since_epoch % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

std::string UtcNowMillis() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return FormatUtcMillis(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

AuditRecord FromRow(const Row& r) {
  AuditRecord rec;
  rec.seq = r.Int(0);
  rec.at = r.Text(1);
  rec.user_id = r.Int(2);
  rec.actor = r.Text(3);
  rec.role = r.Text(4);
  rec.action = r.Text(5);
  rec.target_type = r.Text(6);
  rec.target_id = r.Text(7);
  rec.org_id = r.Int(8);
  rec.outcome = r.Text(9);
  rec.reason = r.Text(10);
  rec.details = r.Text(11);
  rec.client_ip = r.Text(12);
  rec.prev_hash = r.Text(13);
  rec.hash = r.Text(14);
  return rec;
}

storage::Value IntOrNull(int64_t v) { return v == 0 ? storage::Null() : storage::Value{v}; }

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsClearIdNumber(std::string_view tok) {
  if (tok.size() != 18 || !AllDigits(tok.substr(0, 17))) return false;
  char last = tok[17] == 'x' ? 'X' : tok[17];
  if (!((last >= '0' && last <= '9') || last == 'X')) return false;
  return IdCheckChar(tok.substr(0, 17)) == last;
}

bool IsClearMobile(std::string_view tok) {
  if (tok.size() == 13 && tok.substr(0, 2) == "86") tok.remove_prefix(2);
  return tok.size() == 11 && AllDigits(tok) && tok[0] == '1' && tok[1] >= '3' && tok[1] <= '9';
}

// The kind of the first unmasked ID number or mobile number standing as its own ASCII token in
// `text` ("" when none). Masked values contain '*' and so never match.
std::string ClearSensitiveInText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (!IsAsciiAlnum(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && IsAsciiAlnum(text[j])) ++j;
    std::string_view tok = text.substr(i, j - i);
    if (IsClearIdNumber(tok)) return "公民身份号码";
    if (IsClearMobile(tok)) return "手机号码";
    i = j;
  }
  return "";
}

std::string ClearSensitiveInJson(const json& j) {
  if (j.is_string()) return ClearSensitiveInText(j.get_ref<const std::string&>());
  if (j.is_number_integer() || j.is_number_unsigned()) return ClearSensitiveInText(j.dump());
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      std::string kind = ClearSensitiveInText(k);
      if (kind.empty()) kind = ClearSensitiveInJson(v);
      if (!kind.empty()) return kind;
    }
  }
  if (j.is_array()) {
    for (const auto& v : j) {
      std::string kind = ClearSensitiveInJson(v);
      if (!kind.empty()) return kind;
    }
  }
  return "";
}

Status WriteFailed(const Status& cause) {
  if (cause.code() == ErrorCode::kAuditWriteFailed) return cause;
  return Error(ErrorCode::kAuditWriteFailed, {{"detail", cause.Message()}});
}
Status WriteFailed(std::string detail) {
  return Error(ErrorCode::kAuditWriteFailed, {{"detail", std::move(detail)}});
}

std::string KeyCheck(const AuditKey& key) { return key.Mac({"linli-audit-key-check-v1"}); }

std::string Num(int64_t v) { return std::to_string(v); }

}  // namespace

// ---- Names ---------------------------------------------------------------------------------

std::string_view ActionKey(AuditAction action) {
  for (const auto& a : kActions)
    if (a.action == action) return a.key;
  return "unknown";
}

std::optional<AuditAction> ParseAction(std::string_view key) {
  for (const auto& a : kActions)
    if (a.key == key) return a.action;
  return std::nullopt;
}

const std::vector<AuditAction>& AllActions() {
  static const std::vector<AuditAction> kAll = [] {
    std::vector<AuditAction> out;
    for (const auto& a : kActions) out.push_back(a.action);
    return out;
  }();
  return kAll;
}

std::string_view OutcomeKey(AuditOutcome outcome) {
  switch (outcome) {
    case AuditOutcome::kOk:
      return "ok";
    case AuditOutcome::kDenied:
      return "denied";
    case AuditOutcome::kFailed:
      return "failed";
  }
  return "failed";
}

std::optional<AuditOutcome> ParseOutcome(std::string_view key) {
  for (AuditOutcome o : {AuditOutcome::kOk, AuditOutcome::kDenied, AuditOutcome::kFailed})
    if (OutcomeKey(o) == key) return o;
  return std::nullopt;
}

std::string_view BreakKindKey(BreakKind kind) {
  switch (kind) {
    case BreakKind::kEdited:
      return "edited";
    case BreakKind::kSequenceGap:
      return "sequence_gap";
    case BreakKind::kReordered:
      return "reordered";
    case BreakKind::kBrokenLink:
      return "broken_link";
    case BreakKind::kTruncated:
      return "truncated";
    case BreakKind::kAnchorMismatch:
      return "anchor_mismatch";
    case BreakKind::kWrongKey:
      return "wrong_key";
  }
  return "edited";
}

std::string BreakKindLabel(BreakKind kind) {
  switch (kind) {
    case BreakKind::kEdited:
      return "内容被修改或伪造";
    case BreakKind::kSequenceGap:
      return "序号不连续（记录被删除或插入）";
    case BreakKind::kReordered:
      return "顺序被调换";
    case BreakKind::kBrokenLink:
      return "与前一条记录的链接断开";
    case BreakKind::kTruncated:
      return "链尾被截断（记录少于锚点）";
    case BreakKind::kAnchorMismatch:
      return "与锚点不符（链尾被改写）";
    case BreakKind::kWrongKey:
      return "无法用当前密钥验证（密钥不符）";
  }
  return "";
}

// ---- Records -------------------------------------------------------------------------------

std::string RecordHash(const AuditKey& key, const AuditRecord& r) {
  std::string seq = Num(r.seq), user_id = Num(r.user_id), org_id = Num(r.org_id);
  return key.Mac({"linli-audit-record-v1", seq, r.at, user_id, r.actor, r.role, r.action,
                  r.target_type, r.target_id, org_id, r.outcome, r.reason, r.details, r.client_ip,
                  r.prev_hash});
}

json RecordToJson(const AuditRecord& r) {
  json details = json::parse(r.details, nullptr, false);
  if (details.is_discarded()) details = r.details;
  return {{"seq", r.seq},
          {"at", r.at},
          {"user_id", r.user_id ? json(r.user_id) : json(nullptr)},
          {"actor", r.actor},
          {"role", r.role},
          {"action", r.action},
          {"target_type", r.target_type},
          {"target_id", r.target_id},
          {"org_id", r.org_id ? json(r.org_id) : json(nullptr)},
          {"outcome", r.outcome},
          {"reason", r.reason},
          {"details", details},
          {"client_ip", r.client_ip},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

Result<std::string> ParseTimeBound(std::string_view text, bool upper) {
  auto bad = [&] {
    return Error(ErrorCode::kAuditBadQuery,
                 {{"detail", "时间“" + std::string(text) +
                                 "”无法识别；请写日期（如 2026-03-01，按北京时间）或 UTC 时间（如 "
                                 "2026-03-01T08:00:00Z）"}});
  };
  // UTC timestamp: YYYY-MM-DDTHH:MM:SS[.m{1,3}]Z, normalised to milliseconds so that it compares
  // as text with stored timestamps.
  if (text.size() >= 20 && text[10] == 'T' && text.back() == 'Z') {
    auto d = ParseDateText(text.substr(0, 10));
    std::string_view clock = text.substr(11, 8);
    bool ok = d && !d->partial && clock.size() == 8 && clock[2] == ':' && clock[5] == ':' &&
              AllDigits(clock.substr(0, 2)) && AllDigits(clock.substr(3, 2)) &&
              AllDigits(clock.substr(6, 2));
    std::string_view frac = text.substr(19, text.size() - 20);
    std::string ms = "000";
    if (ok && !frac.empty()) {
      ok = frac[0] == '.' && frac.size() >= 2 && frac.size() <= 4 && AllDigits(frac.substr(1));
      if (ok) ms = std::string(frac.substr(1)) + std::string(4 - frac.size(), '0');
    }
    if (!ok) return bad();
    return d->date.ToString() + "T" + std::string(clock) + "." + ms + "Z";
  }
  auto d = ParseDateText(text);
  if (!d || d->partial) return bad();
  int64_t day = d->date.DaysSinceEpoch() + (upper ? 1 : 0);
  return FormatUtcMillis((day * 86400 - 8 * 3600) * 1000);
}

json ReportToJson(const VerifyReport& rep) {
  json breaks = json::array();
  for (const auto& b : rep.breaks)
    breaks.push_back({{"seq", b.seq},
                      {"kind", std::string(BreakKindKey(b.kind))},
                      {"label", BreakKindLabel(b.kind)},
                      {"detail", b.detail}});
  const char* file_state = rep.file_anchor.state == AnchorState::kOk        ? "ok"
                           : rep.file_anchor.state == AnchorState::kMissing ? "missing"
                                                                            : "damaged";
  json file = {{"path", rep.file_anchor_path}, {"state", file_state}};
  if (rep.file_anchor.state == AnchorState::kOk) {
    file["seq"] = rep.file_anchor.anchor.seq;
    file["hash"] = rep.file_anchor.anchor.hash;
  }
  json table = {{"present", rep.table_anchor_present}};
  if (rep.table_anchor_present) {
    table["seq"] = rep.table_anchor.seq;
    table["hash"] = rep.table_anchor.hash;
  }
  return {{"ok", rep.ok()},
          {"records", rep.records},
          {"head_seq", rep.head_seq},
          {"head_hash", rep.head_hash},
          {"anchors", {{"table", table}, {"file", file}}},
          {"break_count", rep.break_count},
          {"breaks", breaks}};
}

// ---- AuditLog ------------------------------------------------------------------------------

AuditLog::AuditLog(storage::Db& db, AuditOptions options, AuditKey key)
    : db_(db), options_(std::move(options)), key_(std::move(key)) {}

AuditLog::~AuditLog() = default;

Result<std::unique_ptr<AuditLog>> AuditLog::Open(storage::Db& db, AuditOptions options) {
  if (options.key_path.empty())
    return Error(ErrorCode::kAuditKey, {{"path", ""}, {"detail", "未指定审计密钥文件"}});
  if (options.anchor_path.empty()) options.anchor_path = options.key_path + ".anchor";
  ASSIGN_OR_RETURN(int64_t has_records,
                   db.QueryInt("SELECT count(*) FROM (SELECT 1 FROM audit_log LIMIT 1) t"));
  std::error_code ec;
  bool key_exists = std::filesystem::exists(options.key_path, ec);
  if (!key_exists && has_records && options.create_key && !options.read_only)
    return Error(
        ErrorCode::kAuditKey,
        {{"path", options.key_path},
         {"detail",
          "文件不存在，而本库的审计日志已有记录；请找回原密钥文件，不能用新密钥接续审计链"}});
  bool create = options.create_key && !options.read_only && !has_records;
  ASSIGN_OR_RETURN(AuditKey key, AuditKey::Load(options.key_path, create));

  // The store remembers a MAC of a fixed text under its key, so a wrong key file is refused at
  // once instead of extending the chain with records no one can verify.
  std::string check = KeyCheck(key);
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT key_check FROM audit_anchor WHERE id = 1"));
  if (!options.read_only) {
    if (!rows.empty() && !rows[0].Text(0).empty() && rows[0].Text(0) != check)
      return Error(ErrorCode::kAuditKeyMismatch, {{"path", options.key_path}});
    if (!rows.empty() && rows[0].Text(0).empty())
      RETURN_IF_ERROR(db.Exec(
          "UPDATE audit_anchor SET key_check = ? WHERE id = 1 AND key_check = ''", {check}));
  }

  std::unique_ptr<AuditLog> log(new AuditLog(db, std::move(options), std::move(key)));
  ASSIGN_OR_RETURN(log->anchor_file_, AnchorFile::Open(log->options_.anchor_path, log->key_,
                                                       !log->options_.read_only));
  return log;
}

std::string AuditLog::Now() const { return options_.clock ? options_.clock() : UtcNowMillis(); }

std::string AuditLog::ValueDigest(std::string_view value) const {
  return "hmac:" + key_.Mac({"linli-audit-value-v1", value});
}

Result<AuditRecord> AuditLog::AppendLocked(const AuditEvent& e) {
  if (options_.read_only) return WriteFailed("审计日志以只读方式打开");
  if (e.actor.empty()) return Internal("审计事件缺少操作人");
  if (e.action == AuditAction::kReveal && e.reason.empty())
    return Error(ErrorCode::kInvalidArgument, {{"detail", "查看完整信息必须填写理由"}});
  if (!e.details.is_object() && !e.details.is_null())
    return Internal("审计事件的 details 必须是 JSON 对象");

  AuditRecord rec;
  rec.user_id = e.user_id;
  rec.actor = e.actor;
  rec.role = e.role;
  rec.action = std::string(ActionKey(e.action));
  rec.target_type = e.target_type;
  rec.target_id = e.target_id;
  rec.org_id = e.org_id;
  rec.outcome = std::string(OutcomeKey(e.outcome));
  rec.reason = e.reason;
  rec.details =
      e.details.is_null() ? "{}" : e.details.dump(-1, ' ', false, json::error_handler_t::replace);
  rec.client_ip = e.client_ip;
  for (const auto& [field, text] : {std::pair<const char*, const std::string*>{"actor", &rec.actor},
                                    {"target_id", &rec.target_id},
                                    {"reason", &rec.reason}}) {
    std::string kind = ClearSensitiveInText(*text);
    if (!kind.empty())
      return Error(ErrorCode::kAuditSensitiveInClear, {{"field", field}, {"kind", kind}});
  }
  if (std::string kind = ClearSensitiveInJson(e.details); !kind.empty())
    return Error(ErrorCode::kAuditSensitiveInClear, {{"field", "details"}, {"kind", kind}});

  // The chain lock: held until the caller's transaction ends, so heads are read one at a time.
  if (db_.dialect() == Dialect::kPostgres) {
    Status st = db_.ExecScript("SELECT pg_advisory_xact_lock(" + Num(kAuditLockId) + ")");
    if (!st.ok()) return WriteFailed(st);
  }
  auto head = db_.Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!head.ok()) return WriteFailed(head.status());
  rec.seq = head->empty() ? 1 : (*head)[0].Int(0) + 1;
  rec.prev_hash = head->empty() ? std::string(kGenesisHash) : (*head)[0].Text(1);
  rec.at = Now();
  rec.hash = RecordHash(key_, rec);

  Status st = db_.Exec(
      "INSERT INTO audit_log (seq, at, user_id, actor, role, action, target_type, target_id, "
      "org_id, "
      "outcome, reason, details, client_ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, "
      "?, ?, ?)",
      {rec.seq, rec.at, IntOrNull(rec.user_id), rec.actor, rec.role, rec.action, rec.target_type,
       rec.target_id, IntOrNull(rec.org_id), rec.outcome, rec.reason, rec.details, rec.client_ip,
       rec.prev_hash, rec.hash});
  if (!st.ok()) return WriteFailed(st);
  // The anchor row moves only when it names the head just extended; after a truncation or rewrite
  // (or if the row was deleted) it keeps its evidence for Verify().
  st = db_.Exec(
      "UPDATE audit_anchor SET seq = ?, hash = ?, updated_at = ? WHERE id = 1 AND seq = ? AND hash "
      "= ?",
      {rec.seq, rec.hash, rec.at, rec.seq - 1, rec.prev_hash});
  if (!st.ok()) return WriteFailed(st);
  return rec;
}

Status AuditLog::AdvanceFileAnchor(const Anchor& head) {
  pending_.reset();
  return anchor_file_->Advance(
      head, options_.sync_anchor, [this](const Anchor& current) -> Result<bool> {
        ASSIGN_OR_RETURN(auto rows,
                         db_.Query("SELECT hash FROM audit_log WHERE seq = ?", {current.seq}));
        return !rows.empty() && rows[0].Text(0) == current.hash;
      });
}

Result<std::vector<AuditRecord>> AuditLog::AppendBatch(const std::vector<AuditEvent>& events) {
  if (db_.InTransaction()) return Internal("Append 不能在事务中调用（请用 AppendInTransaction）");
  std::vector<AuditRecord> out;
  if (events.empty()) return out;
  Status st = db_.Begin();
  if (!st.ok()) return WriteFailed(st);
  for (const AuditEvent& e : events) {
    auto rec = AppendLocked(e);
    if (!rec.ok()) {
      (void)db_.Rollback();
      return rec.status();
    }
    out.push_back(std::move(rec).value());
  }
  st = db_.Commit();
  if (!st.ok()) {
    (void)db_.Rollback();
    return WriteFailed(st);
  }
  RETURN_IF_ERROR(AdvanceFileAnchor(Anchor{out.back().seq, out.back().hash}));
  return out;
}

Result<AuditRecord> AuditLog::Append(const AuditEvent& event) {
  ASSIGN_OR_RETURN(auto records, AppendBatch({event}));
  return records.front();
}

Result<std::vector<AuditRecord>> AuditLog::AppendAll(const std::vector<AuditEvent>& events) {
  return AppendBatch(events);
}

Result<AuditRecord> AuditLog::AppendInTransaction(const AuditEvent& event) {
  if (!db_.InTransaction()) return Internal("AppendInTransaction 需要在事务中调用");
  ASSIGN_OR_RETURN(AuditRecord rec, AppendLocked(event));
  pending_ = Anchor{rec.seq, rec.hash};
  return rec;
}

Status AuditLog::SyncAnchor() {
  if (!pending_) return Status::Ok();
  if (db_.InTransaction()) return Internal("SyncAnchor 需要在事务提交之后调用");
  Anchor a = *pending_;
  ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT hash FROM audit_log WHERE seq = ?", {a.seq}));
  pending_.reset();
  if (rows.empty() || rows[0].Text(0) != a.hash) return Status::Ok();  // rolled back
  return AdvanceFileAnchor(a);
}

Result<AuditRecord> AuditLog::Transact(const std::function<Result<AuditEvent>()>& change) {
  if (db_.InTransaction()) return Internal("Transact 不能在事务中调用");
  Status st = db_.Begin();
  if (!st.ok()) return st;
  Result<AuditEvent> event = change();
  if (!event.ok()) {
    (void)db_.Rollback();
    return event.status();
  }
  auto rec = AppendLocked(*event);
  if (!rec.ok()) {
    (void)db_.Rollback();
    return rec.status();
  }
  st = db_.Commit();
  if (!st.ok()) {
    (void)db_.Rollback();
    return st;
  }
  RETURN_IF_ERROR(AdvanceFileAnchor(Anchor{rec->seq, rec->hash}));
  return rec;
}

// ---- Search --------------------------------------------------------------------------------

Result<AuditPage> AuditLog::Search(const AuditQuery& q) {
  if (q.limit < 1 || q.limit > 1000)
    return Error(ErrorCode::kAuditBadQuery, {{"detail", "每页条数应在 1 到 1000 之间"}});
  if (!q.target_id.empty() && q.target_type.empty())
    return Error(ErrorCode::kAuditBadQuery, {{"detail", "按对象编号查询时必须同时给出对象类型"}});
  std::string where;
  storage::Params params;
  auto add = [&](const char* clause, storage::Value v) {
    where += where.empty() ? " WHERE " : " AND ";
    where += clause;
    params.push_back(std::move(v));
  };
  if (!q.actor.empty()) add("actor = ?", q.actor);
  if (q.user_id) add("user_id = ?", q.user_id);
  if (q.action) add("action = ?", std::string(ActionKey(*q.action)));
  if (q.outcome) add("outcome = ?", std::string(OutcomeKey(*q.outcome)));
  if (!q.target_type.empty()) add("target_type = ?", q.target_type);
  if (!q.target_id.empty()) add("target_id = ?", q.target_id);
  if (q.org_id) add("org_id = ?", q.org_id);
  if (!q.from.empty()) add("at >= ?", q.from);
  if (!q.to.empty()) add("at < ?", q.to);
  if (q.cursor) add(q.oldest_first ? "seq > ?" : "seq < ?", q.cursor);
  std::string sql = std::string("SELECT ") + kColumns + " FROM audit_log" + where +
                    " ORDER BY seq " + (q.oldest_first ? "ASC" : "DESC") + " LIMIT ?";
  params.push_back(int64_t{q.limit} + 1);
  ASSIGN_OR_RETURN(auto rows, db_.Query(sql, params));
  AuditPage page;
  for (const auto& r : rows) page.records.push_back(FromRow(r));
  if (page.records.size() > static_cast<size_t>(q.limit)) {
    page.records.pop_back();
    page.next_cursor = page.records.back().seq;
  }
  return page;
}

// ---- Verify --------------------------------------------------------------------------------

Result<VerifyReport> AuditLog::Verify() {
  VerifyReport rep;
  rep.file_anchor_path = options_.anchor_path;
  // Anchors first: the chain read afterwards can only have grown past them.
  ASSIGN_OR_RETURN(auto anchor_rows,
                   db_.Query("SELECT seq, hash, key_check FROM audit_anchor WHERE id = 1"));
  std::string stored_key_check;
  if (!anchor_rows.empty()) {
    rep.table_anchor_present = true;
    rep.table_anchor = Anchor{anchor_rows[0].Int(0), anchor_rows[0].Text(1)};
    stored_key_check = anchor_rows[0].Text(2);
  }
  ASSIGN_OR_RETURN(rep.file_anchor, anchor_file_->Read());

  auto add = [&](ChainBreak b) {
    ++rep.break_count;
    if (rep.breaks.size() < VerifyReport::kMaxBreaks) rep.breaks.push_back(std::move(b));
  };
  std::vector<std::pair<size_t, AuditRecord>> content_failed;  // (index in breaks, record)
  int64_t content_fails = 0, link_fails = 0, seq_fails = 0;
  std::optional<std::string> hash_at_table_anchor, hash_at_file_anchor;
  int64_t prev_seq = 0;
  std::string prev_hash(kGenesisHash);
  int64_t last = std::numeric_limits<int64_t>::min();
  const std::string page_sql = std::string("SELECT ") + kColumns +
                               " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT " +
                               Num(kVerifyPage);
  for (;;) {
    ASSIGN_OR_RETURN(auto rows, db_.Query(page_sql, {last}));
    for (const auto& row : rows) {
      AuditRecord r = FromRow(row);
      last = r.seq;
      ++rep.records;
      if (rep.table_anchor_present && r.seq == rep.table_anchor.seq) hash_at_table_anchor = r.hash;
      if (rep.file_anchor.state == AnchorState::kOk && r.seq == rep.file_anchor.anchor.seq)
        hash_at_file_anchor = r.hash;
      bool content_ok = RecordHash(key_, r) == r.hash;
      bool link_ok = r.prev_hash == prev_hash;
      if (!content_ok) ++content_fails;
      if (!link_ok) ++link_fails;
      int64_t expected = prev_seq + 1;
      if (r.seq != expected) {
        ++seq_fails;
        if (r.seq < expected) {  // only a seq below 1 can sort before its expected place
          add({r.seq, BreakKind::kSequenceGap,
               "序号" + Num(r.seq) + "不在 1 起的连续序列中（插入的记录）"});
          continue;
        }
        add({expected, BreakKind::kSequenceGap,
             r.seq == expected + 1
                 ? "缺少第" + Num(expected) + "条记录（被删除）"
                 : "缺少第" + Num(expected) + "–" + Num(r.seq - 1) + "条记录（被删除）"});
      } else if (!content_ok) {
        size_t before = rep.breaks.size();
        add({r.seq, BreakKind::kEdited, "第" + Num(r.seq) + "条记录的内容与其哈希不符"});
        if (content_failed.size() < kReorderChecks && rep.breaks.size() > before)
          content_failed.emplace_back(before, r);
      } else if (!link_ok) {
        add({r.seq, BreakKind::kBrokenLink,
             "第" + Num(r.seq) + "条记录的 prev_hash 不是第" + Num(prev_seq) + "条记录的哈希"});
      }
      prev_seq = r.seq;
      prev_hash = r.hash;
      rep.head_seq = r.seq;
      rep.head_hash = r.hash;
    }
    if (static_cast<int64_t>(rows.size()) < kVerifyPage) break;
  }

  // Every record failing while seqs and links are intact means the key, not the records, is
  // wrong; the store's key check settles it when set (a single edited record looks the same).
  std::string our_check = KeyCheck(key_);
  bool key_check_differs = !stored_key_check.empty() && stored_key_check != our_check;
  bool key_check_matches = stored_key_check == our_check;
  bool all_fail = rep.records > 0 && content_fails == rep.records;
  bool structure_intact = seq_fails == 0 && link_fails == 0;
  if ((key_check_differs && (rep.records == 0 || all_fail)) ||
      (!key_check_matches && !key_check_differs && all_fail && structure_intact)) {
    rep.breaks = {
        {0, BreakKind::kWrongKey,
         "密钥文件 " + options_.key_path + " 不是本库的审计密钥（" +
             (rep.records ? "全部 " + Num(rep.records) + " 条记录都无法验证" : "密钥校验值不符") +
             "）；请改用本库的密钥文件"}};
    rep.break_count = 1;
    return rep;
  }
  if (key_check_differs) add({0, BreakKind::kAnchorMismatch, "库内锚点的密钥校验值被改动"});

  // A record that verifies under another seq was moved there. Candidates: one after the record
  // its prev_hash names, one before the record naming it, and a small window around it.
  for (auto& [index, r] : content_failed) {
    std::vector<int64_t> candidates;
    ASSIGN_OR_RETURN(auto pred,
                     db_.Query("SELECT seq FROM audit_log WHERE hash = ?", {r.prev_hash}));
    for (const auto& p : pred) candidates.push_back(p.Int(0) + 1);
    ASSIGN_OR_RETURN(auto succ,
                     db_.Query("SELECT seq FROM audit_log WHERE prev_hash = ?", {r.hash}));
    for (const auto& s : succ) candidates.push_back(s.Int(0) - 1);
    for (int64_t d = 1; d <= kReorderWindow; ++d) {
      candidates.push_back(r.seq - d);
      candidates.push_back(r.seq + d);
    }
    for (int64_t c : candidates) {
      if (c < 1 || c == r.seq) continue;
      AuditRecord moved = r;
      moved.seq = c;
      if (RecordHash(key_, moved) == r.hash) {
        rep.breaks[index].kind = BreakKind::kReordered;
        rep.breaks[index].detail = "第" + Num(r.seq) + "条位置上是原第" + Num(c) + "条记录";
        break;
      }
    }
  }

  auto check_anchor = [&](const Anchor& a, const std::optional<std::string>& hash_there,
                          const std::string& which) {
    if (a.seq > rep.head_seq) {
      add({rep.head_seq + 1, BreakKind::kTruncated,
           "审计日志只到第" + Num(rep.head_seq) + "条，而" + which + "记录的链头是第" + Num(a.seq) +
               "条：其后的记录被删除"});
    } else if (a.seq > 0 && hash_there && *hash_there != a.hash) {
      add({a.seq, BreakKind::kAnchorMismatch,
           "第" + Num(a.seq) + "条记录的哈希与" + which + "不符"});
    }
  };
  if (rep.table_anchor_present) {
    check_anchor(rep.table_anchor, hash_at_table_anchor, "库内锚点");
  } else {
    add({0, BreakKind::kAnchorMismatch, "库内锚点行（audit_anchor）被删除"});
  }
  if (rep.file_anchor.state == AnchorState::kOk) {
    check_anchor(rep.file_anchor.anchor, hash_at_file_anchor, "锚点文件");
  } else if (rep.file_anchor.state == AnchorState::kDamaged) {
    add({0, BreakKind::kAnchorMismatch,
         "锚点文件 " + options_.anchor_path + " 损坏或不是用本密钥写入的"});
  }
  return rep;
}

}  // namespace linli::audit
