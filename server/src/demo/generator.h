// The demo and benchmark data generator: a seeded, realistic district of residents (the S, M and L
// benchmark datasets: 30k, 1M, 20M) produced without any input files.
//
// PlanDemo() lays out the org tree (one district, its streets, communities and grids) and the
// places of each community; GenerateResidents() then produces one community's residents, row by
// row, in the registry's column order (data/registry/columns.csv). Everything is a pure function
// of DemoOptions: the same options give the same plan and the same rows byte for byte, on any
// machine, and each community depends only on (options, its index), so communities can be
// generated one at a time, in any order or in parallel, with memory bounded by one community.
// All functions are thread-safe.
//
// Conventions the importer relies on (see also the tests):
//  - Address: <estate><building>栋|号楼<unit>单元<room>室, e.g. "幸福里小区3栋2单元401室"; estate
//    names contain no ASCII digits; room = floor × 100 + door.
//  - Values are the code tables' labels: 性别 男/女; 民族 GB/T 3304 names (汉族 …); 政治面貌
//    群众/中共党员/中共预备党员/共青团员/民盟盟员/九三学社社员/…; 文化程度 研究生教育/大学本科教育/
//    大学专科教育/中等职业教育/普通高级中学教育/初级中学教育/小学教育 (empty under 6); 婚姻状况
//    未婚/已婚/丧偶/离婚; 从业状况 GB/T 2261.4 labels (学生, 职员, 工人, 退（离）休人员 …, empty
//    under 6); 与户主关系 GB/T 4761 labels (户主, 妻, 夫, 子, 女, 儿媳, 女婿, 孙子, 父亲 …);
//    人户状态 人户一致/人在户不在/流动人口; 房屋性质 自住/出租; 性别 matches the ID's sequence
//    parity and 出生日期 (YYYY-MM-DD) its date digits; 联系电话 11 digits or empty.
//  - 户籍地址: 人户一致 → "北京市朝阳区" + street + the room address; 人在户不在 → "北京市" + a
//    district [+ a 朝阳区 street] + an estate address; 流动人口 → province + city + county + road
//    + "N号". Members of a household share address, grid, 户号, 户籍地址, 人户状态 and 房屋性质.
//  - 户号 "H" + 6 digits, unique within a community; one 户主 per household, listed first.
//  - ID numbers are valid GB 11643 numbers, unique across the whole plan for plans of up to
//    5 × 499 communities (~25M residents); above that sequence lanes are reused and numbers may
//    repeat.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "common/time_util.h"

namespace linli::demo {

struct DemoOptions {
  int64_t residents = 3000;
  uint64_t seed = 1;
  // Ages are counted at this date; birth dates never pass it. Fixed, not Today(), so that the
  // output does not change from day to day.
  Date as_of{2026, 6, 30};
};

struct CommunityPlan {
  std::string code;                       // 12-digit statistical code, e.g. "110105001001"
  std::string name;                       // e.g. "幸福里社区居委会"
  std::vector<std::string> grids;         // grid names, "第1网格" … "第8网格"
  std::vector<std::string> vacant_rooms;  // full addresses of rooms with nobody living there
  std::vector<std::string> estates;       // estate names in address order
  int64_t residents = 0;                  // rows GenerateResidents() produces for it
  int64_t households = 0;                 // occupied rooms (one household per room)
  int64_t rooms = 0;                      // all rooms, vacant ones included
};

struct StreetPlan {
  std::string code;  // 9 digits, 110105001 …
  std::string name;  // 建外街道 …
  std::vector<CommunityPlan> communities;
};

struct DemoPlan {
  std::string district_code;  // "110105"
  std::string district_name;  // "朝阳区"
  std::vector<StreetPlan> streets;
};

// The org tree and places of the demo; the same options always give the same plan.
// Tiers: ≤ 30,000 residents → one street, one community; otherwise ~10,000 residents per
// community, 10 communities per street (at most 99 streets: beyond 990 communities the streets
// grow). Every community has 8 grids. Residents are split as evenly as possible.
// REQUIRES: options.residents >= 1.
DemoPlan PlanDemo(const DemoOptions& options);

// The number of communities in `plan`; community_idx counts over all streets in plan order.
size_t CommunityCount(const DemoPlan& plan);
const CommunityPlan& CommunityAt(const DemoPlan& plan, size_t community_idx);

// The 17 registry column labels in data/registry/columns.csv order (the CSV header).
const std::vector<std::string>& ResidentColumns();

// Calls `row` once per resident of community `community_idx` (0-based over all communities in
// plan order), in household order (head first, then members), with values for the registry
// columns listed in data/registry/columns.csv, in that file's order (17 columns:
// 姓名,公民身份号码,性别,出生日期,民族,政治面貌,文化程度,婚姻状况,从业状况,联系电话,户籍地址,现居住地址,
// 所属网格,户号,与户主关系,人户状态,房屋性质).
// Deterministic per (options, community_idx), independent of other communities, so that
// communities can be generated one at a time with bounded memory. The vector passed to `row` is
// reused between calls.
// REQUIRES: plan == PlanDemo(options); community_idx < CommunityCount(plan).
void GenerateResidents(const DemoOptions& options, const DemoPlan& plan, size_t community_idx,
                       const std::function<void(const std::vector<std::string>& row)>& row);

// Writes a community's residents as a UTF-8 CSV (no BOM, "\n" line ends, header line = the 17
// labels above) to `out`.
void WriteResidentsCsv(const DemoOptions& options, const DemoPlan& plan, size_t community_idx,
                       std::ostream& out);

}  // namespace linli::demo
