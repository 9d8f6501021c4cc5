// Route matching and dispatch through the guard.
#include "http/router.h"

#include <cstdlib>

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

Response Router::Dispatch(Request& request) const {
  bool path_known = false;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!Match(route.pattern, request.path, &params)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    request.path_params = std::move(params);
    Context ctx{request, route};
    if (guard_) {
      if (auto stop = guard_(ctx)) return *stop;
    }
    return route.handler(ctx);
  }
  if (path_known)
    return ErrorResponse(Error(ErrorCode::kHttpMethodNotAllowed, {{"path", request.path}, {"method", request.method}}));
  return ErrorResponse(Error(ErrorCode::kHttpRouteNotFound, {{"path", request.path}, {"method", request.method}}));
}

}  // namespace linli::http
