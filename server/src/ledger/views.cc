// JSON views of ledgers and entries.
#include "ledger/views.h"

#include <cstdlib>

#include "access/policy.h"

namespace linli::ledger {
namespace {

using nlohmann::json;

json Choices(const Ledger& l, const Field& f) {
  json out = json::array();
  if (const CodeTable* t = l.FindTable(f.table))
    for (const auto& item : t->items()) out.push_back({{"code", item.code}, {"label", item.label}});
  return out;
}

std::string_view RuleKindName(RuleKind k) {
  switch (k) {
    case RuleKind::kDateOrder:
      return "date_order";
    case RuleKind::kRequiredIf:
      return "required_if";
    case RuleKind::kForbiddenIf:
      return "forbidden_if";
    case RuleKind::kDisabilityCard:
      return "disability_card";
    case RuleKind::kNotAfterToday:
      return "not_after_today";
    case RuleKind::kMaxMembers:
      return "max_members";
  }
  return "";
}

std::string AddDays(const std::string& date, int days) {
  auto d = ParseDateText(date);
  return d ? Date::FromDays(d->date.DaysSinceEpoch() + days).ToString() : date;
}

}  // namespace

json SummaryJson(const Ledger& l) {
  return {{"key", l.key},
          {"name", l.name},
          {"title", l.title},
          {"purpose", l.purpose},
          {"subject", l.household ? "household" : "person"},
          {"restricted", !l.visible_to.empty()},
          {"daily_report", l.daily_report},
          {"schedule", l.schedule.enabled() ? json(l.schedule.label) : json(nullptr)}};
}

json DeclarationJson(const Ledger& l, std::string_view role) {
  json out = SummaryJson(l);
  json fields = json::array();
  for (const Field& f : l.fields) {
    json j = {{"key", f.key},
              {"label", f.label},
              {"type", ValueTypeName(f.type)},
              {"required", f.required},
              {"filter", f.filter},
              {"help", f.help},
              {"visible", role.empty() || l.FieldVisibleTo(f, role)}};
    if (f.min) j["min"] = *f.min;
    if (f.max) j["max"] = *f.max;
    if (!f.min_date.empty()) j["min"] = f.min_date;
    if (!f.max_date.empty()) j["max"] = f.max_date;
    if (f.type == ValueType::kText) j["max_length"] = f.max_length > 0 ? f.max_length : 200;
    if (!f.pattern.empty()) {
      j["pattern"] = f.pattern;
      j["pattern_message"] = f.pattern_message;
    }
    if (f.type == ValueType::kDecimal) j["scale"] = f.scale;
    if (f.type == ValueType::kAttachment) {
      j["accept"] = f.accept;
      j["max_kb"] = f.max_kb;
    }
    if (!f.table.empty()) {
      j["table"] = f.table;
      j["choices"] = Choices(l, f);
    }
    fields.push_back(j);
  }
  out["fields"] = fields;
  json rules = json::array();
  for (const Rule& r : l.rules) {
    json j = {{"code", r.code},
              {"kind", RuleKindName(r.kind)},
              {"fields", r.fields},
              {"message", r.message}};
    if (!r.when_field.empty()) j["when"] = {{"field", r.when_field}, {"in", r.when_values}};
    rules.push_back(j);
  }
  out["rules"] = rules;
  json stages = json::array();
  for (const Stage& s : l.stages)
    stages.push_back({{"key", s.key}, {"label", s.label}, {"final", s.final}});
  out["stages"] = stages;
  json transitions = json::array();
  for (const Transition& t : l.transitions) {
    bool allowed = role.empty() || t.roles.empty() ||
                   std::find(t.roles.begin(), t.roles.end(), role) != t.roles.end();
    transitions.push_back({{"key", t.key},
                           {"label", t.label},
                           {"from", t.from},
                           {"to", t.to},
                           {"fields", t.fields},
                           {"reasons", t.reasons},
                           {"reason_required", t.reason_required},
                           {"approvers", t.approvers},
                           {"needs_approval", !t.approvers.empty()},
                           {"satisfies_schedule", t.satisfies_schedule},
                           {"allowed", allowed}});
  }
  out["transitions"] = transitions;
  if (l.schedule.enabled())
    out["schedule"] = {{"label", l.schedule.label},
                       {"by_field", l.schedule.by_field},
                       {"every_days", l.schedule.every_days},
                       {"every_days_by", l.schedule.every_days_by},
                       {"first_due_days", l.schedule.first_due_days},
                       {"grace_days", l.schedule.grace_days}};
  json stats = json::array();
  for (const Statistic& s : l.statistics)
    stats.push_back({{"key", s.key}, {"label", s.label}, {"sum", s.sum_field}, {"by", s.by_field}});
  out["statistics"] = stats;
  json cols = json::array();
  for (const ExportColumn& c : l.columns)
    cols.push_back({{"source", c.source}, {"header", c.header}});
  out["columns"] = cols;
  out["export_needs_approval"] = !l.export_approvers.empty();
  out["messages"] = MessageTemplates();
  return out;
}

std::string DueState(const Ledger& l, const Entry& e, const std::string& today) {
  if (e.next_due_on.empty() || !e.exited_on.empty()) return "";
  if (e.next_due_on < AddDays(today, -l.schedule.grace_days)) return "overdue";
  if (e.next_due_on <= today) return "due";
  if (e.next_due_on <= AddDays(today, 6)) return "week";
  return "";
}

json EntryJson(const Ledger& l, const Entry& e, std::string_view role) {
  json values = json::object(), labels = json::object();
  for (const Field& f : l.fields) {
    if (!role.empty() && !l.FieldVisibleTo(f, role)) continue;
    auto it = e.values.find(f.key);
    storage::Value v = it == e.values.end() ? storage::Value{} : it->second;
    if (IsSensitiveType(f.type) && !role.empty() && !IsEmpty(v)) {
      auto kind =
          f.type == ValueType::kPhone ? access::MaskKind::kPhone : access::MaskKind::kIdNumber;
      std::string masked = access::Mask(kind, std::get<std::string>(v));
      values[f.key] = masked;
      labels[f.key] = masked;
      continue;
    }
    values[f.key] = ValueJson(f, v);
    if (f.type == ValueType::kCode || f.type == ValueType::kCodes ||
        f.type == ValueType::kBoolean || f.type == ValueType::kMoney ||
        f.type == ValueType::kDecimal)
      labels[f.key] = ValueText(l, f, v);
  }
  const Stage* stage = l.FindStage(e.stage);
  auto null_if_empty = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  return {
      {"id", e.id},
      {"ledger", e.ledger},
      {"subject_id", e.subject_id},
      {"person_id", e.person_id},
      {"household_id", e.household_id ? json(e.household_id) : json(nullptr)},
      {"person_name", e.person_name},
      {"community_id", e.community_id},
      {"grid_id", e.grid_id ? json(e.grid_id) : json(nullptr)},
      {"stage", e.stage},
      {"stage_label", stage ? stage->label : e.stage},
      {"enrolled_on", e.enrolled_on},
      {"exited_on", null_if_empty(e.exited_on)},
      {"exit_reason", null_if_empty(e.exit_reason)},
      {"last_followup_on", null_if_empty(e.last_followup_on)},
      {"next_due_on", null_if_empty(e.next_due_on)},
      {"due_state", DueState(l, e, Today().ToString())},
      {"responsible_user_id", e.responsible_user_id ? json(e.responsible_user_id) : json(nullptr)},
      {"version", e.version},
      {"values", values},
      {"labels", labels}};
}

json EventJson(const Event& e) {
  return {{"id", e.id},
          {"event", e.event},
          {"label", e.label},
          {"date", e.on_date},
          {"stage_from", e.stage_from},
          {"stage_to", e.stage_to},
          {"reason", e.reason},
          {"changes", e.changes},
          {"requested_by", e.requested_by ? json(e.requested_by) : json(nullptr)},
          {"approved_by", e.approved_by ? json(e.approved_by) : json(nullptr)},
          {"recorded_at", e.recorded_at}};
}

Result<std::shared_ptr<const Catalog>> LoadCatalog(const std::string& dirs_in) {
  std::string dirs = dirs_in;
  if (dirs.empty())
    if (const char* env = std::getenv("LINLI_LEDGERS")) dirs = env;
  if (dirs.empty()) return Catalog::Load();
  std::vector<std::string> list;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    if (colon > start) list.push_back(dirs.substr(start, colon - start));
    start = colon + 1;
  }
  return Catalog::Load(list);
}

}  // namespace linli::ledger
