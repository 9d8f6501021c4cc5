// The ledger engine over the store: derived tables, entries, life cycle, schedules, reports,
// approvals, lists and statistics.
#include "ledger/engine.h"

#include <algorithm>

#include "common/hash.h"
#include "common/time_util.h"
#include "crypto/field_cipher.h"

namespace linli::ledger {
namespace {

using nlohmann::json;
using storage::Dialect;
using storage::Params;
using storage::Row;
using storage::Value;

std::string Table(const Ledger& l) { return "ledger_" + l.key; }
std::string Column(const Field& f) { return "f_" + f.key; }

bool IntegerStored(ValueType t) {
  return t == ValueType::kInteger || t == ValueType::kDecimal || t == ValueType::kMoney ||
         t == ValueType::kBoolean || t == ValueType::kPerson;
}
std::string SqlType(ValueType t, Dialect d) {
  return IntegerStored(t) ? (d == Dialect::kSqlite ? "INTEGER" : "BIGINT") : "TEXT";
}
// Stored types that may replace each other without touching the data: same storage class, same
// encryption, and every old value still a valid new value (or more permissive).
bool CompatibleChange(ValueType from, ValueType to) {
  if (from == to) return true;
  if (IsSensitiveType(from) || IsSensitiveType(to)) return false;
  if (from == ValueType::kAttachment || to == ValueType::kAttachment) return false;
  if (from == ValueType::kCode && to == ValueType::kCodes) return true;  // one code is a set of one
  if (to == ValueType::kText) return !IntegerStored(from);  // any text-stored value is text
  return false;
}

std::string AddDays(const std::string& date, int days) {
  auto d = ParseDateText(date);
  if (!d) return date;
  return Date::FromDays(d->date.DaysSinceEpoch() + days).ToString();
}

Status NotFoundEntry(const Ledger& l, int64_t id) {
  return Error(ErrorCode::kNotFound, {{"what", l.name + "记录"}, {"key", std::to_string(id)}});
}

std::string Join(const std::vector<std::string>& items, const std::string& sep = "、") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string RoleLabels(const std::vector<std::string>& roles) {
  static const std::map<std::string, std::string> kLabels = {{"grid_worker", "网格员"},
                                                             {"community_worker", "社区工作人员"},
                                                             {"community_head", "社区负责人"},
                                                             {"supervisor", "街道/区督导"},
                                                             {"system_admin", "系统管理员"},
                                                             {"security_admin", "安全管理员"},
                                                             {"auditor", "审计员"}};
  std::vector<std::string> out;
  for (const auto& r : roles) out.push_back(kLabels.count(r) ? kLabels.at(r) : r);
  return Join(out, "或");
}

bool HasRole(const std::vector<std::string>& roles, const Actor& a) {
  // The empty role is a local, trusted process (the CLI, the demo generator).
  return roles.empty() || a.role.empty() ||
         std::find(roles.begin(), roles.end(), a.role) != roles.end();
}

std::string ValidDate(const std::string& given) {
  if (given.empty()) return Today().ToString();
  auto d = ParseDateText(given);
  if (!d || d->partial) return "";
  return d->date.ToString();
}

Status BadDate(const std::string& given) { return Error(ErrorCode::kBadDate, {{"value", given}}); }

// The columns ReadEntry reads: entries with their registry facts and declared fields.
std::string EntryColumns(const Ledger& l) {
  std::string sql =
      "SELECT e.id, e.ledger, e.subject_id, e.person_id, e.household_id, e.stage, e.enrolled_on, "
      "e.exited_on, e.exit_reason, e.last_followup_on, e.next_due_on, e.responsible_user_id, "
      "e.version, p.name, p.community_id, p.grid_id";
  for (const Field& f : l.fields) sql += ", d." + Column(f);
  return sql;
}

// Entries joined to their person and their ledger's table.
std::string EntryFrom(const Ledger& l) {
  return " FROM ledger_entries e JOIN persons p ON p.id = e.person_id JOIN " + Table(l) +
         " d ON d.entry_id = e.id";
}

// EntryColumns and EntryFrom; append WHERE … yourself.
std::string EntrySelect(const Ledger& l) { return EntryColumns(l) + EntryFrom(l); }

// SQL for the value field `f` of entry e (its row d) held on `as_of`: the current value, or, when
// the field changed after that date, what it held before the first such change
// (ledger_field_history). Today and later need no history: changes are never future-dated.
// `as_of` is a validated date and field keys are [a-z0-9_]: both safe to inline.
std::string ValueAsOf(const Field& f, const std::string& as_of) {
  std::string current = "d." + Column(f);
  if (as_of >= Today().ToString()) return current;
  std::string later = " FROM ledger_field_history h WHERE h.entry_id = e.id AND h.field = '" +
                      f.key + "' AND h.changed_on > '" + as_of + "'";
  std::string old = IntegerStored(f.type) ? "h.old_int" : "h.old_text";
  return "CASE WHEN EXISTS (SELECT 1" + later + ") THEN (SELECT " + old + later +
         " ORDER BY h.changed_on, h.id LIMIT 1) ELSE " + current + " END";
}

// The history's record of a change: field → [before, after] as displayed, for the fields whose
// display changes; sensitive values are never written there, only "***" for "had a value".
json Changes(const Ledger& l, const Record& before, const Record& changes) {
  json diff = json::object();
  for (const auto& [k, v] : changes) {
    const Field* f = l.FindField(k);
    auto it = before.find(k);
    std::string was = it == before.end() ? "" : ValueText(l, *f, it->second);
    std::string now = ValueText(l, *f, v);
    if (was == now) continue;
    if (IsSensitiveType(f->type)) {
      was = was.empty() ? "" : "***";
      now = now.empty() ? "" : "***";
    }
    diff[k] = json::array({was, now});
  }
  return diff;
}

}  // namespace

std::string_view DueWindowName(DueWindow w) {
  switch (w) {
    case DueWindow::kToday:
      return "today";
    case DueWindow::kWeek:
      return "week";
    case DueWindow::kOverdue:
      return "overdue";
    default:
      return "";
  }
}
std::optional<DueWindow> ParseDueWindow(std::string_view name) {
  if (name.empty()) return DueWindow::kAny;
  if (name == "today") return DueWindow::kToday;
  if (name == "week") return DueWindow::kWeek;
  if (name == "overdue") return DueWindow::kOverdue;
  return std::nullopt;
}

Status SyncSchema(storage::Db& db, const Catalog& catalog) {
  // What the store holds: ledger → field → (type, retired).
  auto read =
      [&]() -> Result<std::map<std::string, std::map<std::string, std::pair<std::string, bool>>>> {
    std::map<std::string, std::map<std::string, std::pair<std::string, bool>>> held;
    ASSIGN_OR_RETURN(auto rows,
                     db.Query("SELECT ledger, field, type, retired_at FROM ledger_columns"));
    for (const Row& r : rows) held[r.Text(0)][r.Text(1)] = {r.Text(2), !r.IsNull(3)};
    return held;
  };
  auto in_step = [&](const auto& held) {
    for (const Ledger& l : catalog.ledgers()) {
      auto it = held.find(l.key);
      if (it == held.end()) return false;
      size_t live = 0;
      for (const auto& [field, info] : it->second) live += info.second ? 0 : 1;
      if (live != l.fields.size()) return false;
      for (const Field& f : l.fields) {
        auto c = it->second.find(f.key);
        if (c == it->second.end() || c->second.second || c->second.first != ValueTypeName(f.type))
          return false;
      }
    }
    return true;
  };
  {
    ASSIGN_OR_RETURN(auto held, read());
    if (in_step(held)) return Status::Ok();
  }
  return storage::InTransaction(db, [&]() -> Status {
    if (db.dialect() == Dialect::kPostgres)
      RETURN_IF_ERROR(db.ExecScript("SELECT pg_advisory_xact_lock(7426002)"));
    ASSIGN_OR_RETURN(auto held, read());
    std::string now = NowIso();
    std::string int_type = db.dialect() == Dialect::kSqlite ? "INTEGER" : "BIGINT";
    for (const Ledger& l : catalog.ledgers()) {
      auto& cols = held[l.key];
      RETURN_IF_ERROR(db.ExecScript("CREATE TABLE IF NOT EXISTS " + Table(l) + " (entry_id " +
                                    int_type + " PRIMARY KEY REFERENCES ledger_entries(id))"));
      for (const Field& f : l.fields) {
        std::string type(ValueTypeName(f.type));
        auto c = cols.find(f.key);
        if (c == cols.end() && !f.was.empty() && cols.count(f.was)) {
          // Renamed: the column and its data move to the new key.
          RETURN_IF_ERROR(db.ExecScript("ALTER TABLE " + Table(l) + " RENAME COLUMN f_" + f.was +
                                        " TO " + Column(f)));
          RETURN_IF_ERROR(
              db.Exec("UPDATE ledger_columns SET field = ? WHERE ledger = ? AND field = ?",
                      {f.key, l.key, f.was}));
          cols[f.key] = cols[f.was];
          cols.erase(f.was);
          c = cols.find(f.key);
        }
        if (c == cols.end()) {
          RETURN_IF_ERROR(db.ExecScript("ALTER TABLE " + Table(l) + " ADD COLUMN " + Column(f) +
                                        " " + SqlType(f.type, db.dialect())));
          RETURN_IF_ERROR(db.Exec(
              "INSERT INTO ledger_columns (ledger, field, type, added_at) VALUES (?, ?, ?, ?)",
              {l.key, f.key, type, now}));
        } else {
          auto stored = ParseValueType(c->second.first);
          if (!stored || !CompatibleChange(*stored, f.type))
            return Error(ErrorCode::kLedgerSchemaConflict, {{"ledger", l.name},
                                                            {"field", f.label},
                                                            {"stored", c->second.first},
                                                            {"declared", type}});
          if (c->second.first != type || c->second.second)
            RETURN_IF_ERROR(
                db.Exec("UPDATE ledger_columns SET type = ?, retired_at = NULL WHERE ledger = ? "
                        "AND field = ?",
                        {type, l.key, f.key}));
        }
        if (f.filter)
          RETURN_IF_ERROR(db.ExecScript("CREATE INDEX IF NOT EXISTS " + Table(l) + "_" + f.key +
                                        " ON " + Table(l) + " (" + Column(f) + ")"));
      }
      for (const auto& [field, info] : cols) {
        if (info.second || l.FindField(field)) continue;
        // Removed from the declaration: kept with its data, no longer shown or written.
        RETURN_IF_ERROR(
            db.Exec("UPDATE ledger_columns SET retired_at = ? WHERE ledger = ? AND field = ?",
                    {now, l.key, field}));
      }
    }
    return Status::Ok();
  });
}

Result<Engine> Engine::Create(storage::Db& db, const Catalog& catalog) {
  ASSIGN_OR_RETURN(const crypto::FieldCipher* cipher, db.Cipher());
  return Engine(db, catalog, *cipher);
}

std::string Engine::Encrypt(const Ledger& l, const Field& f, const std::string& plain) const {
  return cipher_->Encrypt("ledger." + l.key + "." + f.key, plain);
}
Result<std::string> Engine::Decrypt(const Ledger& l, const Field& f,
                                    const std::string& stored) const {
  return cipher_->Decrypt("ledger." + l.key + "." + f.key, stored);
}

Result<Record> Engine::ParseValues(const Ledger& l, const json& values,
                                   const std::vector<std::string>& allowed,
                                   const std::string& transition_label, const Owner& owner,
                                   std::vector<FieldProblem>* problems) {
  Record out;
  if (values.is_null()) return out;
  if (!values.is_object())
    return Error(ErrorCode::kHttpBadRequest, {{"detail", "values 应为对象 {字段: 值}"}});
  Date today = Today();
  for (const auto& [key, input] : values.items()) {
    const Field* f = l.FindField(key);
    if (!f) {
      problems->push_back({key, Error(ErrorCode::kFieldUnknown, {{"field", key}})});
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      problems->push_back({key, Error(ErrorCode::kLedgerFieldNotInTransition,
                                      {{"transition", transition_label}, {"label", f->label}})});
      continue;
    }
    auto v = ParseInput(l, *f, input, today);
    if (!v.ok()) {
      problems->push_back({key, v.status()});
      continue;
    }
    if (f->type == ValueType::kPerson && !IsEmpty(*v)) {
      // A person reference names a resident of the registry (the caller checks the scope).
      ASSIGN_OR_RETURN(
          int64_t found,
          db_->QueryInt("SELECT count(*) FROM persons WHERE id = ? AND status <> 'merged'",
                        {std::get<int64_t>(*v)}));
      if (!found) {
        problems->push_back({key, Error(ErrorCode::kLedgerFieldType, {{"label", f->label},
                                                                      {"type", "居民名册中的居民"},
                                                                      {"value", input.dump()}})});
        continue;
      }
    }
    if (f->type == ValueType::kAttachment && !IsEmpty(*v)) {
      // An upload of this field, already this entry's or not yet taken and uploaded by the
      // person making the change; stored with its name for lists and exports.
      const std::string& id = std::get<std::string>(*v);
      ASSIGN_OR_RETURN(auto rows,
                       db_->Query("SELECT file_name FROM ledger_attachments WHERE id = "
                                  "? AND ledger = ? AND field = ? AND (entry_id = ? OR "
                                  "(entry_id IS NULL AND uploaded_by = ?))",
                                  {std::stoll(id), l.key, key, owner.entry_id, owner.uploader}));
      if (rows.empty()) {
        problems->push_back(
            {key, Error(ErrorCode::kLedgerAttachmentUnknown, {{"label", f->label}, {"id", id}})});
        continue;
      }
      *v = Value{id + ":" + rows[0].Text(0)};
    }
    out[key] = *v;
  }
  return out;
}

Result<RuleContext> Engine::ContextFor(const Ledger& l, int64_t person_id, int64_t household_id) {
  RuleContext ctx;
  ctx.today = Today();
  ASSIGN_OR_RETURN(auto rows,
                   db_->Query("SELECT id_number FROM persons WHERE id = ?", {person_id}));
  if (!rows.empty() && !rows[0].IsNull(0)) {
    ASSIGN_OR_RETURN(ctx.subject_id_number, cipher_->Decrypt("id_number", rows[0].Text(0)));
  }
  if (household_id) {
    ASSIGN_OR_RETURN(
        int64_t n,
        db_->QueryInt("SELECT count(*) FROM persons WHERE household_id = ? AND status = 'active'",
                      {household_id}));
    ctx.household_members = static_cast<int>(n);
  }
  return ctx;
}

Status Engine::WriteValues(const Ledger& l, int64_t entry_id, const Record& values, bool insert) {
  Params params;
  std::string cols, marks, sets;
  for (const auto& [key, v] : values) {
    const Field* f = l.FindField(key);
    if (f->type == ValueType::kAttachment && !IsEmpty(v)) {
      // The entry takes the upload; another entry that took it meanwhile wins.
      const std::string& s = std::get<std::string>(v);
      std::string id = s.substr(0, s.find(':'));
      ASSIGN_OR_RETURN(auto taken, db_->Query("UPDATE ledger_attachments SET entry_id = ? WHERE id "
                                              "= ? AND (entry_id IS NULL OR entry_id = ?) "
                                              "RETURNING id",
                                              {entry_id, std::stoll(id), entry_id}));
      if (taken.empty())
        return Error(ErrorCode::kLedgerAttachmentUnknown, {{"label", f->label}, {"id", id}});
    }
    Value stored = v;
    if (IsSensitiveType(f->type) && !IsEmpty(v)) stored = Encrypt(l, *f, std::get<std::string>(v));
    if (IsEmpty(v)) stored = Value{};
    params.push_back(stored);
    cols += ", " + Column(*f);
    marks += ", ?";
    sets += std::string(sets.empty() ? "" : ", ") + Column(*f) + " = ?";
  }
  if (insert) {
    params.insert(params.begin(), Value{entry_id});
    return db_->Exec("INSERT INTO " + Table(l) + " (entry_id" + cols + ") VALUES (?" + marks + ")",
                     params);
  }
  if (values.empty()) return Status::Ok();
  params.push_back(Value{entry_id});
  return db_->Exec("UPDATE " + Table(l) + " SET " + sets + " WHERE entry_id = ?", params);
}

Status Engine::KeepHistory(const Ledger& l, int64_t entry_id, const Record& before,
                           const Record& changes, const std::string& on_date) {
  for (const auto& [key, v] : changes) {
    const Field* f = l.FindField(key);
    if (IsSensitiveType(f->type)) continue;
    auto it = before.find(key);
    Value was = it == before.end() || IsEmpty(it->second) ? Value{} : it->second;
    if (was == (IsEmpty(v) ? Value{} : v)) continue;
    bool integer = IntegerStored(f->type);
    RETURN_IF_ERROR(db_->Exec(
        "INSERT INTO ledger_field_history (entry_id, field, changed_on, old_int, old_text) "
        "VALUES (?, ?, ?, ?, ?)",
        {entry_id, key, on_date, integer ? was : Value{}, integer ? Value{} : was}));
  }
  return Status::Ok();
}

Result<int64_t> Engine::AddEvent(int64_t entry_id, const std::string& event,
                                 const std::string& label, const std::string& on_date,
                                 const std::string& from, const std::string& to,
                                 const std::string& reason, const json& changes,
                                 int64_t requested_by, int64_t approved_by) {
  ASSIGN_OR_RETURN(auto rows,
                   db_->Query("INSERT INTO ledger_events (entry_id, event, label, on_date, "
                              "stage_from, stage_to, reason, "
                              "changes, requested_by, approved_by, recorded_at) VALUES (?, ?, ?, "
                              "?, ?, ?, ?, ?, ?, ?, ?) "
                              "RETURNING id",
                              {entry_id, event, label, on_date, storage::TextOrNull(from),
                               storage::TextOrNull(to), storage::TextOrNull(reason),
                               changes.empty() ? Value{} : Value{changes.dump()},
                               requested_by ? Value{requested_by} : Value{},
                               approved_by ? Value{approved_by} : Value{}, NowIso()}));
  return rows[0].Int(0);
}

Result<int> Engine::IntervalDays(const Ledger& l, int64_t community_id, const std::string& code) {
  const Schedule& s = l.schedule;
  int days = s.every_days;
  if (!s.by_field.empty()) {
    auto it = s.every_days_by.find(code);
    if (it != s.every_days_by.end()) days = it->second;
    // A district may set its own interval (e.g. 低保 C类 quarterly in cities, half-yearly in
    // villages).
    ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT i.days FROM ledger_intervals i JOIN org_units c ON c.id = ? "
                   "JOIN org_units s ON s.id = c.parent_id WHERE i.ledger = ? AND i.code = ? "
                   "AND i.district_id = s.parent_id",
                   {community_id, l.key, code}));
    if (!rows.empty()) days = static_cast<int>(rows[0].Int(0));
  }
  if (days <= 0) days = 365;
  return days;
}

