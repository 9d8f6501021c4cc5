// JSON envelopes and request-target parsing.
#include "http/api.h"

#include <cctype>

#include "common/text.h"

namespace linli::http {

std::string Request::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

Response Data(const nlohmann::json& data, int status) {
  Response r;
  r.status = status;
  r.body = nlohmann::json{{"data", data}}.dump();
  return r;
}

Response FileDownload(std::string bytes, const std::string& content_type,
                      const std::string& ascii_name, const std::string& name) {
  Response r;
  r.content_type = content_type;
  r.body = std::move(bytes);
  // filename* is RFC 5987's UTF-8 form, for names beyond ASCII.
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + ascii_name +
                                                    "\"; filename*=UTF-8''" + PercentEncode(name));
  return r;
}

Response Page(const nlohmann::json& items, int64_t limit, int64_t offset, int64_t total) {
  Response r;
  r.body = nlohmann::json{{"data", items},
                          {"page", {{"limit", limit}, {"offset", offset}, {"total", total}}}}
               .dump();
  return r;
}

Response ErrorResponse(const Status& status, const std::vector<FieldError>& fields) {
  const ErrorInfo& info = LookupError(status.code());
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : status.params()) params[k] = v;
  nlohmann::json jf = nlohmann::json::array();
  for (const auto& f : fields) {
    jf.push_back({{"field", f.field},
                  {"code", f.status.number()},
                  {"name", std::string(LookupError(f.status.code()).name)},
                  {"message", f.status.Message()}});
  }
  Response r;
  r.status = info.http_status;
  r.body = nlohmann::json{{"error",
                           {{"code", status.number()},
                            {"name", std::string(info.name)},
                            {"message", status.Message()},
                            {"params", params},
                            {"fields", jf}}}}
               .dump();
  return r;
}

namespace {

bool Decode(std::string_view in, std::string* out, bool plus_is_space) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(in[i + 2])))
        return false;
      *out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      *out += ' ';
    } else {
      *out += c;
    }
  }
  return true;
}

}  // namespace

bool ParseTarget(const std::string& target, std::string* path,
                 std::map<std::string, std::string>* query) {
  size_t q = target.find('?');
  if (!Decode(std::string_view(target).substr(0, q), path, false)) return false;
  if (q == std::string::npos) return true;
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    std::string k, v;
    if (!Decode(pair.substr(0, eq), &k, true)) return false;
    if (eq != std::string_view::npos && !Decode(pair.substr(eq + 1), &v, true)) return false;
    if (!k.empty()) (*query)[k] = v;
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return true;
}

}  // namespace linli::http
