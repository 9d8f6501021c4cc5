// Routes of the JSON API, each declared with the permission that guards it. Dispatch matches a
// request to its route, runs the guard (authentication, the access policy and auditing — the one
// enforcement point) and then the handler. A route cannot be added without a permission key;
// "public" is the explicit key for routes open to everyone (login, health).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/api.h"

namespace linli::http {

struct Route;
struct RequestState;  // defined by the application (http/app.h): user, scope, store lease
// Per-request state shared by the guard and the handler.
struct Context {
  Request& request;
  const Route& route;
  std::shared_ptr<RequestState> state;  // set by the guard
};

using Handler = std::function<Response(Context&)>;
// Returns an error response to stop the request, or nothing to let it through.
using Guard = std::function<std::optional<Response>(Context&)>;

struct Route {
  std::string method;      // GET, POST, PUT, PATCH, DELETE
  std::string pattern;     // "/api/v1/persons/{id}"
  std::string permission;  // "registry.read", or "public"
  Handler handler;
  bool long_running = false;  // served on the server's worker pool, not an event-loop thread
};

class Router {
 public:
  // REQUIRES: route.permission non-empty (aborts otherwise: a route without a policy is a bug).
  void Add(Route route);
  void SetGuard(Guard guard) { guard_ = std::move(guard); }
  // Answers requests outside /api/ that match no route (the web UI's files); unguarded.
  void SetFallback(Handler fallback) { fallback_ = std::move(fallback); }
  const std::vector<Route>& routes() const { return routes_; }

  // True when `request` (path already parsed) goes to a long_running route.
  bool IsLongRunning(const Request& request) const;
  // Routing errors: kHttpRouteNotFound (404), kHttpMethodNotAllowed (405).
  Response Dispatch(Request& request) const;

 private:
  static bool Match(const std::string& pattern, const std::string& path, std::map<std::string, std::string>* params);
  std::vector<Route> routes_;
  Guard guard_;
  Handler fallback_;
};

}  // namespace linli::http
