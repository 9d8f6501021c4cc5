// Tests for common/id_number: the check character, the public vectors of STANDARDS.md §1,
// normalisation (full-width, lower-case x, spaces, 15-digit upgrade), every rejection with the
// parameters its message needs, 港澳台居民居住证 (81/82/83), the 2023 永久居留身份证 (9…), masking.
#include "common/id_number.h"

#include <gtest/gtest.h>

#include <string>

namespace linli {
namespace {

const Date kToday{2024, 6, 1};

// Completes 17 digits with their check character.
std::string WithCheck(const std::string& first17) { return first17 + IdCheckChar(first17); }

TEST(IdCheckCharTest, PublicVectors) {
  EXPECT_EQ(IdCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(IdCheckChar("44052418800101001"), '4');
  EXPECT_EQ(IdCheckChar("51310119820113001"), '4');
  EXPECT_EQ(IdCheckChar("37010119010203997"), '3');
  EXPECT_EQ(IdCheckChar("53010219200508011"), 'X');
}

TEST(ParseIdNumberTest, PublicValidVectors) {
  for (const char* number : {"11010519491231002X", "440524188001010014", "513101198201130014",
                             "370101190102039973", "53010219200508011X"}) {
    auto id = ParseIdNumber(number, kToday);
    ASSERT_TRUE(id.ok()) << number << ": " << id.status().ToString();
    EXPECT_EQ(id->number, number);
    EXPECT_EQ(id->kind, IdKind::kResident);
    EXPECT_FALSE(id->normalised);
    EXPECT_FALSE(id->upgraded_from_15);
  }
}

TEST(ParseIdNumberTest, BirthDateAndGender) {
  auto woman = ParseIdNumber("11010519491231002X", kToday);
  ASSERT_TRUE(woman.ok());
  EXPECT_EQ(woman->birth_date, (Date{1949, 12, 31}));
  EXPECT_EQ(woman->gender, "2");
  auto man = ParseIdNumber("440524188001010014", kToday);
  ASSERT_TRUE(man.ok());
  EXPECT_EQ(man->birth_date, (Date{1880, 1, 1}));
  EXPECT_EQ(man->gender, "1");
}

TEST(ParseIdNumberTest, PublicInvalidVectors) {
  auto wrong = ParseIdNumber("110105194912310021", kToday);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kIdChecksum);
  EXPECT_EQ(wrong.status().Param("expected"), "X");
  EXPECT_EQ(wrong.status().Message(), "公民身份号码校验位错误，应为X");
  // Listed as "valid" by some repositories; it is not.
  auto trap = ParseIdNumber("110105195001010014", kToday);
  ASSERT_FALSE(trap.ok());
  EXPECT_EQ(trap.status().code(), ErrorCode::kIdChecksum);
  EXPECT_EQ(trap.status().Param("expected"), std::string(1, IdCheckChar("11010519500101001")));
}

TEST(ParseIdNumberTest, FifteenDigitsAreUpgraded) {
  auto id = ParseIdNumber("110105491231002", kToday);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->number, "11010519491231002X");
  EXPECT_TRUE(id->upgraded_from_15);
  EXPECT_TRUE(id->normalised);
  EXPECT_EQ(id->birth_date, (Date{1949, 12, 31}));
  auto bad_date = ParseIdNumber("110105490231002", kToday);
  ASSERT_FALSE(bad_date.ok());
  EXPECT_EQ(bad_date.status().code(), ErrorCode::kIdBirthDate);
  EXPECT_EQ(bad_date.status().Param("date"), "1949-02-31");
}

TEST(ParseIdNumberTest, NormalisesFullWidthCaseAndSpaces) {
  auto full_width = ParseIdNumber("１１０１０５１９４９１２３１００２ｘ", kToday);
  ASSERT_TRUE(full_width.ok()) << full_width.status().ToString();
  EXPECT_EQ(full_width->number, "11010519491231002X");
  EXPECT_TRUE(full_width->normalised);

  auto lower = ParseIdNumber("11010519491231002x", kToday);
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(lower->number, "11010519491231002X");
  EXPECT_TRUE(lower->normalised);

  auto spaced = ParseIdNumber("  110105 19491231 002X\t", kToday);
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(spaced->number, "11010519491231002X");
  EXPECT_TRUE(spaced->normalised);

  auto apostrophe = ParseIdNumber("'440524188001010014", kToday);
  ASSERT_TRUE(apostrophe.ok());
  EXPECT_EQ(apostrophe->number, "440524188001010014");
}

TEST(ParseIdNumberTest, Empty) {
  for (const char* blank : {"", "   ", "\u3000"}) {
    auto id = ParseIdNumber(blank, kToday);
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.status().code(), ErrorCode::kIdEmpty);
  }
}

