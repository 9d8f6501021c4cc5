// Tests of the demo data generator:
//  - Plan: the three tiers (30k → 1 community, 100k → 10 in one street, 1M → 10 streets / 100
//    communities / 800 grids), the street cap, code formats and uniqueness, exact totals.
//  - Determinism: same options → same plan and CSV bytes; another seed → other data; a community
//    is the same whether or not others were generated first.
//  - A 100k run (10 communities): every ID valid (checksum, birth date, sex), unique IDs,
//    households (one 户主, listed first, consistent ages of spouses, children, parents), address
//    pattern, grids partition buildings, vacant rooms empty, column values within the code tables,
//    and the population shares (age pyramid, household sizes, rentals, names, 民族, party members).
//  - ID lanes: communities in different ID groups (plans of > 499 communities) never collide.
//  - DISABLED_Speed: generation time of the 1M dataset (run with --gtest_also_run_disabled_tests).
#include "demo/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "common/code_tables.h"
#include "common/id_number.h"
#include "registry/columns.h"

namespace linli::demo {
namespace {

enum Col {
  kName,
  kId,
  kGender,
  kBirth,
  kEthnicity,
  kPolitical,
  kEducation,
  kMarital,
  kOccupation,
  kPhone,
  kHukou,
  kAddress,
  kGrid,
  kHousehold,
  kRelation,
  kStatus,
  kOccupancy
};

// GB 11643 check character, written independently of the generator's.
char CheckChar(std::string_view first17) {
  int sum = 0;
  for (int digit_idx = 0; digit_idx < 17; ++digit_idx) {
    int weight = 1;
    for (int power = 0; power < 17 - digit_idx; ++power) weight = weight * 2 % 11;
    sum += (first17[static_cast<size_t>(digit_idx)] - '0') * weight;
  }
  return "10X98765432"[sum % 11];
}

size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

int AgeAt(const std::string& birth, const Date& as_of) {
  const int year = std::stoi(birth.substr(0, 4));
  const int month = std::stoi(birth.substr(5, 2));
  const int day = std::stoi(birth.substr(8, 2));
  return as_of.year - year -
         ((month > as_of.month || (month == as_of.month && day > as_of.day)) ? 1 : 0);
}

struct ParsedAddress {
  std::string estate, building_word;  // building_word: 栋 or 号楼
  int building = 0, unit = 0, room = 0;
};

// <estate><digits>栋|号楼<digits>单元<digits>室, estate without ASCII digits.
bool ParseRoomAddress(std::string_view text, ParsedAddress& out) {
  auto digits = [&text](size_t& pos, int& value) {
    const size_t start = pos;
    value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      value = value * 10 + (text[pos++] - '0');
    return pos > start;
  };
  auto word = [&text](size_t& pos, std::string_view w) {
    if (text.substr(pos, w.size()) != w) return false;
    pos += w.size();
    return true;
  };
  size_t pos = text.find_first_of("0123456789");
  if (pos == std::string_view::npos || pos == 0) return false;
  out.estate = std::string(text.substr(0, pos));
  if (!digits(pos, out.building)) return false;
  if (word(pos, "栋")) {
    out.building_word = "栋";
  } else if (word(pos, "号楼")) {
    out.building_word = "号楼";
  } else {
    return false;
  }
  if (!digits(pos, out.unit) || !word(pos, "单元") || !digits(pos, out.room) || !word(pos, "室"))
    return false;
  return pos == text.size() && out.building >= 1 && out.unit >= 1 && out.room / 100 >= 1 &&
         out.room % 100 >= 1;
}

std::string Csv(const DemoOptions& options, const DemoPlan& plan, size_t community_idx) {
  std::ostringstream out;
  WriteResidentsCsv(options, plan, community_idx, out);
  return out.str();
}

// ---- Plan -----------------------------------------------------------------------------------

TEST(DemoPlanTest, SmallTierIsOneCommunityWithEightGrids) {
  for (int64_t residents : {1, 3000, 30000}) {
    DemoOptions options;
    options.residents = residents;
    const DemoPlan plan = PlanDemo(options);
    EXPECT_EQ(plan.district_code, "110105");
    EXPECT_EQ(plan.district_name, "朝阳区");
    ASSERT_EQ(plan.streets.size(), 1u);
    EXPECT_EQ(plan.streets[0].code, "110105001");
    EXPECT_EQ(plan.streets[0].name, "建外街道");
    ASSERT_EQ(plan.streets[0].communities.size(), 1u);
    const CommunityPlan& community = plan.streets[0].communities[0];
    EXPECT_EQ(community.code, "110105001001");
    EXPECT_TRUE(community.name.ends_with("社区居委会")) << community.name;
    EXPECT_EQ(community.residents, residents);
    ASSERT_EQ(community.grids.size(), 8u);
    EXPECT_EQ(community.grids.front(), "第1网格");
    EXPECT_EQ(community.grids.back(), "第8网格");
    EXPECT_EQ(community.rooms,
              community.households + static_cast<int64_t>(community.vacant_rooms.size()));
  }
}

TEST(DemoPlanTest, HundredThousandIsTenCommunitiesInOneStreet) {
  DemoOptions options;
  options.residents = 100000;
  const DemoPlan plan = PlanDemo(options);
  ASSERT_EQ(plan.streets.size(), 1u);
  ASSERT_EQ(plan.streets[0].communities.size(), 10u);
  EXPECT_EQ(CommunityCount(plan), 10u);
  for (const CommunityPlan& community : plan.streets[0].communities)
    EXPECT_EQ(community.residents, 10000);
  EXPECT_EQ(plan.streets[0].communities[9].code, "110105001010");
  EXPECT_EQ(&CommunityAt(plan, 9), &plan.streets[0].communities[9]);
}

TEST(DemoPlanTest, MillionIsTenStreetsHundredCommunitiesEightHundredGrids) {
  DemoOptions options;
  options.residents = 1000000;
  const DemoPlan plan = PlanDemo(options);
  ASSERT_EQ(plan.streets.size(), 10u);
  size_t communities = 0, grids = 0;
  int64_t residents = 0;
  std::set<std::string> codes, names;
  const std::vector<std::string> real_streets = {
      "建外街道",   "朝外街道",   "呼家楼街道", "三里屯街道", "左家庄街道",
      "香河园街道", "和平街街道", "安贞街道",   "亚运村街道", "小关街道"};
  for (size_t street_idx = 0; street_idx < plan.streets.size(); ++street_idx) {
    const StreetPlan& street = plan.streets[street_idx];
    EXPECT_EQ(street.name, real_streets[street_idx]);
    char expected_code[32];
    std::snprintf(expected_code, sizeof expected_code, "110105%03zu", street_idx + 1);
    EXPECT_EQ(street.code, expected_code);
    EXPECT_EQ(street.communities.size(), 10u);
    for (size_t community_idx = 0; community_idx < street.communities.size(); ++community_idx) {
      const CommunityPlan& community = street.communities[community_idx];
      ASSERT_EQ(community.code.size(), 12u);
      EXPECT_TRUE(community.code.starts_with(street.code));
      const int village = std::stoi(community.code.substr(9));
      EXPECT_GE(village, 1);
      EXPECT_LE(village, 199);  // 居委会 range
      EXPECT_TRUE(community.name.ends_with("社区居委会"));
      EXPECT_EQ(community.residents, 10000);
      codes.insert(community.code);
      names.insert(community.name);
      grids += community.grids.size();
      residents += community.residents;
      ++communities;
    }
  }
  EXPECT_EQ(communities, 100u);
  EXPECT_EQ(grids, 800u);
  EXPECT_EQ(residents, 1000000);
  EXPECT_EQ(codes.size(), 100u);
  EXPECT_EQ(names.size(), 100u);
}

TEST(DemoPlanTest, UnevenTotalsSplitExactlyAndStreetsAreCapped) {
  DemoOptions options;
  options.residents = 123457;
  DemoPlan plan = PlanDemo(options);
  ASSERT_EQ(CommunityCount(plan), 12u);
  EXPECT_EQ(plan.streets.size(), 2u);
  int64_t total = 0;
  for (size_t community_idx = 0; community_idx < CommunityCount(plan); ++community_idx) {
    const int64_t residents = CommunityAt(plan, community_idx).residents;
    EXPECT_TRUE(residents == 123457 / 12 || residents == 123457 / 12 + 1);
    total += residents;
  }
  EXPECT_EQ(total, 123457);

  options.residents = 10000000;  // 1,000 communities: 街道 codes stop at 099
  plan = PlanDemo(options);
  EXPECT_EQ(CommunityCount(plan), 1000u);
  ASSERT_EQ(plan.streets.size(), 99u);
  EXPECT_EQ(plan.streets.back().code, "110105099");
  std::set<std::string> street_names, community_names, estates;
  size_t estate_count = 0;
  for (const StreetPlan& street : plan.streets) {
    street_names.insert(street.name);
    for (const CommunityPlan& community : street.communities) {
      EXPECT_LE(std::stoi(community.code.substr(9)), 199);
      community_names.insert(community.name);
      for (const std::string& estate : community.estates) estates.insert(estate);
      estate_count += community.estates.size();
    }
  }
  EXPECT_EQ(street_names.size(), 99u);
  EXPECT_EQ(community_names.size(), 1000u);
  EXPECT_EQ(estates.size(), estate_count);  // estate names are unique across the district
}

// ---- Determinism ----------------------------------------------------------------------------

TEST(DemoDeterminismTest, SameSeedSameBytesOtherSeedOtherData) {
  DemoOptions options;
  options.residents = 5000;
  const DemoPlan plan = PlanDemo(options);
  const std::string first = Csv(options, plan, 0);
  EXPECT_EQ(first, Csv(options, PlanDemo(options), 0));
  EXPECT_TRUE(first.starts_with(
      "姓名,公民身份号码,性别,出生日期,民族,政治面貌,文化程度,婚姻状况,从业状况,联系电话,户籍地址,"
      "现居住地址,所属网格,户号,与户主关系,人户状态,房屋性质\n"));
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'), 5001);

  DemoOptions other = options;
  other.seed = 2;
  const DemoPlan other_plan = PlanDemo(other);
  const std::string second = Csv(other, other_plan, 0);
  EXPECT_NE(first, second);
  EXPECT_EQ(std::count(second.begin(), second.end(), '\n'), 5001);
  EXPECT_NE(plan.streets[0].communities[0].vacant_rooms,
            other_plan.streets[0].communities[0].vacant_rooms);
}

TEST(DemoDeterminismTest, CommunitiesAreIndependent) {
  DemoOptions options;
  options.residents = 40000;
  const DemoPlan plan = PlanDemo(options);
  ASSERT_EQ(CommunityCount(plan), 4u);
  const std::string alone = Csv(options, plan, 3);
  for (size_t community_idx = 0; community_idx < 3; ++community_idx)
    Csv(options, plan, community_idx);
  EXPECT_EQ(alone, Csv(options, plan, 3));
  EXPECT_NE(alone, Csv(options, plan, 2));
}

TEST(DemoColumnsTest, MatchTheRegistryDeclaration) {
  const auto& declared = registry::RegistryColumns();
  ASSERT_EQ(ResidentColumns().size(), 17u);
  ASSERT_EQ(declared.size(), ResidentColumns().size());
  for (size_t column_idx = 0; column_idx < declared.size(); ++column_idx) {
    EXPECT_EQ(declared[column_idx].label, ResidentColumns()[column_idx]);
  }
}

// ---- A 100k run -----------------------------------------------------------------------------

class DemoRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    options_ = new DemoOptions;
    options_->residents = 100000;
    options_->seed = 7;
    plan_ = new DemoPlan(PlanDemo(*options_));
    rows_ = new std::vector<std::vector<std::string>>;
    community_of_ = new std::vector<size_t>;
    rows_->reserve(100000);
    for (size_t community_idx = 0; community_idx < CommunityCount(*plan_); ++community_idx) {
      GenerateResidents(*options_, *plan_, community_idx, [&](const std::vector<std::string>& row) {
        rows_->push_back(row);
        community_of_->push_back(community_idx);
      });
    }
  }
  static void TearDownTestSuite() {
    delete options_;
    delete plan_;
    delete rows_;
    delete community_of_;
  }
  static double Share(const std::function<bool(const std::vector<std::string>&)>& pred) {
    return static_cast<double>(std::count_if(rows_->begin(), rows_->end(), pred)) /
           static_cast<double>(rows_->size());
  }