Status Engine::SetInterval(const Ledger& l, int64_t district_id, const std::string& code,
                           int days) {
  return storage::InTransaction(*db_, [&]() -> Status {
    RETURN_IF_ERROR(
        db_->Exec("DELETE FROM ledger_intervals WHERE ledger = ? AND district_id = ? AND code = ?",
                  {l.key, district_id, code}));
    return db_->Exec(
        "INSERT INTO ledger_intervals (ledger, district_id, code, days) VALUES (?, ?, ?, ?)",
        {l.key, district_id, code, int64_t{days}});
  });
}

Status Engine::Reschedule(const Ledger& l, const Entry& e, const std::string& from_date) {
  if (!l.schedule.enabled() || !e.exited_on.empty())
    return db_->Exec("UPDATE ledger_entries SET next_due_on = NULL WHERE id = ?", {e.id});
  std::string code;
  if (!l.schedule.by_field.empty()) {
    auto it = e.values.find(l.schedule.by_field);
    if (it != e.values.end() && std::holds_alternative<std::string>(it->second))
      code = std::get<std::string>(it->second);
  }
  ASSIGN_OR_RETURN(int days, IntervalDays(l, e.community_id, code));
  return db_->Exec("UPDATE ledger_entries SET next_due_on = ? WHERE id = ?",
                   {AddDays(from_date, days), e.id});
}