TEST(ParseIdNumberTest, BadBirthDates) {
  auto feb30 = ParseIdNumber(WithCheck("11010519490230002"), kToday);
  ASSERT_FALSE(feb30.ok());
  EXPECT_EQ(feb30.status().code(), ErrorCode::kIdBirthDate);
  EXPECT_EQ(feb30.status().Param("date"), "1949-02-30");
  EXPECT_EQ(feb30.status().Message(), "公民身份号码中的出生日期1949-02-30不是有效日期");

  auto not_leap = ParseIdNumber(WithCheck("11010519000229002"), kToday);
  ASSERT_FALSE(not_leap.ok());
  EXPECT_EQ(not_leap.status().code(), ErrorCode::kIdBirthDate);

  auto leap = ParseIdNumber(WithCheck("11010520000229002"), kToday);
  ASSERT_TRUE(leap.ok()) << leap.status().ToString();
  EXPECT_EQ(leap->birth_date, (Date{2000, 2, 29}));

  auto month13 = ParseIdNumber(WithCheck("11010519901301002"), kToday);
  ASSERT_FALSE(month13.ok());
  EXPECT_EQ(month13.status().code(), ErrorCode::kIdBirthDate);
}

TEST(ParseIdNumberTest, FutureBirthDate) {
  auto future = ParseIdNumber(WithCheck("11010520240602002"), kToday);
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.status().code(), ErrorCode::kIdBirthFuture);
  EXPECT_EQ(future.status().Param("date"), "2024-06-02");
  EXPECT_TRUE(ParseIdNumber(WithCheck("11010520240601002"), kToday).ok());  // born today
}

TEST(ParseIdNumberTest, BadProvince) {
  for (const char* first17 : {"16010519491231002", "00010519491231002", "72010519491231002",
                              "84000019491231002", "66010519491231002"}) {
    auto id = ParseIdNumber(WithCheck(first17), kToday);
    ASSERT_FALSE(id.ok()) << first17;
    EXPECT_EQ(id.status().code(), ErrorCode::kIdProvince);
    EXPECT_EQ(id.status().Param("code"), std::string(first17, 2));
  }
  auto taiwan = ParseIdNumber(WithCheck("71000019800101002"), kToday);
  ASSERT_TRUE(taiwan.ok());
  EXPECT_EQ(taiwan->kind, IdKind::kResident);
}

TEST(ParseIdNumberTest, WrongLength) {
  auto sixteen = ParseIdNumber("1101051949123100", kToday);
  ASSERT_FALSE(sixteen.ok());
  EXPECT_EQ(sixteen.status().code(), ErrorCode::kIdLength);
  EXPECT_EQ(sixteen.status().Param("length"), "16");
  EXPECT_EQ(sixteen.status().Message(), "公民身份号码应为18位（或旧版15位），实际为16位");
  auto nineteen = ParseIdNumber("11010519491231002X1", kToday);
  ASSERT_FALSE(nineteen.ok());
  EXPECT_EQ(nineteen.status().code(), ErrorCode::kIdLength);
  EXPECT_EQ(nineteen.status().Param("length"), "19");
}

