// The access policy, loaded from the reviewable tables in data/policy/ (embedded at build time):
//   permissions.csv  permission × role matrix (which role holds which permission)
//   routes.csv       every API route and the permission that guards it
//   fields.csv       sensitive fields, their mask, and the roles that see them in clear
// The HTTP guard asks this table and nothing else; no permission is hard-coded in a handler.
// Loading validates the tables (unknown role column, a route naming an unknown permission, a
// duplicate row) and aborts with a message naming the file and line: a wrong table is a build
// error caught by the first test that starts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace linli::access {

inline constexpr std::string_view kPublic = "public";    // no login needed
inline constexpr std::string_view kSession = "session";  // any signed-in user

struct Permission {
  std::string key;    // "registry.read"
  std::string label;  // Chinese, for the UI and error messages
  std::vector<std::string> roles;
};

struct RoutePolicy {
  std::string method;
  std::string pattern;
  std::string permission;
};

enum class MaskKind { kIdNumber, kPhone, kName };

struct SensitiveField {
  std::string field;  // registry column key
  std::string label;
  MaskKind mask = MaskKind::kIdNumber;
  std::vector<std::string> clear_for;  // roles that see it unmasked
};

class Policy {
 public:
  static const Policy& Get();  // the embedded tables, loaded once (thread-safe)

  const std::vector<Permission>& permissions() const { return permissions_; }
  const std::vector<RoutePolicy>& routes() const { return routes_; }
  const std::vector<SensitiveField>& sensitive_fields() const { return fields_; }

  const Permission* FindPermission(std::string_view key) const;
  // The permission of a declared route; nullptr when the route is not in routes.csv.
  const RoutePolicy* FindRoute(std::string_view method, std::string_view pattern) const;
  // True when `role` holds `permission` (kSession: any known role; kPublic: everyone).
  bool Allows(std::string_view role, std::string_view permission) const;
  const SensitiveField* FindSensitive(std::string_view field) const;
  // True when `role` sees `field` unmasked by default (false for non-sensitive fields' callers
  // should not ask; answers true for them).
  bool SeesClear(std::string_view role, std::string_view field) const;

 private:
  Policy() = default;
  std::vector<Permission> permissions_;
  std::vector<RoutePolicy> routes_;
  std::vector<SensitiveField> fields_;
};

// Masks `value` the way `kind` says: 110105********002X, 138****8000, 张*.
std::string Mask(MaskKind kind, const std::string& value);

}  // namespace linli::access
