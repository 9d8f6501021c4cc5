// Registry statistics for a set of communities: residents by sex and age band, households,
// grids, places and their occupancy, migrants and elderly residents living alone. Ages are
// counted at a given date. (Ledger statistics and roll-ups come with the ledger engine.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time_util.h"
#include "storage/db.h"

namespace linli::registry {

struct RegistryStats {
  Date as_of;
  int64_t communities = 0, grids = 0;
  int64_t residents = 0, male = 0, female = 0;
  int64_t age_0_14 = 0, age_15_59 = 0, age_60_79 = 0, age_80_plus = 0, age_unknown = 0;
  int64_t age_male[4] = {}, age_female[4] = {};  // the four bands above, by sex
  int64_t households = 0, migrants = 0, elderly_living_alone = 0;
  int64_t estates = 0, buildings = 0, rooms = 0, rooms_rented = 0, rooms_vacant = 0, rooms_owner = 0;
  int64_t moved_out = 0, deceased = 0;
};

// With `grid_ids`, only the persons, households (by room) and places of those grids are counted.
Result<RegistryStats> ComputeStats(storage::Db& db, const std::vector<int64_t>& community_ids, Date as_of,
                                   const std::vector<int64_t>& grid_ids = {});
nlohmann::json StatsToJson(const RegistryStats& s);
std::string StatsToText(const RegistryStats& s);

}  // namespace linli::registry
