// The account roles: four business roles of community work and the three separated administrators
// of 等保 2.0 三权分立 (system, security, audit), declared once in the table of roles.cc.
//
// A role says whether login needs a second factor (TOTP) and whether it may, within its org scope,
// read sensitive personal data (PIPL Art. 28) at all; what each role may do on which endpoint is
// the access policy's business, not this table's. The table is immutable; lookups are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace linli::auth {

struct Role {
  std::string_view key;    // "grid_worker": stored in users.role and used by the access policy
  std::string_view label;  // "网格员"
  bool totp_required;      // login needs TOTP (administrators and supervisors)
  bool reads_sensitive;    // may be granted reads of sensitive fields; false for administrators
  bool administrator;      // one of the three separated administrators
};

// Every role, in the order of the table.
const std::vector<Role>& AllRoles();
// The role with this key or Chinese label; nullptr when unknown.
const Role* FindRole(std::string_view key_or_label);
// "grid_worker（网格员）、community_worker（社区工作者）…" for messages.
std::string RoleList();

}  // namespace linli::auth
