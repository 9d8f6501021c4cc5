// A user's org scope: the unit their account is attached to and everything below it. A grid
// worker sees the persons of their grid, a community worker those of their community, a
// supervisor every community under their street or district. Handlers ask the scope before they
// show or change a record; a record outside it answers exactly like a record that does not exist.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "common/status.h"
#include "org/org.h"
#include "storage/db.h"

namespace linli::access {

class Scope {
 public:
  // The scope rooted at org unit `root_id`. Errors: kOrgNotFound, storage errors.
  static Result<Scope> ForOrg(storage::Db& db, int64_t root_id);

  const org::OrgUnit& root() const { return root_; }
  // Communities whose persons the scope may see (all of them or, for a grid scope, the grid's).
  const std::vector<int64_t>& community_ids() const { return community_ids_; }
  // Set only for a grid scope: the grids whose persons it may see.
  const std::set<int64_t>& grid_ids() const { return grid_ids_; }
  bool grid_limited() const { return !grid_ids_.empty(); }

  bool ContainsUnit(int64_t org_id) const { return unit_index_.count(org_id) > 0; }
  // The unit `org_id` when it is in the scope, else nullptr (no database read).
  const org::OrgUnit* Unit(int64_t org_id) const;
  // The communities at or below unit `org_id` of the scope (a grid answers its community).
  // REQUIRES: ContainsUnit(org_id).
  std::vector<int64_t> CommunitiesUnder(int64_t org_id) const;
  // A person, household or room of `community_id`, in grid `grid_id` (0: none).
  bool Contains(int64_t community_id, int64_t grid_id) const;
  // The units of the scope in depth-first order (the root first).
  const std::vector<org::OrgUnit>& units() const { return units_; }

 private:
  org::OrgUnit root_;
  std::vector<org::OrgUnit> units_;
  std::map<int64_t, size_t> unit_index_;  // id → position in units_
  std::vector<int64_t> community_ids_;
  std::set<int64_t> grid_ids_;
};

}  // namespace linli::access
