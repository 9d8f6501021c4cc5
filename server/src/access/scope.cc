// Org scopes from the org tree.
#include "access/scope.h"

#include <algorithm>

namespace linli::access {

Result<Scope> Scope::ForOrg(storage::Db& db, int64_t root_id) {
  Scope s;
  ASSIGN_OR_RETURN(s.root_, org::GetOrg(db, root_id));
  ASSIGN_OR_RETURN(s.units_, org::Subtree(db, root_id));
  for (size_t i = 0; i < s.units_.size(); ++i) s.unit_index_[s.units_[i].id] = i;
  if (s.root_.level == org::Level::kGrid) {
    s.grid_ids_.insert(s.root_.id);
    s.community_ids_.push_back(s.root_.parent_id);
  } else {
    for (const auto& u : s.units_)
      if (u.level == org::Level::kCommunity) s.community_ids_.push_back(u.id);
  }
  std::sort(s.community_ids_.begin(), s.community_ids_.end());
  return s;
}

const org::OrgUnit* Scope::Unit(int64_t org_id) const {
  auto it = unit_index_.find(org_id);
  return it == unit_index_.end() ? nullptr : &units_[it->second];
}

std::vector<int64_t> Scope::CommunitiesUnder(int64_t org_id) const {
  const org::OrgUnit* unit = Unit(org_id);
  if (!unit) return {};
  if (unit->level == org::Level::kGrid) return {unit->parent_id};
  // units_ is depth-first: a unit's descendants follow it, each after its parent.
  std::set<int64_t> under = {org_id};
  std::vector<int64_t> out;
  for (size_t i = unit_index_.at(org_id); i < units_.size(); ++i) {
    const org::OrgUnit& u = units_[i];
    if (u.id != org_id && !under.count(u.parent_id)) continue;
    under.insert(u.id);
    if (u.level == org::Level::kCommunity) out.push_back(u.id);
  }
  return out;
}

bool Scope::Contains(int64_t community_id, int64_t grid_id) const {
  if (!std::binary_search(community_ids_.begin(), community_ids_.end(), community_id)) return false;
  return grid_ids_.empty() || grid_ids_.count(grid_id) > 0;
}

}  // namespace linli::access