TEST(ParseIdNumberTest, IllegalCharacters) {
  auto letter = ParseIdNumber("11010519491231002A", kToday);
  ASSERT_FALSE(letter.ok());
  EXPECT_EQ(letter.status().code(), ErrorCode::kIdChars);
  EXPECT_EQ(letter.status().Param("char"), "A");
  auto x_inside = ParseIdNumber("1101051949123100X2", kToday);
  ASSERT_FALSE(x_inside.ok());
  EXPECT_EQ(x_inside.status().Param("char"), "X");
  auto han = ParseIdNumber("110105一9491231002X", kToday);
  ASSERT_FALSE(han.ok());
  EXPECT_EQ(han.status().Param("char"), "一");
  auto dash = ParseIdNumber("110105-19491231-002X", kToday);
  ASSERT_FALSE(dash.ok());
  EXPECT_EQ(dash.status().Param("char"), "-");
  auto fifteen_x = ParseIdNumber("11010549123100X", kToday);
  ASSERT_FALSE(fifteen_x.ok());
  EXPECT_EQ(fifteen_x.status().code(), ErrorCode::kIdChars);
}

TEST(ParseIdNumberTest, ExcelScientificNotation) {
  for (const char* mangled : {"1.10101E+17", "1.10105E+17", "4.40524e17", "1E+17"}) {
    auto id = ParseIdNumber(mangled, kToday);
    ASSERT_FALSE(id.ok()) << mangled;
    EXPECT_EQ(id.status().code(), ErrorCode::kIdScientific);
    EXPECT_EQ(id.status().Param("value"), mangled);
  }
  // Digits rounded by a float conversion cannot be told apart for sure; this one fails the check.
  EXPECT_FALSE(ParseIdNumber("110105194912310000", kToday).ok());
}

TEST(ParseIdNumberTest, ResidencePermits) {
  for (const char* first17 : {"81000019900101123", "82000019851231004", "83000020010615457"}) {
    std::string number = WithCheck(first17);
    auto id = ParseIdNumber(number, kToday);
    ASSERT_TRUE(id.ok()) << number << ": " << id.status().ToString();
    EXPECT_EQ(id->kind, IdKind::kResidencePermit);
    EXPECT_EQ(id->number, number);
  }
  auto hk = ParseIdNumber(WithCheck("81000019900101123"), kToday);
  EXPECT_EQ(hk->birth_date, (Date{1990, 1, 1}));
  EXPECT_EQ(hk->gender, "1");
  std::string wrong = WithCheck("81000019900101123");
  wrong[17] = wrong[17] == '0' ? '1' : '0';
  auto bad = ParseIdNumber(wrong, kToday);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kIdChecksum);
}

TEST(ParseIdNumberTest, PermanentResidenceCard) {
  // 9, 受理地 11, nationality 156, born 1985-03-15, sequence 124, check.
  std::string number = WithCheck("91115619850315124");
  auto id = ParseIdNumber(number, kToday);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->kind, IdKind::kPermanentResidence);
  EXPECT_EQ(id->birth_date, (Date{1985, 3, 15}));
  EXPECT_EQ(id->gender, "2");
  auto bad_date = ParseIdNumber(WithCheck("91115619851315124"), kToday);
  ASSERT_FALSE(bad_date.ok());
  EXPECT_EQ(bad_date.status().code(), ErrorCode::kIdBirthDate);
  std::string wrong = number;
  wrong[17] = wrong[17] == '0' ? '1' : '0';
  EXPECT_EQ(ParseIdNumber(wrong, kToday).status().code(), ErrorCode::kIdChecksum);
}

TEST(MaskIdNumberTest, KeepsSixAndFour) {
  EXPECT_EQ(MaskIdNumber("11010519491231002X"), "110105********002X");
  EXPECT_EQ(MaskIdNumber("110105491231002"), "110105*****1002");
  EXPECT_EQ(MaskIdNumber("12345"), "*****");
  EXPECT_EQ(MaskIdNumber(""), "");
}

}  // namespace
}  // namespace linli