Result<int64_t> Engine::RequestApproval(const Ledger& l, int64_t entry_id, int64_t community_id,
                                        const std::string& action, const std::string& label,
                                        const json& payload, const Actor& actor) {
  ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(
          "INSERT INTO ledger_approvals (ledger, entry_id, action, label, payload, community_id, "
          "requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          {l.key, entry_id ? Value{entry_id} : Value{}, action, label, payload.dump(), community_id,
           actor.user_id, NowIso()}));
  return rows[0].Int(0);
}

Result<Outcome> Engine::Enrol(const Ledger& l, int64_t subject_id, const json& values,
                              const std::string& on_date_in, int64_t responsible_user_id,
                              const Actor& actor, std::vector<FieldProblem>* problems) {
  const struct Transition& t = l.Enrol();
  if (!HasRole(t.roles, actor))
    return Error(ErrorCode::kLedgerTransitionRole,
                 {{"transition", t.label}, {"roles", RoleLabels(t.roles)}});
  std::string on_date = ValidDate(on_date_in);
  if (on_date.empty()) return BadDate(on_date_in);
  std::vector<std::string> allowed = t.fields;
  if (allowed.empty())
    for (const Field& f : l.fields) allowed.push_back(f.key);
  ASSIGN_OR_RETURN(Record record,
                   ParseValues(l, values, allowed, t.label, {actor.user_id, 0}, problems));
  // The subject: a person, or a household (its head, else its first active member).
  int64_t person_id = subject_id, household_id = 0, community_id = 0;
  if (l.household) {
    ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT h.id, h.community_id, COALESCE(h.head_person_id, (SELECT min(id) FROM "
                   "persons m WHERE m.household_id = h.id AND m.status = 'active')) FROM "
                   "households h WHERE h.id = ? AND h.ended_on IS NULL",
                   {subject_id}));
    if (rows.empty() || rows[0].IsNull(2))
      return Error(ErrorCode::kNotFound, {{"what", "户"}, {"key", std::to_string(subject_id)}});
    household_id = subject_id;
    community_id = rows[0].Int(1);
    person_id = rows[0].Int(2);
  } else {
    ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT community_id, household_id, status, name FROM persons WHERE id = ?",
                   {subject_id}));
    if (rows.empty())
      return Error(ErrorCode::kNotFound, {{"what", "居民"}, {"key", std::to_string(subject_id)}});
    if (rows[0].Text(2) != "active")
      return Error(ErrorCode::kPersonEnded,
                   {{"name", rows[0].Text(3)},
                    {"status", rows[0].Text(2) == "deceased" ? "死亡" : "迁出或注销"},
                    {"action", "纳入台账"}});
    community_id = rows[0].Int(0);
    household_id = rows[0].Int(1);
  }
  ASSIGN_OR_RETURN(RuleContext ctx, ContextFor(l, person_id, household_id));
  CheckRecord(l, record, allowed, ctx, problems);
  if (!problems->empty())
    return Error(ErrorCode::kLedgerInvalid,
                 {{"ledger", l.name}, {"count", std::to_string(problems->size())}});
  ASSIGN_OR_RETURN(
      auto open,
      db_->Query(
          "SELECT id FROM ledger_entries WHERE ledger = ? AND subject_id = ? AND exited_on IS NULL",
          {l.key, subject_id}));
  if (!open.empty())
    return Error(ErrorCode::kLedgerAlreadyEnrolled, {{"subject", l.household ? "该户" : "此人"},
                                                     {"ledger", l.name},
                                                     {"entry", std::to_string(open[0].Int(0))}});
  if (!t.approvers.empty() && !actor.role.empty()) {
    json payload = {
        {"kind", "enrol"},
        {"subject_id", subject_id},
        {"values", values},
        {"on_date", on_date},
        {"responsible_user_id", responsible_user_id ? responsible_user_id : actor.user_id}};
    Outcome out;
    ASSIGN_OR_RETURN(out.approval_id,
                     RequestApproval(l, 0, community_id, "enrol", t.label, payload, actor));
    return out;
  }
  return ApplyEnrol(l, subject_id, record, on_date,
                    responsible_user_id ? responsible_user_id : actor.user_id, actor.user_id, 0);
}

