// Route matching and dispatch through the guard.
#include "http/router.h"

#include <cstdlib>

#include "common/text.h"

namespace linli::http {

void Router::Add(Route route) {
  if (route.permission.empty() || !route.handler) std::abort();
  routes_.push_back(std::move(route));
}

bool Router::Match(const std::string& pattern, const std::string& path, std::map<std::string, std::string>* params) {
  size_t pi = 0, si = 0;
  while (pi < pattern.size() && si <= path.size()) {
    if (pattern[pi] == '{') {
      size_t close = pattern.find('}', pi);
      std::string name = pattern.substr(pi + 1, close - pi - 1);
      size_t end = path.find('/', si);
      if (end == std::string::npos) end = path.size();
      if (end == si) return false;  // empty segment
      (*params)[name] = path.substr(si, end - si);
      si = end;
      pi = close + 1;
      continue;
    }
    if (si >= path.size() || pattern[pi] != path[si]) return false;
    ++pi;
    ++si;
  }
  return pi == pattern.size() && si == path.size();
}

bool Router::IsLongRunning(const Request& request) const {
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (route.method == request.method && Match(route.pattern, request.path, &params)) return route.long_running;
  }
  return false;
}

Response Router::Dispatch(Request& request) const {
  bool path_known = false;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!Match(route.pattern, request.path, &params)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    request.path_params = std::move(params);
    Context ctx{request, route, nullptr};
    std::optional<Response> stop;
    if (guard_) stop = guard_(ctx);
    Response response = stop ? std::move(*stop) : route.handler(ctx);
    // 繁體 display: the client asks for all data in Traditional characters (OpenCC s2t).
    if (request.Header("x-linli-script") == "traditional" && response.content_type.rfind("application/json", 0) == 0)
      response.body = ToTraditional(response.body);
    return response;
  }
  if (!path_known && fallback_ && request.path.rfind("/api/", 0) != 0) {
    static const Route kStatic{"GET", "/*", "public", nullptr};
    Context ctx{request, kStatic, nullptr};
    return fallback_(ctx);
  }
  if (path_known)
    return ErrorResponse(Error(ErrorCode::kHttpMethodNotAllowed, {{"path", request.path}, {"method", request.method}}));
  return ErrorResponse(Error(ErrorCode::kHttpRouteNotFound, {{"path", request.path}, {"method", request.method}}));
}

}  // namespace linli::http