  static DemoOptions* options_;
  static DemoPlan* plan_;
  static std::vector<std::vector<std::string>>* rows_;
  static std::vector<size_t>* community_of_;
};
DemoOptions* DemoRunTest::options_ = nullptr;
DemoPlan* DemoRunTest::plan_ = nullptr;
std::vector<std::vector<std::string>>* DemoRunTest::rows_ = nullptr;
std::vector<size_t>* DemoRunTest::community_of_ = nullptr;

TEST_F(DemoRunTest, TotalsAreExact) {
  ASSERT_EQ(rows_->size(), 100000u);
  std::vector<int64_t> per_community(CommunityCount(*plan_));
  for (size_t community_idx : *community_of_) ++per_community[community_idx];
  for (size_t community_idx = 0; community_idx < per_community.size(); ++community_idx) {
    EXPECT_EQ(per_community[community_idx], CommunityAt(*plan_, community_idx).residents);
  }
  for (const auto& row : *rows_) ASSERT_EQ(row.size(), 17u);
}

TEST_F(DemoRunTest, IdNumbersAreValidUniqueAndAgreeWithSexAndBirthDate) {
  std::unordered_set<std::string> seen;
  for (const auto& row : *rows_) {
    const std::string& id = row[kId];
    ASSERT_EQ(id.size(), 18u) << id;
    ASSERT_TRUE(std::all_of(id.begin(), id.begin() + 17, [](char c) {
      return c >= '0' && c <= '9';
    })) << id;
    EXPECT_EQ(id[17], CheckChar(id)) << id;
    const int province = std::stoi(id.substr(0, 2));
    EXPECT_TRUE(province >= 11 && province <= 65) << id;
    EXPECT_EQ(id.substr(6, 8),
              row[kBirth].substr(0, 4) + row[kBirth].substr(5, 2) + row[kBirth].substr(8, 2));
    const int sequence = std::stoi(id.substr(14, 3));
    EXPECT_EQ(row[kGender], sequence % 2 == 1 ? "男" : "女") << id;
    EXPECT_GT(sequence, 0);
    ASSERT_EQ(row[kBirth].size(), 10u);
    const Date birth{std::stoi(row[kBirth].substr(0, 4)), std::stoi(row[kBirth].substr(5, 2)),
                     std::stoi(row[kBirth].substr(8, 2))};
    EXPECT_TRUE(birth.valid()) << row[kBirth];
    EXPECT_LE(birth, options_->as_of);
    EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    // And the registry's own validator accepts it with the same birth date and sex.
    const Result<IdNumber> parsed = ParseIdNumber(id, options_->as_of);
    ASSERT_TRUE(parsed.ok()) << id;
    EXPECT_EQ(parsed->number, id);
    EXPECT_EQ(parsed->birth_date, birth);
    EXPECT_EQ(parsed->gender, row[kGender] == "男" ? "1" : "2");
  }
  // The checker itself, on the standard's examples (STANDARDS.md §1).
  EXPECT_EQ(CheckChar("11010519491231002"), 'X');
  EXPECT_EQ(CheckChar("44052418800101001"), '4');
  EXPECT_EQ(CheckChar("51310119820113001"), '4');
}