Result<Outcome> Engine::ApplyEnrol(const Ledger& l, int64_t subject_id, const Record& record,
                                   const std::string& on_date, int64_t responsible_user_id,
                                   int64_t requested_by, int64_t approved_by) {
  Outcome out;
  RETURN_IF_ERROR(storage::InTransaction(*db_, [&]() -> Status {
    int64_t person_id = subject_id, household_id = 0;
    if (l.household) {
      ASSIGN_OR_RETURN(
          auto rows,
          db_->Query(
              "SELECT COALESCE(h.head_person_id, (SELECT min(id) FROM persons m WHERE "
              "m.household_id = h.id AND m.status = 'active')) FROM households h WHERE h.id = ?",
              {subject_id}));
      household_id = subject_id;
      person_id = rows.empty() ? 0 : rows[0].Int(0);
    } else {
      ASSIGN_OR_RETURN(auto rows,
                       db_->Query("SELECT household_id FROM persons WHERE id = ?", {subject_id}));
      household_id = rows.empty() ? 0 : rows[0].Int(0);
    }
    ASSIGN_OR_RETURN(
        auto open,
        db_->Query("SELECT id FROM ledger_entries WHERE ledger = ? AND subject_id = ? AND "
                   "exited_on IS NULL",
                   {l.key, subject_id}));
    if (!open.empty())
      return Error(ErrorCode::kLedgerAlreadyEnrolled, {{"subject", l.household ? "该户" : "此人"},
                                                       {"ledger", l.name},
                                                       {"entry", std::to_string(open[0].Int(0))}});
    std::string now = NowIso();
    ASSIGN_OR_RETURN(
        auto rows,
        db_->Query(
            "INSERT INTO ledger_entries (ledger, subject_id, person_id, household_id, stage, "
            "enrolled_on, responsible_user_id, created_at, updated_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {l.key, subject_id, person_id, household_id ? Value{household_id} : Value{},
             l.Enrol().to, on_date, responsible_user_id ? Value{responsible_user_id} : Value{}, now,
             now}));
    out.entry_id = rows[0].Int(0);
    RETURN_IF_ERROR(WriteValues(l, out.entry_id, record, true));
    json changes = Changes(l, {}, record);
    RETURN_IF_ERROR(AddEvent(out.entry_id, "enrol", l.Enrol().label, on_date, "", l.Enrol().to, "",
                             changes, requested_by, approved_by)
                        .status());
    ASSIGN_OR_RETURN(Entry e, Get(l, out.entry_id));
    if (!l.schedule.enabled()) return Status::Ok();
    if (l.schedule.first_due_days > 0)
      return db_->Exec("UPDATE ledger_entries SET next_due_on = ? WHERE id = ?",
                       {AddDays(on_date, l.schedule.first_due_days), out.entry_id});
    return Reschedule(l, e, on_date);
  }));
  return out;
}

Result<Outcome> Engine::Transition(const Ledger& l, int64_t entry_id, const std::string& key,
                                   const json& values, const std::string& on_date_in,
                                   const std::string& reason, const Actor& actor,
                                   std::vector<FieldProblem>* problems) {
  ASSIGN_OR_RETURN(Entry e, Get(l, entry_id));
  const struct Transition* t = l.FindTransition(key);
  if (!t || t->key == "enrol") {
    std::vector<std::string> names;
    for (const auto& tr : l.transitions)
      if (tr.key != "enrol") names.push_back(tr.key);
    return Error(ErrorCode::kInvalidArgument,
                 {{"detail", "办理事项“" + key + "”不存在；可用：" + Join(names, ", ")}});
  }
  if (std::find(t->from.begin(), t->from.end(), e.stage) == t->from.end()) {
    std::vector<std::string> allowed;
    for (const auto& tr : l.transitions)
      if (std::find(tr.from.begin(), tr.from.end(), e.stage) != tr.from.end())
        allowed.push_back(tr.label);
    const Stage* st = l.FindStage(e.stage);
    return Error(ErrorCode::kLedgerTransitionIllegal,
                 {{"stage", st ? st->label : e.stage},
                  {"transition", t->label},
                  {"allowed", allowed.empty() ? "无" : Join(allowed)}});
  }
  if (!HasRole(t->roles, actor))
    return Error(ErrorCode::kLedgerTransitionRole,
                 {{"transition", t->label}, {"roles", RoleLabels(t->roles)}});
  std::string on_date = ValidDate(on_date_in);
  if (on_date.empty()) return BadDate(on_date_in);
  if (on_date < e.enrolled_on || on_date > Today().ToString())
    return Error(ErrorCode::kLedgerDateRange,
                 {{"what", t->label}, {"date", on_date}, {"enrolled", e.enrolled_on}});
  if (t->reason_required && reason.empty())
    return Error(
        ErrorCode::kLedgerReasonRequired,
        {{"transition", t->label}, {"reasons", t->reasons.empty() ? "请填写" : Join(t->reasons)}});
  if (!t->reasons.empty() && !reason.empty() &&
      std::find(t->reasons.begin(), t->reasons.end(), reason) == t->reasons.end())
    return Error(ErrorCode::kLedgerReasonUnknown,
                 {{"reason", reason}, {"reasons", Join(t->reasons)}});
  ASSIGN_OR_RETURN(
      auto pending,
      db_->Query("SELECT label, requested_by FROM ledger_approvals WHERE entry_id = ? AND "
                 "status = 'pending'",
                 {entry_id}));
  if (!pending.empty())
    return Error(ErrorCode::kLedgerPendingApproval,
                 {{"action", pending[0].Text(0)}, {"requester", pending[0].Text(1)}});
  ASSIGN_OR_RETURN(Record changes, ParseValues(l, values, t->fields, t->label,
                                               {actor.user_id, entry_id}, problems));
  Record merged = e.values;
  for (const auto& [k, v] : changes) merged[k] = v;
  ASSIGN_OR_RETURN(RuleContext ctx, ContextFor(l, e.person_id, e.household_id));
  std::vector<std::string> checked;
  for (const auto& [k, v] : changes) checked.push_back(k);
  CheckRecord(l, merged, checked, ctx, problems);
  if (!problems->empty())
    return Error(ErrorCode::kLedgerInvalid,
                 {{"ledger", l.name}, {"count", std::to_string(problems->size())}});
  if (!t->approvers.empty() && !actor.role.empty()) {
    json payload = {{"kind", "transition"},
                    {"transition", t->key},
                    {"values", values.is_null() ? json::object() : values},
                    {"on_date", on_date},
                    {"reason", reason}};
    Outcome out{entry_id, 0};
    ASSIGN_OR_RETURN(out.approval_id, RequestApproval(l, entry_id, e.community_id, t->key, t->label,
                                                      payload, actor));
    return out;
  }
  return ApplyTransition(l, e, *t, changes, on_date, reason, actor.user_id, 0);
}

Result<Outcome> Engine::ApplyTransition(const Ledger& l, const Entry& e, const struct Transition& t,
                                        const Record& changes, const std::string& on_date,
                                        const std::string& reason, int64_t requested_by,
                                        int64_t approved_by) {
  RETURN_IF_ERROR(storage::InTransaction(*db_, [&]() -> Status {
    json diff = Changes(l, e.values, changes);
    RETURN_IF_ERROR(KeepHistory(l, e.id, e.values, changes, on_date));
    RETURN_IF_ERROR(WriteValues(l, e.id, changes, false));
    const Stage* to = l.FindStage(t.to);
    Params p = {t.to, NowIso()};
    std::string sql = "UPDATE ledger_entries SET stage = ?, updated_at = ?, version = version + 1";
    if (to->final) {
      sql += ", exited_on = ?, exit_reason = ?, next_due_on = NULL";
      p.push_back(on_date);
      p.push_back(storage::TextOrNull(reason));
    }
    if (t.satisfies_schedule) {
      sql += ", last_followup_on = ?";
      p.push_back(on_date);
    }
    p.push_back(e.id);
    RETURN_IF_ERROR(db_->Exec(sql + " WHERE id = ?", p));
    RETURN_IF_ERROR(AddEvent(e.id, t.key, t.label, on_date, e.stage, t.to, reason, diff,
                             requested_by, approved_by)
                        .status());
    if (to->final) return Status::Ok();
    ASSIGN_OR_RETURN(Entry after, Get(l, e.id));
    // A review restarts the interval from its date; a change of the schedule's field (a class
    // change) gives the new interval from that date.
    bool schedule_field_changed =
        !l.schedule.by_field.empty() && diff.contains(l.schedule.by_field);
    if (t.satisfies_schedule || schedule_field_changed) return Reschedule(l, after, on_date);
    if (after.next_due_on.empty() && l.schedule.enabled())
      return Reschedule(l, after,
                        after.last_followup_on.empty() ? on_date : after.last_followup_on);
    return Status::Ok();
  }));
  return Outcome{e.id, 0};
}

