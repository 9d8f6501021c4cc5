// Org scopes from the org tree.
#include "access/scope.h"

#include <algorithm>

namespace linli::access {

Result<Scope> Scope::ForOrg(storage::Db& db, int64_t root_id) {
  Scope s;
  ASSIGN_OR_RETURN(s.root_, org::GetOrg(db, root_id));
  ASSIGN_OR_RETURN(s.units_, org::Subtree(db, root_id));
  for (const auto& u : s.units_) s.unit_ids_.insert(u.id);
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

bool Scope::Contains(int64_t community_id, int64_t grid_id) const {
  if (!std::binary_search(community_ids_.begin(), community_ids_.end(), community_id)) return false;
  return grid_ids_.empty() || grid_ids_.count(grid_id) > 0;
}

}  // namespace linli::access