TEST_F(DemoRunTest, LocalsMigrantsAndRentalsAreConsistent) {
  for (const auto& row : *rows_) {
    const std::string& status = row[kStatus];
    if (status == "流动人口") {
      EXPECT_EQ(row[kOccupancy], "出租");
      EXPECT_FALSE(row[kHukou].starts_with("北京市")) << row[kHukou];
    } else if (status == "人户一致") {
      EXPECT_EQ(row[kOccupancy], "自住");
      EXPECT_TRUE(row[kHukou].starts_with("北京市朝阳区")) << row[kHukou];
      EXPECT_TRUE(row[kHukou].ends_with(row[kAddress])) << row[kHukou];
    } else {
      EXPECT_EQ(status, "人在户不在");
      EXPECT_TRUE(row[kHukou].starts_with("北京市")) << row[kHukou];
    }
  }
  const double migrants = Share([](const auto& row) { return row[kStatus] == "流动人口"; });
  EXPECT_GT(migrants, 0.05);
  EXPECT_LT(migrants, 0.12);
  // Most migrants carry an ID from outside Beijing, most locals one from 朝阳区.
  const double migrant_outside = Share(
      [](const auto& row) { return row[kStatus] == "流动人口" && !row[kId].starts_with("11"); });
  EXPECT_GT(migrant_outside / migrants, 0.95);
  const double locals = Share([](const auto& row) { return row[kStatus] == "人户一致"; });
  const double locals_chaoyang = Share(
      [](const auto& row) { return row[kStatus] == "人户一致" && row[kId].starts_with("110105"); });
  EXPECT_GT(locals_chaoyang / locals, 0.6);
}

