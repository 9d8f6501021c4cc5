// Parsing, checking and rendering ledger field values.
#include "ledger/values.h"

#include <cmath>
#include <regex>

#include "common/id_number.h"
#include "common/text.h"

namespace linli::ledger {
namespace {

using nlohmann::json;
using storage::Value;

Status FieldError(ErrorCode code, const Field& f, ErrorParams more = {}) {
  ErrorParams params = {{"label", f.label}};
  for (auto& p : more) params.push_back(std::move(p));
  return Error(code, std::move(params));
}

std::string InputText(const json& in) {
  if (in.is_string()) return NormalizeText(in.get<std::string>());
  if (in.is_boolean()) return in.get<bool>() ? "是" : "否";
  if (in.is_number_integer()) return std::to_string(in.get<int64_t>());
  if (in.is_number()) {
    std::string s = in.dump();
    return s;
  }
  return "";
}

int64_t Pow10(int n) {
  int64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

// "1,234.5" / "1234.50元" / "￥12" → scaled integer; nullopt when not a number or too precise.
std::optional<int64_t> ParseScaled(std::string s, int scale) {
  std::string t;
  for (char c : s)
    if (c != ',' && c != ' ') t += c;
  for (std::string_view suffix : {"元", "人", "岁"})
    if (t.ends_with(suffix)) t.resize(t.size() - suffix.size());
  if (t.starts_with("¥")) t = t.substr(std::string("¥").size());
  if (t.starts_with("￥")) t = t.substr(std::string("￥").size());
  static const std::regex kNumber(R"(^(-?)(\d{1,15})(?:\.(\d+))?$)");
  std::smatch m;
  if (!std::regex_match(t, m, kNumber)) return std::nullopt;
  std::string frac = m[3].str();
  while (frac.size() > static_cast<size_t>(scale) && frac.back() == '0') frac.pop_back();
  if (frac.size() > static_cast<size_t>(scale)) return std::nullopt;
  frac.append(scale - frac.size(), '0');
  int64_t v = std::stoll(m[2].str()) * Pow10(scale) + (frac.empty() ? 0 : std::stoll(frac));
  return m[1].str().empty() ? v : -v;
}

std::string FormatScaled(int64_t v, int scale) {
  if (scale == 0) return std::to_string(v);
  std::string sign = v < 0 ? "-" : "";
  int64_t a = std::llabs(v), p = Pow10(scale);
  std::string frac = std::to_string(a % p);
  frac.insert(0, scale - frac.size(), '0');
  return sign + std::to_string(a / p) + "." + frac;
}

std::string FormatNumber(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  std::string s = std::to_string(v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

int ScaleOf(const Field& f) {
  return f.type == ValueType::kMoney ? 2 : f.type == ValueType::kDecimal ? f.scale : 0;
}

std::string Choices(const CodeTable& t) {
  std::string out;
  size_t n = 0;
  for (const auto& item : t.items()) {
    if (++n > 12) return out + "…";
    out += (out.empty() ? "" : "、") + item.label;
  }
  return out;
}

Status CheckRange(const Field& f, double v, const std::string& shown) {
  if ((f.min && v < *f.min) || (f.max && v > *f.max))
    return FieldError(ErrorCode::kLedgerFieldRange, f,
                      {{"min", f.min ? FormatNumber(*f.min) : "不限"},
                       {"max", f.max ? FormatNumber(*f.max) : "不限"},
                       {"value", shown}});
  return Status::Ok();
}

Date Bound(const std::string& s, Date today) {
  if (s == "today") return today;
  return ParseDateText(s)->date;
}

const std::string& StringOf(const Value& v) {
  static const std::string kEmpty;
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : kEmpty;
}
int64_t IntOf(const Value& v) {
  return std::holds_alternative<int64_t>(v) ? std::get<int64_t>(v) : 0;
}

}  // namespace

bool IsEmpty(const Value& v) {
  return std::holds_alternative<std::monostate>(v) ||
         (std::holds_alternative<std::string>(v) && std::get<std::string>(v).empty());
}

Result<Value> ParseInput(const Ledger& ledger, const Field& f, const json& in, Date today) {
  if (f.type == ValueType::kAttachment) {
    // The id of an upload: a number, "12", "12:name" or the {"id": 12, …} responses show.
    json id = in.is_object() ? in.value("id", json()) : in;
    std::string text = id.is_number_integer() ? std::to_string(id.get<int64_t>())
                       : id.is_string()       ? id.get<std::string>()
                                              : "";
    text = text.substr(0, text.find(':'));
    if (text.empty() && (in.is_null() || (in.is_string() && in.get<std::string>().empty())))
      return Value{};
    auto n = ParseScaled(text, 0);
    if (!n || *n <= 0)
      return FieldError(ErrorCode::kLedgerFieldType, f,
                        {{"type", "已上传的附件"}, {"value", in.dump()}});
    return Value{std::to_string(*n)};
  }
  if (in.is_array()) {
    if (f.type != ValueType::kCodes)
      return FieldError(ErrorCode::kLedgerFieldType, f,
                        {{"type", std::string(ValueTypeLabel(f.type))}, {"value", in.dump()}});
    std::string joined;
    for (const auto& item : in) joined += (joined.empty() ? "" : "|") + InputText(item);
    return ParseInput(ledger, f, json(joined), today);
  }
  std::string text = InputText(in);
  if (text.empty()) return Value{};
  auto type_error = [&] {
    return FieldError(ErrorCode::kLedgerFieldType, f,
                      {{"type", std::string(ValueTypeLabel(f.type))}, {"value", text}});
  };
  switch (f.type) {
    case ValueType::kText: {
      size_t length = Utf8Chars(text).size();
      size_t max = f.max_length > 0 ? f.max_length : 200;
      if (length > max)
        return FieldError(ErrorCode::kLedgerFieldTooLong, f,
                          {{"max", std::to_string(max)}, {"length", std::to_string(length)}});
      if (!f.pattern.empty() &&
          !std::regex_match(text, std::regex(f.pattern, std::regex::ECMAScript)))
        return FieldError(ErrorCode::kLedgerFieldPattern, f,
                          {{"hint", f.pattern_message}, {"value", text}});
      return Value{text};
    }
    case ValueType::kInteger:
    case ValueType::kDecimal:
    case ValueType::kMoney: {
      int scale = ScaleOf(f);
      auto v = ParseScaled(text, scale);
      if (!v) return type_error();
      RETURN_IF_ERROR(
          CheckRange(f, static_cast<double>(*v) / static_cast<double>(Pow10(scale)), text));
      return Value{*v};
    }
    case ValueType::kDate: {
      auto d = ParseDateText(text);
      if (!d || d->partial) return type_error();
      bool low = !f.min_date.empty() && d->date < Bound(f.min_date, today);
      bool high = !f.max_date.empty() && d->date > Bound(f.max_date, today);
      if (low || high)
        return FieldError(ErrorCode::kLedgerFieldRange, f,
                          {{"min", f.min_date.empty()      ? "不限"
                                   : f.min_date == "today" ? "今天"
                                                           : f.min_date},
                           {"max", f.max_date.empty()      ? "不限"
                                   : f.max_date == "today" ? "今天"
                                                           : f.max_date},
                           {"value", d->date.ToString()}});
      return Value{d->date.ToString()};
    }
    case ValueType::kBoolean: {
      static const std::vector<std::string> kYes = {"是", "true", "1", "有", "√", "Y", "y", "yes"};
      static const std::vector<std::string> kNo = {"否", "false", "0", "无", "×", "N", "n", "no"};
      if (std::find(kYes.begin(), kYes.end(), text) != kYes.end()) return Value{int64_t{1}};
      if (std::find(kNo.begin(), kNo.end(), text) != kNo.end()) return Value{int64_t{0}};
      return type_error();
    }
    case ValueType::kCode:
    case ValueType::kCodes: {
      const CodeTable* t = ledger.FindTable(f.table);
      std::vector<std::string> parts;
      if (f.type == ValueType::kCode) {
        parts.push_back(text);
      } else {
        std::string cur;
        for (const std::string& ch : Utf8Chars(text)) {
          if (ch == "|" || ch == "," || ch == "、" || ch == "，" || ch == ";" || ch == "；" ||
              ch == "/") {
            if (!cur.empty()) parts.push_back(NormalizeText(cur));
            cur.clear();
          } else {
            cur += ch;
          }
        }
        if (!NormalizeText(cur).empty()) parts.push_back(NormalizeText(cur));
      }
      std::string out;
      for (const std::string& p : parts) {
        const CodeItem* item = t->Find(p);
        if (!item)
          return FieldError(ErrorCode::kLedgerFieldCode, f,
                            {{"value", p}, {"choices", Choices(*t)}});
        if (("|" + out + "|").find("|" + item->code + "|") != std::string::npos) continue;
        out += (out.empty() ? "" : "|") + item->code;
      }
      return Value{out};
    }
    case ValueType::kPerson: {
      auto v = ParseScaled(text, 0);
      if (!v || *v <= 0) return type_error();
      return Value{*v};
    }
    case ValueType::kPhone: {
      auto p = NormalizePhone(text);
      if (!p.ok())
        return FieldError(ErrorCode::kLedgerFieldType, f,
                          {{"type", "手机或固定电话号码"}, {"value", text}});
      return Value{*p};
    }
    case ValueType::kIdNumber: {
      auto id = ParseIdNumber(text, today);
      if (!id.ok()) return id.status();
      return Value{id->number};
    }
    case ValueType::kAttachment:  // parsed above
      break;
  }
  return type_error();
}

json ValueJson(const Field& f, const Value& v) {
  if (IsEmpty(v)) return nullptr;
  switch (f.type) {
    case ValueType::kInteger:
    case ValueType::kPerson:
      return IntOf(v);
    case ValueType::kDecimal:
    case ValueType::kMoney:
      return static_cast<double>(IntOf(v)) / static_cast<double>(Pow10(ScaleOf(f)));
    case ValueType::kBoolean:
      return IntOf(v) != 0;
    case ValueType::kCodes: {
      json a = json::array();
      std::string s = StringOf(v);
      size_t start = 0;
      while (start <= s.size()) {
        size_t bar = s.find('|', start);
        if (bar == std::string::npos) bar = s.size();
        if (bar > start) a.push_back(s.substr(start, bar - start));
        start = bar + 1;
      }
      return a;
    }
    case ValueType::kAttachment: {
      const std::string& s = StringOf(v);
      size_t colon = s.find(':');
      return {{"id", ParseScaled(s.substr(0, colon), 0).value_or(0)},
              {"name", colon == std::string::npos ? "" : s.substr(colon + 1)}};
    }
    default:
      return StringOf(v);
  }
}

std::string ValueText(const Ledger& ledger, const Field& f, const Value& v) {
  if (IsEmpty(v)) return "";
  switch (f.type) {
    case ValueType::kInteger:
    case ValueType::kPerson:
      return std::to_string(IntOf(v));
    case ValueType::kDecimal:
    case ValueType::kMoney:
      return FormatScaled(IntOf(v), ScaleOf(f));
    case ValueType::kBoolean:
      return IntOf(v) ? "是" : "否";
    case ValueType::kCode:
    case ValueType::kCodes: {
      const CodeTable* t = ledger.FindTable(f.table);
      std::string out, s = StringOf(v);
      size_t start = 0;
      while (start <= s.size()) {
        size_t bar = s.find('|', start);
        if (bar == std::string::npos) bar = s.size();
        std::string code = s.substr(start, bar - start);
        std::string label = t ? t->LabelOf(code) : "";
        if (!code.empty()) out += (out.empty() ? "" : "、") + (label.empty() ? code : label);
        start = bar + 1;
      }
      return out;
    }
    case ValueType::kAttachment: {
      const std::string& s = StringOf(v);
      size_t colon = s.find(':');
      return colon == std::string::npos ? "" : s.substr(colon + 1);
    }
    default:
      return StringOf(v);
  }
}

std::optional<std::string> AttachmentKind(std::string_view bytes) {
  if (bytes.starts_with("%PDF-")) return "pdf";
  if (bytes.starts_with("\xFF\xD8\xFF")) return "jpg";
  if (bytes.starts_with("\x89PNG\r\n\x1A\n")) return "png";
  // Office Open XML files are zip archives whose entry names (stored in clear in the local
  // headers) say what they are.
  if (bytes.starts_with("PK\x03\x04")) {
    if (bytes.find("word/") != std::string_view::npos) return "docx";
    if (bytes.find("xl/") != std::string_view::npos) return "xlsx";
  }
  return std::nullopt;
}

void CheckRecord(const Ledger& ledger, const Record& record, const std::vector<std::string>& fields,
                 const RuleContext& ctx, std::vector<FieldProblem>* problems) {
  auto has_problem = [&](const std::string& key) {
    for (const auto& p : *problems)
      if (p.field == key) return true;
    return false;
  };
  auto value = [&](const std::string& key) -> const Value& {
    static const Value kNull;
    auto it = record.find(key);
    return it == record.end() ? kNull : it->second;
  };
  auto in_scope = [&](const std::string& key) {
    return std::find(fields.begin(), fields.end(), key) != fields.end();
  };
  for (const std::string& key : fields) {
    const Field* f = ledger.FindField(key);
    if (f && f->required && IsEmpty(value(key)) && !has_problem(key))
      problems->push_back({key, FieldError(ErrorCode::kLedgerFieldRequired, *f)});
  }
  for (const Rule& rule : ledger.rules) {
    bool applies = std::any_of(rule.fields.begin(), rule.fields.end(), in_scope) ||
                   (!rule.when_field.empty() && in_scope(rule.when_field));
    if (!applies) continue;
    const std::string& at = rule.kind == RuleKind::kDateOrder ? rule.fields[1] : rule.fields[0];
    if (std::any_of(rule.fields.begin(), rule.fields.end(), has_problem)) continue;
    const Field* f = ledger.FindField(at);
    bool violated = false;
    switch (rule.kind) {
      case RuleKind::kDateOrder: {
        const Value &a = value(rule.fields[0]), &b = value(rule.fields[1]);
        violated = !IsEmpty(a) && !IsEmpty(b) && StringOf(b) < StringOf(a);
        break;
      }
      case RuleKind::kRequiredIf:
      case RuleKind::kForbiddenIf: {
        // `when.in` lists codes (code fields), true/false (boolean fields) or display texts.
        const Field* wf = ledger.FindField(rule.when_field);
        const Value& wv = value(rule.when_field);
        std::string given = wf->type == ValueType::kBoolean ? (IsEmpty(wv) ? ""
                                                               : IntOf(wv) ? "true"
                                                                           : "false")
                            : wf->type == ValueType::kCode  ? StringOf(wv)
                                                            : ValueText(ledger, *wf, wv);
        bool matches = std::find(rule.when_values.begin(), rule.when_values.end(), given) !=
                       rule.when_values.end();
        // A yes/no field answered 否 counts as not filled in for forbidden_if.
        bool empty =
            IsEmpty(value(at)) || (f && f->type == ValueType::kBoolean &&
                                   rule.kind == RuleKind::kForbiddenIf && IntOf(value(at)) == 0);
        violated = matches && (rule.kind == RuleKind::kRequiredIf ? empty : !empty);
        break;
      }
      case RuleKind::kNotAfterToday: {
        const Value& a = value(at);
        violated = !IsEmpty(a) && StringOf(a) > ctx.today.ToString();
        break;
      }
      case RuleKind::kMaxMembers: {
        const Value& a = value(at);
        violated = !IsEmpty(a) && ctx.household_members >= 0 && IntOf(a) > ctx.household_members;
        break;
      }
      case RuleKind::kDisabilityCard: {
        // 残疾人证号 = 18-digit ID + category digit + grade digit, optionally B or B2
        // (replacement).
        const Value& card = value(rule.fields[0]);
        if (IsEmpty(card)) break;
        std::string want = ctx.subject_id_number + StringOf(value(rule.fields[1])) +
                           StringOf(value(rule.fields[2]));
        std::string got = StringOf(card);
        for (char& c : got) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        bool ok = got == want || got == want + "B" || got == want + "B2";
        violated = !ok && !ctx.subject_id_number.empty();
        break;
      }
    }
    if (violated) {
      ErrorParams params = {
          {"message", rule.message}, {"rule", rule.code}, {"label", f ? f->label : at}};
      if (rule.kind == RuleKind::kMaxMembers)
        params.push_back({"members", std::to_string(ctx.household_members)});
      std::string msg = rule.message;
      for (const auto& [k, v] : params) {
        std::string token = "{" + k + "}";
        for (size_t pos; (pos = msg.find(token)) != std::string::npos;)
          msg.replace(pos, token.size(), v);
      }
      params[0].second = msg;
      problems->push_back({at, Error(ErrorCode::kLedgerRule, std::move(params))});
    }
  }
}

json MessageTemplates() {
  json out = json::object();
  for (const ErrorInfo& e : AllErrors()) {
    int n = static_cast<int>(e.code);
    if ((n >= 9003 && n <= 9009) || (n >= 3000 && n <= 3007))
      out[std::to_string(n)] = std::string(e.message_template);
  }
  return out;
}

}  // namespace linli::ledger
