// Parses ledger.json against the declaration schema: every object has a closed set of keys, every
// value its type, and every reference (a field named by a rule, a stage named by a transition, a
// code table, a role) must resolve. The first problem is reported with its file and JSON path.
#include "ledger/declaration.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "access/policy.h"
#include "common/time_util.h"

namespace linli::ledger {
namespace {

using nlohmann::json;

struct TypeName {
  ValueType type;
  std::string_view name, label;
};
constexpr TypeName kTypes[] = {
    {ValueType::kText, "text", "文本"},
    {ValueType::kInteger, "integer", "整数"},
    {ValueType::kDecimal, "decimal", "数值"},
    {ValueType::kMoney, "money", "金额（元）"},
    {ValueType::kDate, "date", "日期"},
    {ValueType::kBoolean, "boolean", "是或否"},
    {ValueType::kCode, "code", "代码"},
    {ValueType::kCodes, "codes", "代码（可多选）"},
    {ValueType::kPerson, "person", "居民"},
    {ValueType::kPhone, "phone", "电话号码"},
    {ValueType::kIdNumber, "id_number", "公民身份号码"},
    {ValueType::kAttachment, "attachment", "附件"},
};

bool IsKey(std::string_view s) {
  if (s.empty() || s.size() > 40 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsRole(std::string_view role) {
  const auto& perms = access::Policy::Get().permissions();
  // Every role is a column of permissions.csv; "session" is held by every role.
  for (const auto& p : perms)
    if (p.key == "session") return std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end();
  return false;
}

bool IsDateBound(const std::string& s) {
  if (s == "today") return true;
  auto d = ParseDateText(s);
  return d && !d->partial && d->date.ToString() == s;
}

// Reads one declaration, tracking the JSON path for messages.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  Status Fail(const std::string& path, const std::string& detail) const {
    return Error(ErrorCode::kLedgerDeclaration,
                 {{"file", file_}, {"path", path}, {"detail", detail}});
  }
  // Rejects keys outside `allowed` (a typo would otherwise be silently ignored).
  Status Keys(const json& obj, const std::string& path,
              std::initializer_list<std::string_view> allowed) const {
    if (!obj.is_object()) return Fail(path, "应为对象 {…}");
    for (const auto& [k, v] : obj.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Fail(path + "." + k, "不认识的键；可用的键：" + list);
      }
    }
    return Status::Ok();
  }
  Status Str(const json& obj, const std::string& path, const char* key, std::string* out,
             bool required) const {
    if (!obj.contains(key)) return required ? Fail(path + "." + key, "必须填写") : Status::Ok();
    if (!obj[key].is_string()) return Fail(path + "." + key, "应为字符串");
    *out = obj[key].get<std::string>();
    if (required && out->empty()) return Fail(path + "." + key, "不能为空");
    return Status::Ok();
  }
  Status Bool(const json& obj, const std::string& path, const char* key, bool* out) const {
    if (!obj.contains(key)) return Status::Ok();
    if (!obj[key].is_boolean()) return Fail(path + "." + key, "应为 true 或 false");
    *out = obj[key].get<bool>();
    return Status::Ok();
  }
  Status Int(const json& obj, const std::string& path, const char* key, int* out, int lo,
             int hi) const {
    if (!obj.contains(key)) return Status::Ok();
    if (!obj[key].is_number_integer()) return Fail(path + "." + key, "应为整数");
    int64_t v = obj[key].get<int64_t>();
    if (v < lo || v > hi)
      return Fail(path + "." + key,
                  "应在" + std::to_string(lo) + "到" + std::to_string(hi) + "之间");
    *out = static_cast<int>(v);
    return Status::Ok();
  }
  Status Num(const json& obj, const std::string& path, const char* key,
             std::optional<double>* out) const {
    if (!obj.contains(key)) return Status::Ok();
    if (!obj[key].is_number()) return Fail(path + "." + key, "应为数字");
    *out = obj[key].get<double>();
    return Status::Ok();
  }
  Status Strings(const json& obj, const std::string& path, const char* key,
                 std::vector<std::string>* out) const {
    if (!obj.contains(key)) return Status::Ok();
    const json& a = obj[key];
    if (!a.is_array()) return Fail(path + "." + key, "应为字符串数组 [\"…\"]");
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string() || a[i].get<std::string>().empty())
        return Fail(path + "." + key + "[" + std::to_string(i) + "]", "应为非空字符串");
      out->push_back(a[i].get<std::string>());
    }
    return Status::Ok();
  }
  Status Roles(const json& obj, const std::string& path, const char* key,
               std::vector<std::string>* out) const {
    RETURN_IF_ERROR(Strings(obj, path, key, out));
    for (size_t i = 0; i < out->size(); ++i)
      if (!IsRole((*out)[i]))
        return Fail(path + "." + key + "[" + std::to_string(i) + "]",
                    "“" + (*out)[i] + "”不是角色（见 data/policy/permissions.csv 的列）");
    return Status::Ok();
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

Status ParseField(const Reader& r, const json& j, const std::string& path, Field* f) {
  RETURN_IF_ERROR(r.Keys(
      j, path,
      {"key", "label", "type", "required", "min", "max", "max_length", "pattern", "pattern_message",
       "scale", "table", "filter", "visible_to", "help", "was", "accept", "max_kb"}));
  RETURN_IF_ERROR(r.Str(j, path, "key", &f->key, true));
  if (!IsKey(f->key)) return r.Fail(path + ".key", "应为小写字母开头的小写字母、数字和下划线");
  RETURN_IF_ERROR(r.Str(j, path, "label", &f->label, true));
  std::string type;
  RETURN_IF_ERROR(r.Str(j, path, "type", &type, true));
  auto vt = ParseValueType(type);
  if (!vt) {
    std::string list;
    for (const auto& t : kTypes) list += (list.empty() ? "" : ", ") + std::string(t.name);
    return r.Fail(path + ".type", "不认识的类型“" + type + "”；可用：" + list);
  }
  f->type = *vt;
  RETURN_IF_ERROR(r.Bool(j, path, "required", &f->required));
  RETURN_IF_ERROR(r.Bool(j, path, "filter", &f->filter));
  RETURN_IF_ERROR(r.Str(j, path, "label", &f->label, true));
  RETURN_IF_ERROR(r.Str(j, path, "help", &f->help, false));
  RETURN_IF_ERROR(r.Str(j, path, "was", &f->was, false));
  RETURN_IF_ERROR(r.Roles(j, path, "visible_to", &f->visible_to));
  bool numeric = f->type == ValueType::kInteger || f->type == ValueType::kDecimal ||
                 f->type == ValueType::kMoney;
  if (f->type == ValueType::kDate) {
    for (auto [key, out] : {std::pair{"min", &f->min_date}, std::pair{"max", &f->max_date}}) {
      RETURN_IF_ERROR(r.Str(j, path, key, out, false));
      if (!out->empty() && !IsDateBound(*out))
        return r.Fail(path + "." + key, "日期字段的界限应为 YYYY-MM-DD 或 \"today\"");
    }
  } else if (j.contains("min") || j.contains("max")) {
    if (!numeric) return r.Fail(path + ".min", "只有数字和日期字段可以有 min/max");
    RETURN_IF_ERROR(r.Num(j, path, "min", &f->min));
    RETURN_IF_ERROR(r.Num(j, path, "max", &f->max));
    if (f->min && f->max && *f->min > *f->max) return r.Fail(path + ".min", "min 大于 max");
  }
  RETURN_IF_ERROR(r.Int(j, path, "max_length", &f->max_length, 1, 4000));
  RETURN_IF_ERROR(r.Int(j, path, "scale", &f->scale, 0, 6));
  if (j.contains("scale") && f->type != ValueType::kDecimal)
    return r.Fail(path + ".scale", "只有 decimal 字段有 scale");
  RETURN_IF_ERROR(r.Str(j, path, "pattern", &f->pattern, false));
  RETURN_IF_ERROR(r.Str(j, path, "pattern_message", &f->pattern_message, false));
  if (!f->pattern.empty()) {
    if (f->type != ValueType::kText)
      return r.Fail(path + ".pattern", "只有 text 字段可以有 pattern");
    try {
      std::regex re(f->pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return r.Fail(path + ".pattern", std::string("不是有效的正则表达式：") + e.what());
    }
    if (f->pattern_message.empty())
      return r.Fail(path + ".pattern_message", "有 pattern 时必须说明应写成什么样");
  }
  RETURN_IF_ERROR(r.Str(j, path, "table", &f->table, false));
  bool coded = f->type == ValueType::kCode || f->type == ValueType::kCodes;
  if (coded && f->table.empty()) return r.Fail(path + ".table", "代码字段必须指明代码表");
  if (!coded && !f->table.empty()) return r.Fail(path + ".table", "只有 code/codes 字段有代码表");
  if (f->filter && (IsSensitiveType(f->type) || f->type == ValueType::kCodes ||
                    f->type == ValueType::kAttachment))
    return r.Fail(path + ".filter", "敏感字段、多选字段和附件不能作为筛选条件");
  if ((j.contains("accept") || j.contains("max_kb")) && f->type != ValueType::kAttachment)
    return r.Fail(path + (j.contains("accept") ? ".accept" : ".max_kb"),
                  "只有 attachment 字段有 accept 和 max_kb");
  RETURN_IF_ERROR(r.Strings(j, path, "accept", &f->accept));
  for (size_t i = 0; i < f->accept.size(); ++i) {
    const auto& kinds = AttachmentKinds();
    if (std::find(kinds.begin(), kinds.end(), f->accept[i]) == kinds.end())
      return r.Fail(path + ".accept[" + std::to_string(i) + "]",
                    "不认识的文件类型“" + f->accept[i] + "”；可用：pdf, jpg, png, docx, xlsx");
  }
  if (f->type == ValueType::kAttachment && f->accept.empty()) f->accept = {"pdf", "jpg", "png"};
  RETURN_IF_ERROR(r.Int(j, path, "max_kb", &f->max_kb, 1, 20480));
  if (f->type == ValueType::kAttachment && f->max_kb == 0) f->max_kb = 5120;
  return Status::Ok();
}

Status ParseRule(const Reader& r, const Ledger& l, const json& j, const std::string& path,
                 Rule* rule) {
  RETURN_IF_ERROR(r.Keys(j, path, {"code", "kind", "fields", "when", "message"}));
  RETURN_IF_ERROR(r.Str(j, path, "code", &rule->code, true));
  RETURN_IF_ERROR(r.Str(j, path, "message", &rule->message, true));
  std::string kind;
  RETURN_IF_ERROR(r.Str(j, path, "kind", &kind, true));
  static const std::map<std::string, RuleKind, std::less<>> kKinds = {
      {"date_order", RuleKind::kDateOrder},          {"required_if", RuleKind::kRequiredIf},
      {"forbidden_if", RuleKind::kForbiddenIf},      {"disability_card", RuleKind::kDisabilityCard},
      {"not_after_today", RuleKind::kNotAfterToday}, {"max_members", RuleKind::kMaxMembers}};
  auto it = kKinds.find(kind);
  if (it == kKinds.end())
    return r.Fail(path + ".kind", "不认识的规则“" + kind +
                                      "”；可用：date_order, required_if, forbidden_if, "
                                      "disability_card, not_after_today, max_members");
  rule->kind = it->second;
  RETURN_IF_ERROR(r.Strings(j, path, "fields", &rule->fields));
  size_t want = rule->kind == RuleKind::kDateOrder        ? 2
                : rule->kind == RuleKind::kDisabilityCard ? 3
                                                          : 1;
  if (rule->fields.size() != want)
    return r.Fail(path + ".fields", kind + " 规则需要 " + std::to_string(want) + " 个字段");
  for (size_t i = 0; i < rule->fields.size(); ++i) {
    const Field* f = l.FindField(rule->fields[i]);
    std::string p = path + ".fields[" + std::to_string(i) + "]";
    if (!f) return r.Fail(p, "没有字段“" + rule->fields[i] + "”");
    bool ok = true;
    switch (rule->kind) {
      case RuleKind::kDateOrder:
      case RuleKind::kNotAfterToday:
        ok = f->type == ValueType::kDate;
        break;
      case RuleKind::kMaxMembers:
        ok = f->type == ValueType::kInteger;
        break;
      case RuleKind::kDisabilityCard:
        ok = i == 0 ? f->type == ValueType::kText : f->type == ValueType::kCode;
        break;
      default:
        break;
    }
    if (!ok)
      return r.Fail(p,
                    kind + " 规则不能用于“" + std::string(ValueTypeName(f->type)) + "”类型的字段");
  }
  bool conditional = rule->kind == RuleKind::kRequiredIf || rule->kind == RuleKind::kForbiddenIf;
  if (conditional != j.contains("when"))
    return r.Fail(path + ".when", conditional ? "必须填写" : "此规则没有 when");
  if (conditional) {
    const json& w = j["when"];
    RETURN_IF_ERROR(r.Keys(w, path + ".when", {"field", "in"}));
    RETURN_IF_ERROR(r.Str(w, path + ".when", "field", &rule->when_field, true));
    RETURN_IF_ERROR(r.Strings(w, path + ".when", "in", &rule->when_values));
    if (!l.FindField(rule->when_field))
      return r.Fail(path + ".when.field", "没有字段“" + rule->when_field + "”");
    if (rule->when_values.empty()) return r.Fail(path + ".when.in", "至少给出一个值");
  }
  return Status::Ok();
}

Status ParseLifecycle(const Reader& r, Ledger* l, const json& j, const std::string& path) {
  RETURN_IF_ERROR(r.Keys(j, path, {"stages", "transitions"}));
  if (!j.contains("stages") || !j["stages"].is_array() || j["stages"].empty())
    return r.Fail(path + ".stages", "至少声明一个状态");
  for (size_t i = 0; i < j["stages"].size(); ++i) {
    std::string p = path + ".stages[" + std::to_string(i) + "]";
    const json& s = j["stages"][i];
    Stage st;
    RETURN_IF_ERROR(r.Keys(s, p, {"key", "label", "final"}));
    RETURN_IF_ERROR(r.Str(s, p, "key", &st.key, true));
    RETURN_IF_ERROR(r.Str(s, p, "label", &st.label, true));
    RETURN_IF_ERROR(r.Bool(s, p, "final", &st.final));
    if (!IsKey(st.key)) return r.Fail(p + ".key", "应为小写字母开头的小写字母、数字和下划线");
    if (l->FindStage(st.key)) return r.Fail(p + ".key", "状态“" + st.key + "”重复");
    l->stages.push_back(std::move(st));
  }
  if (!j.contains("transitions") || !j["transitions"].is_array())
    return r.Fail(path + ".transitions", "必须声明办理事项（至少有 enrol）");
  for (size_t i = 0; i < j["transitions"].size(); ++i) {
    std::string p = path + ".transitions[" + std::to_string(i) + "]";
    const json& s = j["transitions"][i];
    Transition t;
    RETURN_IF_ERROR(r.Keys(s, p,
                           {"key", "label", "from", "to", "fields", "reasons", "reason_required",
                            "roles", "approvers", "satisfies_schedule"}));
    RETURN_IF_ERROR(r.Str(s, p, "key", &t.key, true));
    RETURN_IF_ERROR(r.Str(s, p, "label", &t.label, true));
    RETURN_IF_ERROR(r.Str(s, p, "to", &t.to, true));
    RETURN_IF_ERROR(r.Strings(s, p, "from", &t.from));
    RETURN_IF_ERROR(r.Strings(s, p, "fields", &t.fields));
    RETURN_IF_ERROR(r.Strings(s, p, "reasons", &t.reasons));
    RETURN_IF_ERROR(r.Bool(s, p, "reason_required", &t.reason_required));
    RETURN_IF_ERROR(r.Bool(s, p, "satisfies_schedule", &t.satisfies_schedule));
    RETURN_IF_ERROR(r.Roles(s, p, "roles", &t.roles));
    RETURN_IF_ERROR(r.Roles(s, p, "approvers", &t.approvers));
    if (!IsKey(t.key)) return r.Fail(p + ".key", "应为小写字母开头的小写字母、数字和下划线");
    if (l->FindTransition(t.key)) return r.Fail(p + ".key", "办理事项“" + t.key + "”重复");
    if (!l->FindStage(t.to)) return r.Fail(p + ".to", "没有状态“" + t.to + "”");
    for (size_t k = 0; k < t.from.size(); ++k)
      if (!l->FindStage(t.from[k]))
        return r.Fail(p + ".from[" + std::to_string(k) + "]", "没有状态“" + t.from[k] + "”");
    if ((t.key == "enrol") != t.from.empty())
      return r.Fail(p + ".from", t.key == "enrol" ? "enrol 是从无到有的办理，不能有 from"
                                                  : "除 enrol 外每个办理事项都要有 from");
    for (size_t k = 0; k < t.fields.size(); ++k)
      if (!l->FindField(t.fields[k]))
        return r.Fail(p + ".fields[" + std::to_string(k) + "]", "没有字段“" + t.fields[k] + "”");
    if (t.key == "enrol" && l->FindStage(t.to)->final)
      return r.Fail(p + ".to", "纳入后不能直接是终止状态");
    l->transitions.push_back(std::move(t));
  }
  if (!l->FindTransition("enrol"))
    return r.Fail(path + ".transitions", "必须有 key 为 enrol 的纳入事项");
  return Status::Ok();
}

Status ParseSchedule(const Reader& r, Ledger* l, const json& j, const std::string& path) {
  Schedule& s = l->schedule;
  RETURN_IF_ERROR(
      r.Keys(j, path,
             {"label", "by_field", "every_days", "every_days_by", "first_due_days", "grace_days"}));
  RETURN_IF_ERROR(r.Str(j, path, "label", &s.label, false));
  RETURN_IF_ERROR(r.Str(j, path, "by_field", &s.by_field, false));
  RETURN_IF_ERROR(r.Int(j, path, "every_days", &s.every_days, 1, 3660));
  RETURN_IF_ERROR(r.Int(j, path, "first_due_days", &s.first_due_days, 0, 3660));
  RETURN_IF_ERROR(r.Int(j, path, "grace_days", &s.grace_days, 0, 365));
  if (j.contains("every_days_by")) {
    if (!j["every_days_by"].is_object())
      return r.Fail(path + ".every_days_by", "应为 {代码: 天数}");
    for (const auto& [code, days] : j["every_days_by"].items()) {
      if (!days.is_number_integer() || days.get<int>() < 1 || days.get<int>() > 3660)
        return r.Fail(path + ".every_days_by." + code, "应为1到3660之间的天数");
      s.every_days_by[code] = days.get<int>();
    }
  }
  if (!s.by_field.empty()) {
    const Field* f = l->FindField(s.by_field);
    if (!f || f->type != ValueType::kCode)
      return r.Fail(path + ".by_field", "应为本台账的代码字段");
    const CodeTable* t = l->FindTable(f->table);
    for (const auto& [code, days] : s.every_days_by)
      if (t && !t->FindCode(code))
        return r.Fail(path + ".every_days_by." + code,
                      "“" + code + "”不是代码表" + f->table + "的代码");
  } else if (!s.every_days_by.empty()) {
    return r.Fail(path + ".every_days_by", "按字段区分周期时必须给出 by_field");
  }
  if (!s.enabled()) return r.Fail(path, "计划至少要有 every_days 或 every_days_by");
  return Status::Ok();
}

Status ParseStatistics(const Reader& r, Ledger* l, const json& j, const std::string& path) {
  if (!j.is_array()) return r.Fail(path, "应为数组");
  for (size_t i = 0; i < j.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "]";
    Statistic s;
    RETURN_IF_ERROR(r.Keys(j[i], p, {"key", "label", "sum", "by"}));
    RETURN_IF_ERROR(r.Str(j[i], p, "key", &s.key, true));
    RETURN_IF_ERROR(r.Str(j[i], p, "label", &s.label, true));
    RETURN_IF_ERROR(r.Str(j[i], p, "sum", &s.sum_field, false));
    RETURN_IF_ERROR(r.Str(j[i], p, "by", &s.by_field, false));
    if (!IsKey(s.key)) return r.Fail(p + ".key", "应为小写字母开头的小写字母、数字和下划线");
    if (!s.sum_field.empty()) {
      const Field* f = l->FindField(s.sum_field);
      if (!f || (f->type != ValueType::kInteger && f->type != ValueType::kDecimal &&
                 f->type != ValueType::kMoney))
        return r.Fail(p + ".sum", "应为本台账的数字字段");
    }
    if (!s.by_field.empty()) {
      const Field* f = l->FindField(s.by_field);
      if (!f || (f->type != ValueType::kCode && f->type != ValueType::kBoolean))
        return r.Fail(p + ".by", "应为本台账的代码或是否字段");
    }
    l->statistics.push_back(std::move(s));
  }
  return Status::Ok();
}

bool IsColumnSource(const Ledger& l, const std::string& s) {
  static const std::set<std::string, std::less<>> kFixed = {
      "person.name",  "person.id_number", "person.gender",    "person.birth_date", "person.address",
      "person.phone", "person.grid",      "household.number", "household.members", "enrolled_on",
      "stage",        "next_due_on",      "last_followup_on", "exited_on",         "exit_reason"};
  return kFixed.count(s) || l.FindField(s);
}

Status ParseExport(const Reader& r, Ledger* l, const json& j, const std::string& path) {
  RETURN_IF_ERROR(r.Keys(j, path, {"title", "columns", "approvers"}));
  RETURN_IF_ERROR(r.Str(j, path, "title", &l->export_title, true));
  RETURN_IF_ERROR(r.Roles(j, path, "approvers", &l->export_approvers));
  if (!j.contains("columns") || !j["columns"].is_array() || j["columns"].empty())
    return r.Fail(path + ".columns", "至少声明一列");
  std::set<std::string> headers;
  for (size_t i = 0; i < j["columns"].size(); ++i) {
    std::string p = path + ".columns[" + std::to_string(i) + "]";
    const json& c = j["columns"][i];
    ExportColumn col;
    RETURN_IF_ERROR(r.Keys(c, p, {"source", "header", "aliases"}));
    RETURN_IF_ERROR(r.Str(c, p, "source", &col.source, true));
    RETURN_IF_ERROR(r.Str(c, p, "header", &col.header, false));
    RETURN_IF_ERROR(r.Strings(c, p, "aliases", &col.aliases));
    if (!IsColumnSource(*l, col.source))
      return r.Fail(p + ".source",
                    "“" + col.source + "”既不是本台账的字段，也不是可导出的居民/户/记录项");
    if (col.header.empty()) {
      const Field* f = l->FindField(col.source);
      if (!f) return r.Fail(p + ".header", "非台账字段的列必须写表头");
      col.header = f->label;
    }
    if (!headers.insert(col.header).second)
      return r.Fail(p + ".header", "表头“" + col.header + "”重复");
    l->columns.push_back(std::move(col));
  }
  return Status::Ok();
}

Status ParseDemo(const Reader& r, Ledger* l, const json& j, const std::string& path) {
  Demo& d = l->demo;
  RETURN_IF_ERROR(r.Keys(j, path, {"rate", "min_age", "max_age", "sex", "values"}));
  std::optional<double> rate;
  RETURN_IF_ERROR(r.Num(j, path, "rate", &rate));
  if (!rate || *rate < 0 || *rate > 1) return r.Fail(path + ".rate", "应为0到1之间的比例");
  d.rate = *rate;
  RETURN_IF_ERROR(r.Int(j, path, "min_age", &d.min_age, 0, 200));
  RETURN_IF_ERROR(r.Int(j, path, "max_age", &d.max_age, 0, 200));
  RETURN_IF_ERROR(r.Str(j, path, "sex", &d.sex, false));
  if (!j.contains("values")) return Status::Ok();
  if (!j["values"].is_object()) return r.Fail(path + ".values", "应为 {字段: 取值}");
  for (const auto& [key, v] : j["values"].items()) {
    std::string p = path + ".values." + key;
    if (!l->FindField(key)) return r.Fail(p, "没有字段“" + key + "”");
    if (l->FindField(key)->type == ValueType::kAttachment)
      return r.Fail(p, "附件字段没有演示值（演示数据不上传文件）");
    DemoValue dv;
    dv.field = key;
    RETURN_IF_ERROR(r.Keys(v, p, {"choices", "weights", "min", "max"}));
    RETURN_IF_ERROR(r.Strings(v, p, "choices", &dv.choices));
    RETURN_IF_ERROR(r.Num(v, p, "min", &dv.min));
    RETURN_IF_ERROR(r.Num(v, p, "max", &dv.max));
    if (v.contains("weights")) {
      if (!v["weights"].is_array()) return r.Fail(p + ".weights", "应为整数数组");
      for (const auto& w : v["weights"]) {
        if (!w.is_number_integer() || w.get<int>() < 0)
          return r.Fail(p + ".weights", "应为非负整数数组");
        dv.weights.push_back(w.get<int>());
      }
      if (dv.weights.size() != dv.choices.size())
        return r.Fail(p + ".weights", "个数应与 choices 相同");
    }
    if (dv.choices.empty() && !(dv.min && dv.max)) return r.Fail(p, "应给出 choices 或 min 和 max");
    d.values.push_back(std::move(dv));
  }
  return Status::Ok();
}

}  // namespace

std::string_view ValueTypeName(ValueType type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t.name;
  return "?";
}
std::string_view ValueTypeLabel(ValueType type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t.label;
  return "?";
}
std::optional<ValueType> ParseValueType(std::string_view name) {
  for (const auto& t : kTypes)
    if (t.name == name) return t.type;
  return std::nullopt;
}
bool IsSensitiveType(ValueType type) {
  return type == ValueType::kPhone || type == ValueType::kIdNumber;
}

const std::vector<std::string>& AttachmentKinds() {
  static const std::vector<std::string> kKinds = {"pdf", "jpg", "png", "docx", "xlsx"};
  return kKinds;
}

const Field* Ledger::FindField(std::string_view k) const {
  for (const auto& f : fields)
    if (f.key == k) return &f;
  return nullptr;
}
const Stage* Ledger::FindStage(std::string_view k) const {
  for (const auto& s : stages)
    if (s.key == k) return &s;
  return nullptr;
}
const Transition* Ledger::FindTransition(std::string_view k) const {
  for (const auto& t : transitions)
    if (t.key == k) return &t;
  return nullptr;
}
const CodeTable* Ledger::FindTable(std::string_view k) const {
  for (const auto& t : code_tables)
    if (t.key() == k) return &t;
  return CodeTables::Get().Find(k);
}
const Transition& Ledger::Enrol() const { return *FindTransition("enrol"); }
bool Ledger::VisibleTo(std::string_view role) const {
  return visible_to.empty() ||
         std::find(visible_to.begin(), visible_to.end(), role) != visible_to.end();
}
bool Ledger::FieldVisibleTo(const Field& f, std::string_view role) const {
  return f.visible_to.empty() ||
         std::find(f.visible_to.begin(), f.visible_to.end(), role) != f.visible_to.end();
}

Result<Ledger> ParseLedger(const std::string& folder, const FolderFiles& files) {
  Ledger l;
  l.folder = folder;
  for (const auto& [path, content] : files) {
    if (!path.starts_with("codes/") || !path.ends_with(".csv")) continue;
    std::string key = path.substr(6, path.size() - 10);
    std::string error;
    auto table = CodeTable::Parse(key, content, &error);
    if (!table)
      return Reader(folder + "/" + path)
          .Fail(error.substr(0, error.find(':')), error.substr(error.find(':') + 2));
    l.code_tables.push_back(std::move(*table));
  }
  auto it = files.find("ledger.json");
  Reader r(folder + "/ledger.json");
  if (it == files.end()) return r.Fail("$", "文件不存在");
  json j;
  try {
    j = json::parse(it->second);
  } catch (const json::parse_error& e) {
    return r.Fail("$", std::string("不是有效的JSON：") + e.what());
  }
  RETURN_IF_ERROR(
      r.Keys(j, "$",
             {"key", "name", "title", "purpose", "subject", "visible_to", "fields", "rules",
              "lifecycle", "schedule", "daily_report", "statistics", "export", "demo"}));
  RETURN_IF_ERROR(r.Str(j, "$", "key", &l.key, true));
  if (!IsKey(l.key)) return r.Fail("$.key", "应为小写字母开头的小写字母、数字和下划线");
  std::string folder_name = std::filesystem::path(folder).filename().string();
  if (folder_name != l.key) return r.Fail("$.key", "应与文件夹名“" + folder_name + "”相同");
  RETURN_IF_ERROR(r.Str(j, "$", "name", &l.name, true));
  RETURN_IF_ERROR(r.Str(j, "$", "title", &l.title, true));
  RETURN_IF_ERROR(r.Str(j, "$", "purpose", &l.purpose, true));
  std::string subject;
  RETURN_IF_ERROR(r.Str(j, "$", "subject", &subject, true));
  if (subject != "person" && subject != "household")
    return r.Fail("$.subject", "应为 person 或 household");
  l.household = subject == "household";
  RETURN_IF_ERROR(r.Roles(j, "$", "visible_to", &l.visible_to));
  RETURN_IF_ERROR(r.Bool(j, "$", "daily_report", &l.daily_report));

  if (!j.contains("fields") || !j["fields"].is_array())
    return r.Fail("$.fields", "必须声明字段数组");
  std::set<std::string> labels;
  for (size_t i = 0; i < j["fields"].size(); ++i) {
    std::string p = "$.fields[" + std::to_string(i) + "]";
    Field f;
    RETURN_IF_ERROR(ParseField(r, j["fields"][i], p, &f));
    if (l.FindField(f.key)) return r.Fail(p + ".key", "字段“" + f.key + "”重复");
    if (!labels.insert(f.label).second) return r.Fail(p + ".label", "标签“" + f.label + "”重复");
    if (!f.table.empty() && !l.FindTable(f.table))
      return r.Fail(p + ".table",
                    "没有代码表“" + f.table + "”（本台账 codes/ 下或 data/code_tables/ 中）");
    for (const auto& other : l.fields)
      if (!f.was.empty() && other.key == f.was)
        return r.Fail(p + ".was", "原字段名“" + f.was + "”仍在使用");
    l.fields.push_back(std::move(f));
  }
  if (j.contains("rules")) {
    if (!j["rules"].is_array()) return r.Fail("$.rules", "应为数组");
    std::set<std::string> codes;
    for (size_t i = 0; i < j["rules"].size(); ++i) {
      std::string p = "$.rules[" + std::to_string(i) + "]";
      Rule rule;
      RETURN_IF_ERROR(ParseRule(r, l, j["rules"][i], p, &rule));
      if (!codes.insert(rule.code).second)
        return r.Fail(p + ".code", "规则代码“" + rule.code + "”重复");
      l.rules.push_back(std::move(rule));
    }
  }
  if (!j.contains("lifecycle")) return r.Fail("$.lifecycle", "必须声明状态和办理事项");
  RETURN_IF_ERROR(ParseLifecycle(r, &l, j["lifecycle"], "$.lifecycle"));
  if (j.contains("schedule")) RETURN_IF_ERROR(ParseSchedule(r, &l, j["schedule"], "$.schedule"));
  if (j.contains("statistics"))
    RETURN_IF_ERROR(ParseStatistics(r, &l, j["statistics"], "$.statistics"));
  if (!j.contains("export")) return r.Fail("$.export", "必须声明导出表格的标题和列");
  RETURN_IF_ERROR(ParseExport(r, &l, j["export"], "$.export"));
  if (j.contains("demo")) {
    RETURN_IF_ERROR(ParseDemo(r, &l, j["demo"], "$.demo"));
    for (size_t i = 0; i < l.fields.size(); ++i)
      if (l.fields[i].type == ValueType::kAttachment && l.fields[i].required)
        return r.Fail("$.fields[" + std::to_string(i) + "].required",
                      "演示数据不上传文件：有 demo 的台账，附件字段不能必填");
  }
  return l;
}

Result<FolderFiles> ReadFolder(const std::string& dir) {
  namespace fs = std::filesystem;
  FolderFiles files;
  auto read = [&](const fs::path& p, const std::string& rel) -> Status {
    std::ifstream in(p, std::ios::binary);
    if (!in) return Error(ErrorCode::kIo, {{"path", p.string()}, {"detail", "无法打开"}});
    std::ostringstream ss;
    ss << in.rdbuf();
    files[rel] = ss.str();
    return Status::Ok();
  };
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "ledger.json", ec))
    RETURN_IF_ERROR(read(fs::path(dir) / "ledger.json", "ledger.json"));
  if (fs::is_directory(fs::path(dir) / "codes", ec)) {
    for (const auto& e : fs::directory_iterator(fs::path(dir) / "codes", ec))
      if (e.path().extension() == ".csv")
        RETURN_IF_ERROR(read(e.path(), "codes/" + e.path().filename().string()));
  }
  return files;
}