TEST_F(DemoRunTest, HouseholdsHaveOneHeadListedFirstAndConsistentMembers) {
  std::set<std::pair<size_t, std::string>> finished;
  size_t households = 0, one_person = 0, elderly_alone = 0, rented = 0;
  size_t row_idx = 0;
  while (row_idx < rows_->size()) {
    const size_t community_idx = (*community_of_)[row_idx];
    const std::string number = (*rows_)[row_idx][kHousehold];
    size_t end = row_idx;
    while (end < rows_->size() && (*community_of_)[end] == community_idx &&
           (*rows_)[end][kHousehold] == number)
      ++end;
    ASSERT_TRUE(finished.insert({community_idx, number}).second) << "household split: " << number;
    ASSERT_EQ(number.size(), 7u);
    EXPECT_EQ(number[0], 'H');
    ++households;
    const auto& head = (*rows_)[row_idx];
    EXPECT_EQ(head[kRelation], "户主") << number;
    const int head_age = AgeAt(head[kBirth], options_->as_of);
    int spouse_age = -1;
    for (size_t member_idx = row_idx + 1; member_idx < end; ++member_idx) {
      const auto& m = (*rows_)[member_idx];
      EXPECT_NE(m[kRelation], "户主") << number;
      EXPECT_EQ(m[kAddress], head[kAddress]);
      EXPECT_EQ(m[kGrid], head[kGrid]);
      EXPECT_EQ(m[kOccupancy], head[kOccupancy]);
      EXPECT_NE(m[kName], head[kName]) << number;
      const int age = AgeAt(m[kBirth], options_->as_of);
      const std::string& relation = m[kRelation];
      if (relation == "妻" || relation == "夫") {
        EXPECT_NE(m[kGender], head[kGender]) << number;
        EXPECT_EQ(m[kGender], relation == "夫" ? "男" : "女");
        EXPECT_LE(std::abs(age - head_age), 10) << number;
        EXPECT_EQ(m[kMarital], "已婚");
        EXPECT_EQ(head[kMarital], "已婚");
        spouse_age = age;
      } else if (relation == "子" || relation == "女") {
        EXPECT_EQ(m[kGender], relation == "子" ? "男" : "女");
        EXPECT_GE(head_age - age, 20) << number;
        EXPECT_LE(head_age - age, 40) << number;
        if (spouse_age >= 0) {
          EXPECT_GE(spouse_age - age, 20) << number;
          EXPECT_LE(spouse_age - age, 40) << number;
        }
      } else if (relation == "父亲" || relation == "母亲") {
        EXPECT_GE(age - head_age, 20) << number;
        EXPECT_LE(age - head_age, 40) << number;
      } else if (relation == "孙子" || relation == "孙女" || relation == "外孙子" ||
                 relation == "外孙女") {
        EXPECT_GE(head_age - age, 40) << number;
      }
      if (age < 20) {
        EXPECT_EQ(m[kMarital], "未婚") << number;
      }
    }
    if (end - row_idx == 1) {
      ++one_person;
      if (head_age >= 60) ++elderly_alone;
    }
    if (head[kOccupancy] == "出租") ++rented;
    row_idx = end;
  }
  const double residents = static_cast<double>(rows_->size());
  size_t planned_households = 0, rooms = 0, vacant = 0;
  for (size_t community_idx = 0; community_idx < CommunityCount(*plan_); ++community_idx) {
    const CommunityPlan& community = CommunityAt(*plan_, community_idx);
    planned_households += static_cast<size_t>(community.households);
    rooms += static_cast<size_t>(community.rooms);
    vacant += community.vacant_rooms.size();
  }
  EXPECT_EQ(households, planned_households);
  EXPECT_EQ(rooms, households + vacant);
  const double average = residents / static_cast<double>(households);
  EXPECT_GT(average, 2.4);
  EXPECT_LT(average, 2.8);
  EXPECT_GT(static_cast<double>(one_person) / static_cast<double>(households), 0.16);
  EXPECT_LT(static_cast<double>(one_person) / static_cast<double>(households), 0.25);
  EXPECT_GT(static_cast<double>(elderly_alone) / residents, 0.02);
  EXPECT_LT(static_cast<double>(elderly_alone) / residents, 0.04);
  EXPECT_GT(static_cast<double>(rented) / static_cast<double>(rooms), 0.09);
  EXPECT_LT(static_cast<double>(rented) / static_cast<double>(rooms), 0.15);
  EXPECT_GT(static_cast<double>(vacant) / static_cast<double>(rooms), 0.035);
  EXPECT_LT(static_cast<double>(vacant) / static_cast<double>(rooms), 0.07);
}