Status Engine::Edit(const Ledger& l, int64_t entry_id, const json& values, const Actor& actor,
                    std::vector<FieldProblem>* problems) {
  ASSIGN_OR_RETURN(Entry e, Get(l, entry_id));
  if (!e.exited_on.empty()) {
    const Stage* st = l.FindStage(e.stage);
    return Error(ErrorCode::kLedgerNotActive,
                 {{"date", e.exited_on}, {"stage", st ? st->label : e.stage}, {"action", "修改"}});
  }
  // Fields owned by a transition change only through it (a class change may need approval).
  std::vector<std::string> allowed;
  for (const Field& f : l.fields) {
    bool owned =
        std::any_of(l.transitions.begin(), l.transitions.end(), [&](const struct Transition& t) {
          return t.key != "enrol" &&
                 std::find(t.fields.begin(), t.fields.end(), f.key) != t.fields.end();
        });
    if (!owned) allowed.push_back(f.key);
  }
  ASSIGN_OR_RETURN(Record changes,
                   ParseValues(l, values, allowed, "修改", {actor.user_id, entry_id}, problems));
  Record merged = e.values;
  for (const auto& [k, v] : changes) merged[k] = v;
  ASSIGN_OR_RETURN(RuleContext ctx, ContextFor(l, e.person_id, e.household_id));
  std::vector<std::string> checked;
  for (const auto& [k, v] : changes) checked.push_back(k);
  CheckRecord(l, merged, checked, ctx, problems);
  if (!problems->empty())
    return Error(ErrorCode::kLedgerInvalid,
                 {{"ledger", l.name}, {"count", std::to_string(problems->size())}});
  return storage::InTransaction(*db_, [&]() -> Status {
    json diff = Changes(l, e.values, changes);
    if (diff.empty()) return Status::Ok();
    RETURN_IF_ERROR(KeepHistory(l, e.id, e.values, changes, Today().ToString()));
    RETURN_IF_ERROR(WriteValues(l, e.id, changes, false));
    RETURN_IF_ERROR(
        db_->Exec("UPDATE ledger_entries SET updated_at = ?, version = version + 1 WHERE id = ?",
                  {NowIso(), e.id}));
    return AddEvent(e.id, "edit", "修改", Today().ToString(), e.stage, e.stage, "", diff,
                    actor.user_id, 0)
        .status();
  });
}

Result<int64_t> Engine::RecordVisit(const Ledger& l, int64_t entry_id,
                                    const std::string& on_date_in, const std::string& method,
                                    const std::string& notes, const Actor& actor) {
  if (!l.schedule.enabled()) return Error(ErrorCode::kLedgerNoSchedule, {{"ledger", l.name}});
  ASSIGN_OR_RETURN(Entry e, Get(l, entry_id));
  if (!e.exited_on.empty()) {
    const Stage* st = l.FindStage(e.stage);
    return Error(ErrorCode::kLedgerNotActive, {{"date", e.exited_on},
                                               {"stage", st ? st->label : e.stage},
                                               {"action", "记录" + l.schedule.label}});
  }
  std::string on_date = ValidDate(on_date_in);
  if (on_date.empty()) return BadDate(on_date_in);
  if (on_date < e.enrolled_on || on_date > Today().ToString())
    return Error(ErrorCode::kLedgerDateRange,
                 {{"what", l.schedule.label}, {"date", on_date}, {"enrolled", e.enrolled_on}});
  int64_t visit_id = 0;
  RETURN_IF_ERROR(storage::InTransaction(*db_, [&]() -> Status {
    ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("INSERT INTO ledger_visits (entry_id, visited_on, visitor_id, method, notes, "
                   "recorded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                   {e.id, on_date, actor.user_id ? Value{actor.user_id} : Value{},
                    storage::TextOrNull(method), storage::TextOrNull(notes), NowIso()}));
    visit_id = rows[0].Int(0);
    RETURN_IF_ERROR(AddEvent(e.id, "visit", l.schedule.label, on_date, e.stage, e.stage, "",
                             json::object(), actor.user_id, 0)
                        .status());
    // A visit older than the last follow-up does not move the schedule back.
    if (!e.last_followup_on.empty() && on_date <= e.last_followup_on) return Status::Ok();
    RETURN_IF_ERROR(
        db_->Exec("UPDATE ledger_entries SET last_followup_on = ?, updated_at = ? WHERE id = ?",
                  {on_date, NowIso(), e.id}));
    return Reschedule(l, e, on_date);
  }));
  return visit_id;
}

Result<int64_t> Engine::FileReport(const Ledger& l, int64_t entry_id, const std::string& on_date_in,
                                   bool zero, const std::string& details, const Actor& actor) {
  if (!l.daily_report) return Error(ErrorCode::kLedgerNoDailyReport, {{"ledger", l.name}});
  ASSIGN_OR_RETURN(Entry e, Get(l, entry_id));
  std::string on_date = ValidDate(on_date_in);
  if (on_date.empty()) return BadDate(on_date_in);
  if (on_date < e.enrolled_on || on_date > Today().ToString())
    return Error(ErrorCode::kLedgerDateRange,
                 {{"what", "报告"}, {"date", on_date}, {"enrolled", e.enrolled_on}});
  if (!e.exited_on.empty() && on_date >= e.exited_on) {
    const Stage* st = l.FindStage(e.stage);
    return Error(ErrorCode::kLedgerNotActive,
                 {{"date", on_date}, {"stage", st ? st->label : e.stage}, {"action", "报告"}});
  }
  if (!zero && details.empty()) return Error(ErrorCode::kLedgerReportDetails);
  ASSIGN_OR_RETURN(
      int64_t exists,
      db_->QueryInt("SELECT count(*) FROM ledger_reports WHERE entry_id = ? AND report_date = ?",
                    {entry_id, on_date}));
  if (exists) return Error(ErrorCode::kLedgerReportDuplicate, {{"date", on_date}});
  ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("INSERT INTO ledger_reports (entry_id, ledger, report_date, worker_id, zero, "
                 "details, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                 {entry_id, l.key, on_date, actor.user_id ? Value{actor.user_id} : Value{},
                  int64_t{zero ? 1 : 0}, storage::TextOrNull(zero ? "" : details), NowIso()}));
  return rows[0].Int(0);
}

Result<int64_t> Engine::RequestExport(const Ledger& l, int64_t org_id, int64_t community_id,
                                      const Actor& actor) {
  return RequestApproval(l, 0, community_id, "export", "批量导出",
                         json{{"kind", "export"}, {"org_id", org_id}}, actor);
}

namespace {
Approval ReadApproval(const Row& r) {
  Approval a;
  a.id = r.Int(0);
  a.ledger = r.Text(1);
  a.entry_id = r.Int(2);
  a.action = r.Text(3);
  a.label = r.Text(4);
  a.payload = json::parse(r.Text(5), nullptr, false);
  a.community_id = r.Int(6);
  a.status = r.Text(7);
  a.requested_by = r.Int(8);
  a.requested_at = r.Text(9);
  a.decided_by = r.Int(10);
  a.decided_at = r.Text(11);
  a.note = r.Text(12);
  return a;
}
constexpr const char* kApprovalColumns =
    "SELECT id, ledger, entry_id, action, label, payload, community_id, status, requested_by, "
    "requested_at, "
    "decided_by, decided_at, note FROM ledger_approvals";
}  // namespace

Result<Approval> Engine::GetApproval(int64_t id) {
  ASSIGN_OR_RETURN(auto rows, db_->Query(std::string(kApprovalColumns) + " WHERE id = ?", {id}));
  if (rows.empty())
    return Error(ErrorCode::kNotFound, {{"what", "审批申请"}, {"key", std::to_string(id)}});
  return ReadApproval(rows[0]);
}

Result<std::vector<Approval>> Engine::Approvals(const std::vector<int64_t>& community_ids,
                                                const std::string& status,
                                                const std::string& ledger_key) {
  Params p;
  std::string sql = std::string(kApprovalColumns) + " WHERE community_id IN (" +
                    storage::InList(community_ids, p) + ")";
  if (!status.empty()) {
    sql += " AND status = ?";
    p.push_back(status);
  }
  if (!ledger_key.empty()) {
    sql += " AND ledger = ?";
    p.push_back(ledger_key);
  }
  ASSIGN_OR_RETURN(auto rows, db_->Query(sql + " ORDER BY id DESC LIMIT 500", p));
  std::vector<Approval> out;
  for (const Row& r : rows) out.push_back(ReadApproval(r));
  return out;
}