Result<std::shared_ptr<const Catalog>> Catalog::Load(const std::vector<std::string>& extra_dirs) {
  namespace fs = std::filesystem;
  auto catalog = std::make_shared<Catalog>();
  std::map<std::string, FolderFiles> builtin;
  for (const EmbeddedFile& f : EmbeddedLedgerFiles()) {
    std::string path = f.path;
    size_t slash = path.find('/');
    builtin[path.substr(0, slash)][path.substr(slash + 1)] = f.content;
  }
  auto add = [&](const std::string& folder, const FolderFiles& files) -> Status {
    ASSIGN_OR_RETURN(Ledger l, ParseLedger(folder, files));
    if (catalog->Find(l.key))
      return Error(ErrorCode::kLedgerDeclaration,
                   {{"file", folder + "/ledger.json"},
                    {"path", "$.key"},
                    {"detail", "台账“" + l.key + "”已由另一个文件夹声明"}});
    catalog->ledgers_.push_back(std::move(l));
    return Status::Ok();
  };
  for (const auto& [key, files] : builtin) RETURN_IF_ERROR(add("ledgers/" + key, files));
  for (const std::string& dir : extra_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      return Error(ErrorCode::kIo, {{"path", dir}, {"detail", "不是文件夹"}});
    std::vector<fs::path> subdirs;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_directory() && fs::exists(e.path() / "ledger.json")) subdirs.push_back(e.path());
    std::sort(subdirs.begin(), subdirs.end());
    for (const auto& sub : subdirs) {
      ASSIGN_OR_RETURN(FolderFiles files, ReadFolder(sub.string()));
      RETURN_IF_ERROR(add(sub.string(), files));
    }
  }
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

std::shared_ptr<const Catalog> Catalog::BuiltIn() {
  static std::shared_ptr<const Catalog> catalog = [] {
    auto loaded = Load();
    if (!loaded.ok()) {
      std::fprintf(stderr, "linli: %s\n", loaded.status().Message().c_str());
      std::abort();
    }
    return *loaded;
  }();
  return catalog;
}

const Ledger* Catalog::Find(std::string_view key) const {
  for (const auto& l : ledgers_)
    if (l.key == key) return &l;
  return nullptr;
}

}  // namespace linli::ledger
