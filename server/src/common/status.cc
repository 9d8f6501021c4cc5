// Error registry lookup and message rendering for Status.
#include "common/status.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace linli {

const std::vector<ErrorInfo>& AllErrors() {
  static const std::vector<ErrorInfo> kErrors = {
#define LINLI_ERROR(num, name, http, msg) {ErrorCode::name, #name, http, msg},
#include "common/error_codes.def"
#undef LINLI_ERROR
  };
  return kErrors;
}

const ErrorInfo& LookupError(ErrorCode code) {
  const auto& all = AllErrors();
  auto it = std::lower_bound(all.begin(), all.end(), code, [](const ErrorInfo& e, ErrorCode c) {
    return static_cast<int>(e.code) < static_cast<int>(c);
  });
  if (it == all.end() || it->code != code) std::abort();  // unregistered code: a programming error
  return *it;
}

std::string Status::Param(std::string_view key) const {
  for (const auto& [k, v] : params_)
    if (k == key) return v;
  return {};
}

std::string Status::Message() const {
  if (ok()) return "成功";
  std::string_view tpl = LookupError(code_).message_template;
  std::string out;
  out.reserve(tpl.size() + 32);
  for (size_t i = 0; i < tpl.size();) {
    if (tpl[i] == '{') {
      size_t end = tpl.find('}', i);
      if (end != std::string_view::npos) {
        out += Param(tpl.substr(i + 1, end - i - 1));
        i = end + 1;
        continue;
      }
    }
    out += tpl[i++];
  }
  return out;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  const auto& info = LookupError(code_);
  return "E" + std::to_string(static_cast<int>(code_)) + " " + std::string(info.name) + ": " +
         Message();
}

}  // namespace linli