TEST_F(DemoRunTest, AddressesFollowThePatternAndGridsPartitionBuildings) {
  std::map<std::pair<size_t, std::string>, std::string> grid_of_building;
  std::vector<std::set<std::string>> used_grids(CommunityCount(*plan_));
  for (size_t row_idx = 0; row_idx < rows_->size(); ++row_idx) {
    const auto& row = (*rows_)[row_idx];
    const size_t community_idx = (*community_of_)[row_idx];
    const CommunityPlan& community = CommunityAt(*plan_, community_idx);
    ParsedAddress address;
    ASSERT_TRUE(ParseRoomAddress(row[kAddress], address)) << row[kAddress];
    EXPECT_NE(std::find(community.estates.begin(), community.estates.end(), address.estate),
              community.estates.end())
        << address.estate;
    const std::string building = address.estate + std::to_string(address.building);
    const auto [it, inserted] =
        grid_of_building.emplace(std::make_pair(community_idx, building), row[kGrid]);
    EXPECT_EQ(it->second, row[kGrid]) << building << " in two grids";
    EXPECT_NE(std::find(community.grids.begin(), community.grids.end(), row[kGrid]),
              community.grids.end());
    used_grids[community_idx].insert(row[kGrid]);
  }
  for (const auto& grids : used_grids) EXPECT_EQ(grids.size(), 8u);
  // Both building styles occur.
  EXPECT_GT(Share([](const auto& row) { return row[kAddress].find("号楼") != std::string::npos; }),
            0.05);
  EXPECT_GT(Share([](const auto& row) { return row[kAddress].find("栋") != std::string::npos; }),
            0.05);
}

