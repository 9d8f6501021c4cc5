// Routes of the JSON API, each declared with the permission that guards it. Dispatch matches a
// request to its route, runs the guard (authentication, the access policy and auditing — the one
// enforcement point) and then the handler. A route cannot be added without a permission key;
// "public" is the explicit key for routes open to everyone (login, health).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/api.h"

namespace linli::http {

struct Route;
// Per-request state shared by the guard and the handler (the signed-in user comes later).
struct Context {
  Request& request;
  const Route& route;
};

using Handler = std::function<Response(Context&)>;
// Returns an error response to stop the request, or nothing to let it through.
using Guard = std::function<std::optional<Response>(Context&)>;

struct Route {
  std::string method;      // GET, POST, PUT, PATCH, DELETE
  std::string pattern;     // "/api/v1/persons/{id}"
  std::string permission;  // "registry.read", or "public"
  Handler handler;
};

class Router {
 public:
  // REQUIRES: route.permission non-empty (aborts otherwise: a route without a policy is a bug).
  void Add(Route route);
  void SetGuard(Guard guard) { guard_ = std::move(guard); }
  const std::vector<Route>& routes() const { return routes_; }

  // Routing errors: kHttpRouteNotFound (404), kHttpMethodNotAllowed (405).
  Response Dispatch(Request& request) const;

 private:
  static bool Match(const std::string& pattern, const std::string& path, std::map<std::string, std::string>* params);
  std::vector<Route> routes_;
  Guard guard_;
};

}  // namespace linli::http