Result<Outcome> Engine::Approve(int64_t approval_id, const Actor& actor, const std::string& note) {
  ASSIGN_OR_RETURN(Approval a, GetApproval(approval_id));
  if (a.status != "pending")
    return Error(ErrorCode::kLedgerApprovalDecided,
                 {{"status", a.status == "approved" ? "批准" : "驳回"}});
  const Ledger* l = catalog_->Find(a.ledger);
  if (!l) return Error(ErrorCode::kLedgerNotFound, {{"key", a.ledger}});
  std::vector<std::string> approvers = l->export_approvers;
  if (a.action != "export") {
    const struct Transition* t = l->FindTransition(a.action);
    if (!t) return Error(ErrorCode::kLedgerNotFound, {{"key", a.ledger + "/" + a.action}});
    approvers = t->approvers;
  }
  if (actor.user_id == a.requested_by)
    return Error(ErrorCode::kLedgerApprovalSelf, {{"roles", RoleLabels(approvers)}});
  if (std::find(approvers.begin(), approvers.end(), actor.role) == approvers.end())
    return Error(ErrorCode::kLedgerApprovalRole,
                 {{"action", a.label}, {"roles", RoleLabels(approvers)}});
  Outcome out{a.entry_id, 0};
  RETURN_IF_ERROR(storage::InTransaction(*db_, [&]() -> Status {
    // Claim the request first: of two approvers at once, one wins and the other sees it decided.
    ASSIGN_OR_RETURN(
        auto claimed,
        db_->Query("UPDATE ledger_approvals SET status = 'approved', decided_by = ?, "
                   "decided_at = ?, note = ? WHERE id = ? AND status = 'pending' RETURNING id",
                   {actor.user_id, NowIso(), storage::TextOrNull(note), approval_id}));
    if (claimed.empty()) return Error(ErrorCode::kLedgerApprovalDecided, {{"status", "处理"}});
    const json& p = a.payload;
    std::vector<FieldProblem> problems;
    if (a.action == "export") return Status::Ok();
    if (a.action == "enrol") {
      std::vector<std::string> allowed;
      for (const Field& f : l->fields) allowed.push_back(f.key);
      ASSIGN_OR_RETURN(Record record, ParseValues(*l, p.value("values", json::object()), allowed,
                                                  "纳入", {a.requested_by, 0}, &problems));
      if (!problems.empty()) return problems[0].status;
      ASSIGN_OR_RETURN(
          out,
          ApplyEnrol(*l, p.value("subject_id", int64_t{0}), record, p.value("on_date", ""),
                     p.value("responsible_user_id", int64_t{0}), a.requested_by, actor.user_id));
      return Status::Ok();
    }
    const struct Transition* t = l->FindTransition(a.action);
    ASSIGN_OR_RETURN(Entry e, Get(*l, a.entry_id));
    if (std::find(t->from.begin(), t->from.end(), e.stage) == t->from.end()) {
      const Stage* st = l->FindStage(e.stage);
      return Error(
          ErrorCode::kLedgerTransitionIllegal,
          {{"stage", st ? st->label : e.stage}, {"transition", t->label}, {"allowed", "无"}});
    }
    ASSIGN_OR_RETURN(Record changes,
                     ParseValues(*l, p.value("values", json::object()), t->fields, t->label,
                                 {a.requested_by, a.entry_id}, &problems));
    if (!problems.empty()) return problems[0].status;
    ASSIGN_OR_RETURN(out, ApplyTransition(*l, e, *t, changes, p.value("on_date", ""),
                                          p.value("reason", ""), a.requested_by, actor.user_id));
    return Status::Ok();
  }));
  return out;
}

Status Engine::Reject(int64_t approval_id, const Actor& actor, const std::string& note) {
  ASSIGN_OR_RETURN(Approval a, GetApproval(approval_id));
  if (a.status != "pending")
    return Error(ErrorCode::kLedgerApprovalDecided,
                 {{"status", a.status == "approved" ? "批准" : "驳回"}});
  const Ledger* l = catalog_->Find(a.ledger);
  if (!l) return Error(ErrorCode::kLedgerNotFound, {{"key", a.ledger}});
  std::vector<std::string> approvers = l->export_approvers;
  if (const struct Transition* t = l->FindTransition(a.action)) approvers = t->approvers;
  // The requester may withdraw their own request; anyone else must be an approver.
  if (actor.user_id != a.requested_by &&
      std::find(approvers.begin(), approvers.end(), actor.role) == approvers.end())
    return Error(ErrorCode::kLedgerApprovalRole,
                 {{"action", a.label}, {"roles", RoleLabels(approvers)}});
  return db_->Exec(
      "UPDATE ledger_approvals SET status = 'rejected', decided_by = ?, decided_at = ?, note = ? "
      "WHERE id = ? "
      "AND status = 'pending'",
      {actor.user_id, NowIso(), storage::TextOrNull(note), approval_id});
}

// One row of EntrySelect(l) as an Entry, sensitive fields decrypted.
Result<Entry> Engine::ReadEntry(const Ledger& l, const Row& r) const {
  Entry e;
  e.id = r.Int(0);
  e.ledger = r.Text(1);
  e.subject_id = r.Int(2);
  e.person_id = r.Int(3);
  e.household_id = r.Int(4);
  e.stage = r.Text(5);
  e.enrolled_on = r.Text(6);
  e.exited_on = r.Text(7);
  e.exit_reason = r.Text(8);
  e.last_followup_on = r.Text(9);
  e.next_due_on = r.Text(10);
  e.responsible_user_id = r.Int(11);
  e.version = r.Int(12);
  e.person_name = r.Text(13);
  e.community_id = r.Int(14);
  e.grid_id = r.Int(15);
  size_t c = 16;
  for (const Field& f : l.fields) {
    const Value& v = r.at(c++);
    if (IsSensitiveType(f.type) && !IsEmpty(v)) {
      ASSIGN_OR_RETURN(std::string plain, Decrypt(l, f, std::get<std::string>(v)));
      e.values[f.key] = plain;
    } else if (!r.IsNull(c - 1)) {
      e.values[f.key] = IntegerStored(f.type) ? Value{r.Int(c - 1)} : Value{r.Text(c - 1)};
    }
  }
  return e;
}

Result<Entry> Engine::Get(const Ledger& l, int64_t entry_id) {
  ASSIGN_OR_RETURN(auto rows, db_->Query(EntrySelect(l) + " WHERE e.id = ? AND e.ledger = ?",
                                         {entry_id, l.key}));
  if (rows.empty()) return NotFoundEntry(l, entry_id);
  return ReadEntry(l, rows[0]);
}

Result<std::vector<Event>> Engine::History(int64_t entry_id) {
  ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT id, event, label, on_date, stage_from, stage_to, reason, changes, "
                 "requested_by, approved_by, recorded_at FROM ledger_events WHERE entry_id = ? "
                 "ORDER BY id",
                 {entry_id}));
  std::vector<Event> out;
  for (const Row& r : rows) {
    Event e{r.Int(0),  r.Text(1),
            r.Text(2), r.Text(3),
            r.Text(4), r.Text(5),
            r.Text(6), r.IsNull(7) ? json::object() : json::parse(r.Text(7), nullptr, false),
            r.Int(8),  r.Int(9),
            r.Text(10)};
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<Visit>> Engine::Visits(int64_t entry_id) {
  ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT id, visited_on, method, notes, recorded_at, visitor_id FROM ledger_visits "
                 "WHERE entry_id = ? ORDER BY visited_on, id",
                 {entry_id}));
  std::vector<Visit> out;
  for (const Row& r : rows)
    out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5)});
  return out;
}

Result<std::vector<std::pair<std::string, int64_t>>> Engine::EntriesOfPerson(int64_t person_id) {
  ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT e.ledger, e.id FROM ledger_entries e LEFT JOIN persons p ON "
                 "p.household_id = e.household_id WHERE e.exited_on IS NULL AND (e.person_id = ? "
                 "OR p.id = ?) GROUP BY e.ledger, e.id ORDER BY e.ledger",
                 {person_id, person_id}));
  std::vector<std::pair<std::string, int64_t>> out;
  for (const Row& r : rows) out.emplace_back(r.Text(0), r.Int(1));
  return out;
}

