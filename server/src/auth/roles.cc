// The role table: one row per role, reviewed like a permissions file.
#include "auth/roles.h"

namespace linli::auth {

const std::vector<Role>& AllRoles() {
  // clang-format off
  static const std::vector<Role> kRoles = {
      // key               label            totp   sensitive admin
      {"grid_worker",      "网格员",        false, true,     false},
      {"community_worker", "社区工作者",    false, true,     false},
      {"community_head",   "社区书记/主任", false, true,     false},
      {"supervisor",       "街道/区督导",   true,  true,     false},
      {"system_admin",     "系统管理员",    true,  false,    true},
      {"security_admin",   "安全管理员",    true,  false,    true},
      {"auditor",          "审计管理员",    true,  false,    true},
  };
  // clang-format on
  return kRoles;
}

const Role* FindRole(std::string_view key_or_label) {
  for (const Role& role : AllRoles())
    if (role.key == key_or_label || role.label == key_or_label) return &role;
  return nullptr;
}

std::string RoleList() {
  std::string out;
  for (const Role& role : AllRoles()) {
    if (!out.empty()) out += "、";
    out += std::string(role.key) + "（" + std::string(role.label) + "）";
  }
  return out;
}

}  // namespace linli::auth