TEST_F(DemoRunTest, VacantRoomsHaveNobody) {
  std::unordered_set<std::string> occupied;
  for (size_t row_idx = 0; row_idx < rows_->size(); ++row_idx) {
    occupied.insert(std::to_string((*community_of_)[row_idx]) + "/" + (*rows_)[row_idx][kAddress]);
  }
  size_t vacant = 0;
  for (size_t community_idx = 0; community_idx < CommunityCount(*plan_); ++community_idx) {
    std::set<std::string> distinct;
    for (const std::string& room : CommunityAt(*plan_, community_idx).vacant_rooms) {
      ParsedAddress address;
      EXPECT_TRUE(ParseRoomAddress(room, address)) << room;
      EXPECT_EQ(occupied.count(std::to_string(community_idx) + "/" + room), 0u) << room;
      distinct.insert(room);
      ++vacant;
    }
    EXPECT_EQ(distinct.size(), CommunityAt(*plan_, community_idx).vacant_rooms.size());
  }
  EXPECT_GT(vacant, 0u);
}

TEST_F(DemoRunTest, AgePyramidIsPlausible) {
  const Date as_of = options_->as_of;
  const double children = Share([&](const auto& row) { return AgeAt(row[kBirth], as_of) <= 14; });
  const double sixty = Share([&](const auto& row) { return AgeAt(row[kBirth], as_of) >= 60; });
  const double eighty = Share([&](const auto& row) { return AgeAt(row[kBirth], as_of) >= 80; });
  EXPECT_GT(children, 0.11);
  EXPECT_LT(children, 0.16);
  EXPECT_GT(sixty, 0.17);
  EXPECT_LT(sixty, 0.22);
  EXPECT_GT(eighty, 0.035);
  EXPECT_LT(eighty, 0.065);
  EXPECT_EQ(Share([&](const auto& row) { return AgeAt(row[kBirth], as_of) > 100; }), 0.0);
}