namespace {

// The FROM and WHERE of a list query (filters, scope, stage, due window, name prefix), its
// parameters appended to `p`.
Result<std::string> ListFromWhere(const Ledger& l, const ListQuery& q, Params& p) {
  std::string where = " WHERE e.ledger = ?";
  p.push_back(l.key);
  where += " AND p.community_id IN (" + storage::InList(q.community_ids, p) + ")";
  if (!q.grid_ids.empty()) where += " AND p.grid_id IN (" + storage::InList(q.grid_ids, p) + ")";
  if (q.stage.empty()) {
    where += " AND e.exited_on IS NULL";
  } else if (q.stage != "*") {
    where += " AND e.stage = ?";
    p.push_back(q.stage);
  }
  Date today = Today();
  for (const auto& [key, raw] : q.filters) {
    const Field* f = l.FindField(key);
    if (!f || !f->filter)
      return Error(ErrorCode::kInvalidArgument,
                   {{"detail", "“" + key + "”不是" + l.name + "台账的筛选字段"}});
    ASSIGN_OR_RETURN(Value v, ParseInput(l, *f, json(raw), today));
    if (IsEmpty(v)) continue;
    where += " AND d." + Column(*f) + " = ?";
    p.push_back(v);
  }
  if (q.responsible_user_id) {
    where += " AND e.responsible_user_id = ?";
    p.push_back(q.responsible_user_id);
  }
  if (q.due != DueWindow::kAny) {
    std::string first_open = AddDays(today.ToString(), -l.schedule.grace_days);
    if (q.due == DueWindow::kOverdue) {
      where += " AND e.next_due_on < ?";
      p.push_back(first_open);
    } else {
      where += " AND e.next_due_on >= ? AND e.next_due_on <= ?";
      p.push_back(first_open);
      p.push_back(q.due == DueWindow::kToday ? today.ToString() : AddDays(today.ToString(), 6));
    }
  }
  if (!q.name_prefix.empty()) {
    // Name prefix as a range on the name (uses the persons_name_birth index's order).
    where += " AND p.name >= ? AND p.name < ?";
    p.push_back(q.name_prefix);
    p.push_back(q.name_prefix + "\xF4\x8F\xBF\xBF");
  }
  return EntryFrom(l) + where;
}

}  // namespace

Result<int64_t> Engine::Count(const Ledger& l, const ListQuery& q) {
  Params p;
  ASSIGN_OR_RETURN(std::string from_where, ListFromWhere(l, q, p));
  return db_->QueryInt("SELECT count(*)" + from_where, p);
}

Result<ListResult> Engine::List(const Ledger& l, const ListQuery& q) {
  ASSIGN_OR_RETURN(int64_t total, Count(l, q));
  Params p;
  ASSIGN_OR_RETURN(std::string where, ListFromWhere(l, q, p));
  std::string sort_expr = q.sort == "enrolled_on"   ? "e.enrolled_on"
                          : q.sort == "next_due_on" ? "COALESCE(e.next_due_on, '9999-12-31')"
                          : q.sort == "name"        ? "p.name"
                                                    : "";
  if (q.sort != "id" && sort_expr.empty())
    return Error(ErrorCode::kInvalidArgument,
                 {{"detail", "排序只能按 id、enrolled_on、next_due_on 或 name"}});
  std::string dir = q.descending ? "DESC" : "ASC", cmp = q.descending ? "<" : ">";
  if (!q.after.empty()) {
    // Keyset cursor "<sort value>\x1f<id>": the next page starts after that row, as cheap as
    // page 1.
    size_t sep = q.after.rfind('\x1f');
    int64_t after_id = 0;
    try {
      after_id = std::stoll(sep == std::string::npos ? q.after : q.after.substr(sep + 1));
    } catch (...) {
      return Error(ErrorCode::kInvalidArgument, {{"detail", "翻页游标无效，请从第一页重新开始"}});
    }
    if (sort_expr.empty()) {
      where += " AND e.id " + cmp + " ?";
      p.push_back(after_id);
    } else {
      where += " AND (" + sort_expr + ", e.id) " + cmp + " (?, ?)";
      p.push_back(sep == std::string::npos ? "" : q.after.substr(0, sep));
      p.push_back(after_id);
    }
  }
  int limit = std::clamp(q.limit, 1, 500);
  std::string order = sort_expr.empty() ? " ORDER BY e.id " + dir
                                        : " ORDER BY " + sort_expr + " " + dir + ", e.id " + dir;
  // The page in one statement: Get's columns (EntrySelect) plus the sort value for the cursor, read
  // as Get reads them (not one Get per row: 20 more statements per page).
  std::string select = EntryColumns(l) + ", " + (sort_expr.empty() ? std::string("''") : sort_expr);
  ASSIGN_OR_RETURN(auto rows,
                   db_->Query(select + where + order + " LIMIT " + std::to_string(limit + 1), p));
  const size_t sort_col = 16 + l.fields.size();
  ListResult out;
  out.total = total;
  for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(limit); ++i) {
    ASSIGN_OR_RETURN(Entry e, ReadEntry(l, rows[i]));
    out.entries.push_back(std::move(e));
  }
  if (rows.size() > static_cast<size_t>(limit)) {
    const Row& last = rows[limit - 1];
    out.next = last.Text(sort_col) + "\x1f" + std::to_string(last.Int(0));
  }
  return out;
}

Result<Completeness> Engine::ReportCompleteness(const Ledger& l,
                                                const std::vector<int64_t>& community_ids,
                                                const std::string& date_in) {
  if (!l.daily_report) return Error(ErrorCode::kLedgerNoDailyReport, {{"ledger", l.name}});
  std::string date = ValidDate(date_in);
  if (date.empty()) return BadDate(date_in);
  Completeness c;
  c.date = date;
  Params p = {date, l.key, date, date};
  std::string in = storage::InList(community_ids, p);
  ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(
          "SELECT e.id, p.community_id, p.grid_id, r.id, r.zero, e.responsible_user_id FROM "
          "ledger_entries e JOIN persons "
          "p ON "
          "p.id = e.person_id LEFT JOIN ledger_reports r ON r.entry_id = e.id AND r.report_date = "
          "? "
          "WHERE e.ledger = ? AND e.enrolled_on <= ? AND (e.exited_on IS NULL OR e.exited_on > ?) "
          "AND p.community_id IN (" +
              in + ") ORDER BY e.id",
          p));
  std::map<int64_t, CompletenessRow> grids, communities, workers;
  for (const Row& r : rows) {
    bool filed = !r.IsNull(3), zero = filed && r.Int(4) != 0;
    for (auto [m, id] : {std::pair{&grids, r.Int(2)}, std::pair{&communities, r.Int(1)},
                         std::pair{&workers, r.IsNull(5) ? int64_t{0} : r.Int(5)}}) {
      CompletenessRow& row = (*m)[id];
      row.id = id;
      row.expected++;
      row.filed += filed;
      row.zero += zero;
    }
    c.expected++;
    c.filed += filed;
    c.zero += zero;
    if (!filed && c.missing_entries.size() < 500) c.missing_entries.push_back(r.Int(0));
  }
  for (auto& [id, row] : grids) c.by_grid.push_back(row);
  for (auto& [id, row] : communities) c.by_community.push_back(row);
  for (auto& [id, row] : workers) c.by_worker.push_back(row);
  return c;
}

