// SQL behind the registry statistics; every figure is one COUNT over the persons/places tables.
#include "registry/stats.h"

#include <sstream>

namespace linli::registry {
namespace {

// The birth date on or before which a person has reached `years` at `as_of`.
std::string BornBy(Date as_of, int years) {
  Date d{as_of.year - years, as_of.month, as_of.day};
  if (!d.valid()) d.day = DaysInMonth(d.year, d.month);  // 29 Feb in a non-leap year
  return d.ToString();
}

}  // namespace

Result<RegistryStats> ComputeStats(storage::Db& db, const std::vector<int64_t>& community_ids, Date as_of,
                                   const std::vector<int64_t>& grid_ids) {
  RegistryStats s;
  s.as_of = as_of;
  s.communities = static_cast<int64_t>(community_ids.size());
  if (community_ids.empty()) return s;
  storage::Params ids;
  // `in` closes the community list; a grid scope continues it with a grid condition on the row.
  std::string in = storage::InList(community_ids, ids);
  std::string grid_in, place_grid_in;
  if (!grid_ids.empty()) {
    std::string list;
    for (int64_t g : grid_ids) list += (list.empty() ? "" : ",") + std::to_string(g);
    grid_in = ") AND (grid_id IN (" + list + ")";
    place_grid_in = ") AND (room_id IN (SELECT id FROM places WHERE grid_id IN (" + list + "))";
  }
  auto with = [&](storage::Params extra) {
    storage::Params p = ids;
    p.insert(p.end(), extra.begin(), extra.end());
    return p;
  };
  std::string b15 = BornBy(as_of, 15), b60 = BornBy(as_of, 60), b80 = BornBy(as_of, 80);
  ASSIGN_OR_RETURN(auto rows, db.Query(
      "SELECT count(*),"
      " sum(CASE WHEN gender = '1' THEN 1 ELSE 0 END), sum(CASE WHEN gender = '2' THEN 1 ELSE 0 END),"
      " sum(CASE WHEN length(birth_date) = 10 AND birth_date > ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN length(birth_date) = 10 AND birth_date <= ? AND birth_date > ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN length(birth_date) = 10 AND birth_date <= ? AND birth_date > ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN length(birth_date) = 10 AND birth_date <= ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN residence_status = '4' THEN 1 ELSE 0 END),"
      // The same four age bands split by sex (gender 1 male, 2 female): the population pyramid.
      " sum(CASE WHEN gender = '1' AND length(birth_date) = 10 AND birth_date > ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN gender = '1' AND length(birth_date) = 10 AND birth_date <= ? AND birth_date > ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN gender = '1' AND length(birth_date) = 10 AND birth_date <= ? AND birth_date > ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN gender = '1' AND length(birth_date) = 10 AND birth_date <= ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN gender = '2' AND length(birth_date) = 10 AND birth_date > ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN gender = '2' AND length(birth_date) = 10 AND birth_date <= ? AND birth_date > ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN gender = '2' AND length(birth_date) = 10 AND birth_date <= ? AND birth_date > ? THEN 1 ELSE 0 END),"
      " sum(CASE WHEN gender = '2' AND length(birth_date) = 10 AND birth_date <= ? THEN 1 ELSE 0 END)"
      " FROM persons WHERE status = 'active' AND community_id IN (" + in + grid_in + ")",
      [&] {
        storage::Params p = {b15, b15, b60, b60, b80, b80};
        for (int sex = 0; sex < 2; ++sex) p.insert(p.end(), {b15, b15, b60, b60, b80, b80});
        p.insert(p.end(), ids.begin(), ids.end());
        return p;
      }()));
  const auto& r = rows.at(0);
  s.residents = r.Int(0);
  s.male = r.Int(1);
  s.female = r.Int(2);
  s.age_0_14 = r.Int(3);
  s.age_15_59 = r.Int(4);
  s.age_60_79 = r.Int(5);
  s.age_80_plus = r.Int(6);
  s.migrants = r.Int(7);
  for (int band = 0; band < 4; ++band) {
    s.age_male[band] = r.Int(8 + band);
    s.age_female[band] = r.Int(12 + band);
  }
  s.age_unknown = s.residents - s.age_0_14 - s.age_15_59 - s.age_60_79 - s.age_80_plus;
  ASSIGN_OR_RETURN(auto ended, db.Query("SELECT sum(CASE WHEN status = 'moved_out' THEN 1 ELSE 0 END), "
                                        "sum(CASE WHEN status = 'deceased' THEN 1 ELSE 0 END) FROM persons "
                                        "WHERE community_id IN (" + in + grid_in + ")", ids));
  s.moved_out = ended.at(0).Int(0);
  s.deceased = ended.at(0).Int(1);
  ASSIGN_OR_RETURN(s.households, db.QueryInt("SELECT count(*) FROM households WHERE ended_on IS NULL AND community_id IN (" + in + place_grid_in + ")", ids));
  if (grid_ids.empty()) {
    ASSIGN_OR_RETURN(s.grids, db.QueryInt("SELECT count(*) FROM org_units WHERE level = 'grid' AND parent_id IN (" + in + ")", ids));
  } else {
    s.grids = static_cast<int64_t>(grid_ids.size());
  }
  ASSIGN_OR_RETURN(s.elderly_living_alone, db.QueryInt(
      "SELECT count(*) FROM persons p WHERE p.status = 'active' AND p.community_id IN (" + in + grid_in + ") "
      "AND length(p.birth_date) = 10 AND p.birth_date <= ? AND p.household_id IS NOT NULL AND NOT EXISTS ("
      "SELECT 1 FROM persons o WHERE o.household_id = p.household_id AND o.id <> p.id AND o.status = 'active')",
      with({b60})));
  ASSIGN_OR_RETURN(auto places, db.Query(
      "SELECT sum(CASE WHEN kind = 'estate' THEN 1 ELSE 0 END), sum(CASE WHEN kind = 'building' THEN 1 ELSE 0 END),"
      " sum(CASE WHEN kind = 'room' THEN 1 ELSE 0 END),"
      " sum(CASE WHEN kind = 'room' AND occupancy = 'rented' THEN 1 ELSE 0 END),"
      " sum(CASE WHEN kind = 'room' AND occupancy = 'vacant' THEN 1 ELSE 0 END),"
      " sum(CASE WHEN kind = 'room' AND occupancy = 'owner' THEN 1 ELSE 0 END)"
      " FROM places WHERE community_id IN (" + in + grid_in + ")", ids));
  s.estates = places.at(0).Int(0);
  s.buildings = places.at(0).Int(1);
  s.rooms = places.at(0).Int(2);
  s.rooms_rented = places.at(0).Int(3);
  s.rooms_vacant = places.at(0).Int(4);
  s.rooms_owner = places.at(0).Int(5);
  return s;
}

nlohmann::json StatsToJson(const RegistryStats& s) {
  return {{"as_of", s.as_of.ToString()},
          {"communities", s.communities},
          {"grids", s.grids},
          {"residents", s.residents},
          {"male", s.male},
          {"female", s.female},
          {"age", {{"0_14", s.age_0_14}, {"15_59", s.age_15_59}, {"60_79", s.age_60_79}, {"80_plus", s.age_80_plus},
                   {"unknown", s.age_unknown}}},
          {"age_male", {{"0_14", s.age_male[0]}, {"15_59", s.age_male[1]}, {"60_79", s.age_male[2]}, {"80_plus", s.age_male[3]}}},
          {"age_female",
           {{"0_14", s.age_female[0]}, {"15_59", s.age_female[1]}, {"60_79", s.age_female[2]}, {"80_plus", s.age_female[3]}}},
          {"households", s.households},
          {"migrants", s.migrants},
          {"elderly_living_alone", s.elderly_living_alone},
          {"places", {{"estates", s.estates}, {"buildings", s.buildings}, {"rooms", s.rooms}, {"rented", s.rooms_rented},
                      {"vacant", s.rooms_vacant}, {"owner_occupied", s.rooms_owner}}},
          {"moved_out", s.moved_out},
          {"deceased", s.deceased}};
}

std::string StatsToText(const RegistryStats& s) {
  std::ostringstream o;
  o << "统计日期 " << s.as_of.ToString() << "：社区 " << s.communities << " 个，网格 " << s.grids << " 个\n"
    << "  在册居民 " << s.residents << " 人（男 " << s.male << "，女 " << s.female << "），户 " << s.households << " 户\n"
    << "  年龄：0–14岁 " << s.age_0_14 << "，15–59岁 " << s.age_15_59 << "，60–79岁 " << s.age_60_79 << "，80岁以上 "
    << s.age_80_plus << (s.age_unknown ? "，不详 " + std::to_string(s.age_unknown) : "") << "\n"
    << "  流动人口 " << s.migrants << " 人，独居老人（60岁以上一人户） " << s.elderly_living_alone << " 人\n"
    << "  小区 " << s.estates << " 个，楼栋 " << s.buildings << " 栋，户室 " << s.rooms << " 间（自住 " << s.rooms_owner
    << "，出租 " << s.rooms_rented << "，空置 " << s.rooms_vacant << "）\n"
    << "  已迁出 " << s.moved_out << " 人，已死亡 " << s.deceased << " 人\n";
  return o.str();
}

}  // namespace linli::registry