TEST_F(DemoRunTest, NamesHaveRealisticFrequenciesAndHeavyDuplicates) {
  std::unordered_map<std::string, int> full_names, surnames;
  size_t two_chars = 0;
  for (const auto& row : *rows_) {
    const std::string& name = row[kName];
    const size_t length = CodePoints(name);
    EXPECT_GE(length, 2u) << name;
    EXPECT_LE(length, 4u) << name;
    if (length == 2) ++two_chars;
    ++full_names[name];
    for (const char* compound : {"欧阳", "司马", "上官", "诸葛", "司徒"}) {
      if (name.starts_with(compound)) ++surnames[compound];
    }
    ++surnames[name.substr(0, 3)];
  }
  const double n = static_cast<double>(rows_->size());
  for (const char* common : {"王", "李", "张"}) {
    EXPECT_GT(surnames[common] / n, 0.055) << common;
    EXPECT_LT(surnames[common] / n, 0.09) << common;
  }
  EXPECT_GT(surnames["刘"] / n, 0.04);
  EXPECT_GT(surnames["欧阳"], 0);
  for (const char* rare : {"单", "曾", "覃", "解", "仇"}) EXPECT_GT(surnames[rare], 0) << rare;
  EXPECT_GT(static_cast<double>(two_chars) / n, 0.2);
  EXPECT_LT(static_cast<double>(two_chars) / n, 0.4);
  int most = 0;
  for (const auto& [name, count] : full_names) most = std::max(most, count);
  EXPECT_GE(most, 40);  // hundreds in 1M
  EXPECT_GE(full_names["张伟"] + full_names["王芳"] + full_names["李娜"], 60);
  EXPECT_LT(full_names.size(), rows_->size() * 3 / 4);
}

TEST_F(DemoRunTest, ValuesComeFromTheCodeTables) {
  const std::map<Col, std::string> tables = {
      {kEthnicity, "ethnicity"},     {kPolitical, "political_status"}, {kEducation, "education"},
      {kMarital, "marital_status"},  {kOccupation, "occupation"},      {kRelation, "relation"},
      {kStatus, "residence_status"}, {kOccupancy, "occupancy"},        {kGender, "gender"}};
  const std::map<Col, std::set<std::string>> expected = {
      {kGender, {"男", "女"}},
      {kMarital, {"未婚", "已婚", "丧偶", "离婚"}},
      {kEducation,
       {"", "研究生教育", "大学本科教育", "大学专科教育", "中等职业教育", "普通高级中学教育",
        "初级中学教育", "小学教育"}},
      {kStatus, {"人户一致", "人在户不在", "流动人口"}},
      {kOccupancy, {"自住", "出租"}}};
  std::map<Col, std::set<std::string>> seen;
  for (const auto& row : *rows_) {
    for (const auto& [col, key] : tables) seen[col].insert(row[col]);
    const std::string& phone = row[kPhone];
    if (!phone.empty()) {
      ASSERT_EQ(phone.size(), 11u) << phone;
      EXPECT_EQ(phone[0], '1');
      EXPECT_TRUE(phone[1] >= '3' && phone[1] <= '9') << phone;
      EXPECT_TRUE(
          std::all_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; }));
    }
    const int age = AgeAt(row[kBirth], options_->as_of);
    if (age < 6) {
      EXPECT_EQ(row[kEducation], "");
      EXPECT_EQ(row[kOccupation], "");
    } else {
      EXPECT_NE(row[kEducation], "");
      EXPECT_NE(row[kOccupation], "");
    }
    if (age < 14) {
      EXPECT_EQ(row[kPolitical], "群众");
    }
    if (row[kPolitical] == "中共党员") {
      EXPECT_GE(age, 18);
    }
    if (row[kOccupation] == "退（离）休人员") {
      EXPECT_GE(age, 50);
    }
  }
  for (const auto& [col, labels] : expected) {
    for (const std::string& value : seen[col]) EXPECT_TRUE(labels.count(value)) << value;
  }
  // Where the code tables are compiled in, every value is a label they know.
  for (const auto& [col, key] : tables) {
    const CodeTable* table = CodeTables::Get().Find(key);
    if (table == nullptr) continue;
    for (const std::string& value : seen[col]) {
      if (value.empty()) continue;
      const CodeItem* item = table->Find(value);
      ASSERT_NE(item, nullptr) << key << ": " << value;
      if (col != kGender) {
        EXPECT_EQ(item->label, value) << key;
      }
    }
  }
}