Result<json> Engine::Statistics(const Ledger& l,
                                const std::vector<std::pair<int64_t, std::vector<int64_t>>>& units,
                                const std::string& from_in, const std::string& as_of_in) {
  std::string as_of = ValidDate(as_of_in);
  if (as_of.empty()) return BadDate(as_of_in);
  std::string from = from_in.empty() ? as_of.substr(0, 4) + "-01-01" : ValidDate(from_in);
  if (from.empty()) return BadDate(from_in);
  json out = {{"as_of", as_of}, {"from", from}, {"units", json::array()}};
  for (const auto& [unit_id, communities] : units) {
    json unit = {{"org_id", unit_id}};
    Params base;
    std::string in = storage::InList(communities, base);
    std::string from_sql = EntryFrom(l) + " WHERE e.ledger = ? AND p.community_id IN (" + in + ")";
    auto params = [&](std::initializer_list<Value> more) {
      Params p = {l.key};
      p.insert(p.end(), base.begin(), base.end());
      p.insert(p.end(), more);
      return p;
    };
    std::string active = " AND e.enrolled_on <= ? AND (e.exited_on IS NULL OR e.exited_on > ?)";
    ASSIGN_OR_RETURN(int64_t n,
                     db_->QueryInt("SELECT count(*)" + from_sql + active, params({as_of, as_of})));
    ASSIGN_OR_RETURN(int64_t enrolled, db_->QueryInt("SELECT count(*)" + from_sql +
                                                         " AND e.enrolled_on >= ? AND "
                                                         "e.enrolled_on <= ?",
                                                     params({from, as_of})));
    ASSIGN_OR_RETURN(int64_t exited, db_->QueryInt("SELECT count(*)" + from_sql +
                                                       " AND e.exited_on >= ? AND "
                                                       "e.exited_on <= ?",
                                                   params({from, as_of})));
    unit["active"] = n;
    unit["enrolled"] = enrolled;
    unit["exited"] = exited;
    if (l.daily_report) {
      // Report completeness over [from, as_of]: one report expected per active entry per day.
      ASSIGN_OR_RETURN(auto spans,
                       db_->Query("SELECT e.enrolled_on, e.exited_on" + from_sql +
                                      " AND e.enrolled_on <= ? AND (e.exited_on IS NULL OR "
                                      "e.exited_on > ?)",
                                  params({as_of, from})));
      int first = ParseDateText(from)->date.DaysSinceEpoch();
      int last = ParseDateText(as_of)->date.DaysSinceEpoch();
      int64_t expected = 0;
      for (const Row& r : spans) {
        int begin = std::max(first, ParseDateText(r.Text(0))->date.DaysSinceEpoch());
        // Exited on day X: no report due that day (the entry is not active on X).
        int end = r.IsNull(1) ? last
                              : std::min(last, ParseDateText(r.Text(1))->date.DaysSinceEpoch() - 1);
        if (end >= begin) expected += end - begin + 1;
      }
      ASSIGN_OR_RETURN(auto reports,
                       db_->Query("SELECT count(*), COALESCE(sum(r.zero), 0) FROM ledger_reports "
                                  "r JOIN ledger_entries e ON e.id = r.entry_id JOIN persons p ON "
                                  "p.id = e.person_id WHERE e.ledger = ? AND p.community_id IN (" +
                                      in + ") AND r.report_date >= ? AND r.report_date <= ?",
                                  params({from, as_of})));
      int64_t got = reports[0].Int(0);
      unit["reports"] = {
          {"expected", expected},
          {"filed", got},
          {"zero", reports[0].Int(1)},
          {"rate", expected ? static_cast<double>(got) / static_cast<double>(expected) : 1.0}};
    }
    json stats = json::object();
    for (const Statistic& s : l.statistics) {
      const Field* sum = s.sum_field.empty() ? nullptr : l.FindField(s.sum_field);
      const Field* by = s.by_field.empty() ? nullptr : l.FindField(s.by_field);
      std::string measure = sum ? "COALESCE(sum(" + ValueAsOf(*sum, as_of) + "), 0)" : "count(*)";
      std::string group = by ? ValueAsOf(*by, as_of) : "''";
      ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT " + group + ", " + measure + from_sql +
                                                 active + (by ? " GROUP BY 1" : std::string()),
                                             params({as_of, as_of})));
      json values = json::object();
      double sum_total = 0;
      int64_t count_total = 0;
      for (const Row& r : rows) {
        json v = sum ? ValueJson(*sum, Value{r.Int(1)}) : json(r.Int(1));
        if (sum)
          sum_total += v.get<double>();
        else
          count_total += r.Int(1);
        if (by)
          values[r.IsNull(0)                       ? ""
                 : by->type == ValueType::kBoolean ? (r.Int(0) ? "true" : "false")
                                                   : r.Text(0)] = v;
      }
      json total = sum ? json(sum_total) : json(count_total);
      stats[s.key] = by ? json{{"total", total}, {"by", values}} : json{{"total", total}};
    }
    unit["statistics"] = stats;
    out["units"].push_back(unit);
  }
  return out;
}

namespace {

std::string SizeText(int64_t bytes) {
  if (bytes < 1024 * 1024) return std::to_string((bytes + 1023) / 1024) + " KB";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

std::string ContentType(const std::string& kind) {
  if (kind == "pdf") return "application/pdf";
  if (kind == "jpg") return "image/jpeg";
  if (kind == "png") return "image/png";
  if (kind == "docx")
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  if (kind == "xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  return "application/octet-stream";
}

// The cipher's field name for attachments of `field`: a file cannot be passed off as another
// field's (or another ledger's).
std::string AttachmentCipherField(const Ledger& l, const std::string& field) {
  return "ledger." + l.key + "." + field + ".file";
}

}  // namespace

Result<Attachment> Engine::Upload(const Ledger& l, const std::string& field_key,
                                  const std::string& file_name, std::string_view bytes,
                                  const Actor& actor) {
  const Field* f = l.FindField(field_key);
  if (!f || f->type != ValueType::kAttachment)
    return Error(ErrorCode::kLedgerNotAttachmentField, {{"ledger", l.name}, {"field", field_key}});
  std::string name = file_name.empty() ? "附件" : file_name;
  if (bytes.empty())
    return Error(ErrorCode::kLedgerAttachmentEmpty, {{"label", f->label}, {"name", name}});
  int64_t size = static_cast<int64_t>(bytes.size());
  if (size > int64_t{f->max_kb} * 1024)
    return Error(ErrorCode::kLedgerAttachmentTooLarge,
                 {{"label", f->label},
                  {"max", SizeText(int64_t{f->max_kb} * 1024)},
                  {"name", name},
                  {"size", SizeText(size)}});
  auto kind = AttachmentKind(bytes);
  if (!kind || std::find(f->accept.begin(), f->accept.end(), *kind) == f->accept.end()) {
    std::string accept;
    for (const auto& a : f->accept) accept += (accept.empty() ? "" : "、") + a;
    return Error(ErrorCode::kLedgerAttachmentKind,
                 {{"label", f->label}, {"accept", accept}, {"name", name}});
  }
  Attachment a;
  a.field = f->key;
  a.name = name;
  a.kind = *kind;
  a.size = size;
  a.sha256 = Sha256Hex(bytes);
  a.content_type = ContentType(*kind);
  std::string sealed = cipher_->Encrypt(AttachmentCipherField(l, f->key), bytes);
  RETURN_IF_ERROR(storage::InTransaction(*db_, [&]() -> Status {
    std::string month_ago = Date::FromDays(Today().DaysSinceEpoch() - 30).ToString();
    RETURN_IF_ERROR(db_->Exec(
        "DELETE FROM ledger_attachments WHERE entry_id IS NULL AND uploaded_at < ?", {month_ago}));
    ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("INSERT INTO ledger_attachments (ledger, field, file_name, kind, "
                   "size_bytes, sha256, content, uploaded_by, uploaded_at) VALUES (?, "
                   "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   {l.key, f->key, name, *kind, size, a.sha256, sealed, actor.user_id, NowIso()}));
    a.id = rows[0].Int(0);
    return Status::Ok();
  }));
  return a;
}

Result<Attachment> Engine::ReadAttachment(const Ledger& l, int64_t entry_id,
                                          int64_t attachment_id) {
  ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT field, file_name, kind, size_bytes, sha256, "
                                         "content FROM ledger_attachments WHERE id = ? AND "
                                         "ledger = ? AND entry_id = ?",
                                         {attachment_id, l.key, entry_id}));
  if (rows.empty() || !l.FindField(rows[0].Text(0)))
    return Error(ErrorCode::kNotFound, {{"what", "附件"}, {"key", std::to_string(attachment_id)}});
  Attachment a;
  a.id = attachment_id;
  a.entry_id = entry_id;
  a.field = rows[0].Text(0);
  a.name = rows[0].Text(1);
  a.kind = rows[0].Text(2);
  a.size = rows[0].Int(3);
  a.sha256 = rows[0].Text(4);
  a.content_type = ContentType(a.kind);
  ASSIGN_OR_RETURN(a.bytes, cipher_->Decrypt(AttachmentCipherField(l, a.field), rows[0].Text(5)));
  if (Sha256Hex(a.bytes) != a.sha256)
    return Error(ErrorCode::kInternal, {{"detail", "附件内容与其校验值不符"}});
  return a;
}

}  // namespace linli::ledger
