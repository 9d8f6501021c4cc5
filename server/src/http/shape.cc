// Validation of JSON bodies against declared shapes.
#include "http/shape.h"

#include "common/text.h"

namespace linli::http {
namespace {

const char* KindLabel(FieldKind k) {
  switch (k) {
    case FieldKind::kString: return "文本";
    case FieldKind::kInteger: return "整数";
    case FieldKind::kBoolean: return "是/否";
    case FieldKind::kStringList: return "文本列表";
  }
  return "";
}

bool TooLong(const std::string& s, size_t max) { return Utf8Chars(s).size() > max; }

}  // namespace

Result<nlohmann::json> ParseBody(const std::string& body, const Shape& shape, std::vector<FieldError>* errors) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error(ErrorCode::kHttpBadJson, {{"detail", "无法解析"}});
  if (!j.is_object()) return Error(ErrorCode::kHttpBadJson, {{"detail", "应为对象 {…}"}});
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const auto& f : shape.fields) known |= f.name == it.key();
    if (!known) errors->push_back({it.key(), Error(ErrorCode::kFieldUnknown, {{"field", it.key()}})});
  }
  for (const auto& f : shape.fields) {
    auto it = j.find(f.name);
    if (it == j.end() || it->is_null()) {
      if (f.required) errors->push_back({f.name, Error(ErrorCode::kFieldRequired, {{"field", f.name}})});
      continue;
    }
    Status type_error = Error(ErrorCode::kFieldType, {{"field", f.name}, {"type", KindLabel(f.kind)}});
    Status too_long = Error(ErrorCode::kFieldTooLong, {{"field", f.name}, {"max", std::to_string(f.max_length)}});
    switch (f.kind) {
      case FieldKind::kString:
        if (!it->is_string()) errors->push_back({f.name, type_error});
        else if (TooLong(it->get<std::string>(), f.max_length)) errors->push_back({f.name, too_long});
        else if (f.required && NormalizeText(it->get<std::string>()).empty())
          errors->push_back({f.name, Error(ErrorCode::kFieldRequired, {{"field", f.name}})});
        break;
      case FieldKind::kInteger:
        if (!it->is_number_integer()) errors->push_back({f.name, type_error});
        break;
      case FieldKind::kBoolean:
        if (!it->is_boolean()) errors->push_back({f.name, type_error});
        break;
      case FieldKind::kStringList:
        if (!it->is_array()) {
          errors->push_back({f.name, type_error});
          break;
        }
        for (const auto& item : *it) {
          if (!item.is_string()) errors->push_back({f.name, type_error});
          else if (TooLong(item.get<std::string>(), f.max_length)) errors->push_back({f.name, too_long});
        }
        break;
    }
  }
  if (!errors->empty()) return Error(ErrorCode::kHttpInvalidBody);
  return j;
}

}  // namespace linli::http