TEST_F(DemoRunTest, PopulationSharesArePlausible) {
  const Date as_of = options_->as_of;
  const double han = Share([](const auto& row) { return row[kEthnicity] == "汉族"; });
  EXPECT_GT(han, 0.89);
  EXPECT_LT(han, 0.95);
  const double adults = Share([&](const auto& row) { return AgeAt(row[kBirth], as_of) >= 18; });
  const double party = Share([](const auto& row) { return row[kPolitical] == "中共党员"; });
  EXPECT_GT(party / adults, 0.06);
  EXPECT_LT(party / adults, 0.10);
  EXPECT_GT(Share([](const auto& row) { return row[kPolitical] == "共青团员"; }), 0.03);
  const double phones = Share(
      [&](const auto& row) { return AgeAt(row[kBirth], as_of) >= 18 && !row[kPhone].empty(); });
  EXPECT_GT(phones / adults, 0.85);
  EXPECT_LT(phones / adults, 1.0);
  const double away = Share([](const auto& row) { return row[kStatus] == "人在户不在"; });
  EXPECT_GT(away, 0.05);
  EXPECT_LT(away, 0.2);
}

// ---- ID lanes across groups -----------------------------------------------------------------

TEST(DemoIdLanesTest, CommunitiesOfLargePlansNeverShareIdNumbers) {
  DemoOptions options;
  options.residents = 5500000;  // 550 communities: two ID groups
  const DemoPlan plan = PlanDemo(options);
  ASSERT_EQ(CommunityCount(plan), 550u);
  std::unordered_set<std::string> seen;
  size_t rows = 0;
  for (size_t community_idx :
       {size_t{0}, size_t{1}, size_t{51}, size_t{499}, size_t{500}, size_t{549}}) {
    GenerateResidents(options, plan, community_idx, [&](const std::vector<std::string>& row) {
      ++rows;
      EXPECT_EQ(row[kId][17], CheckChar(row[kId]));
      EXPECT_TRUE(seen.insert(row[kId]).second)
          << "duplicate " << row[kId] << " in " << community_idx;
    });
  }
  EXPECT_EQ(rows, seen.size());
}

// ---- Speed ----------------------------------------------------------------------------------

TEST(DemoSpeedTest, DISABLED_MillionResidents) {
  DemoOptions options;
  options.residents = 1000000;
  const auto start = std::chrono::steady_clock::now();
  const DemoPlan plan = PlanDemo(options);
  const auto planned = std::chrono::steady_clock::now();
  int64_t rows = 0;
  for (size_t community_idx = 0; community_idx < CommunityCount(plan); ++community_idx) {
    GenerateResidents(options, plan, community_idx,
                      [&rows](const std::vector<std::string>&) { ++rows; });
  }
  const auto generated = std::chrono::steady_clock::now();
  size_t bytes = 0;
  for (size_t community_idx = 0; community_idx < CommunityCount(plan); ++community_idx) {
    bytes += Csv(options, plan, community_idx).size();
  }
  const auto written = std::chrono::steady_clock::now();
  auto seconds = [](auto from, auto to) {
    return std::chrono::duration<double>(to - from).count();
  };
  std::printf("plan %.3f s; rows %.3f s (%lld); csv %.3f s (%zu bytes)\n", seconds(start, planned),
              seconds(planned, generated), static_cast<long long>(rows),
              seconds(generated, written), bytes);
  EXPECT_EQ(rows, 1000000);
}

}  // namespace
}  // namespace linli::demo
