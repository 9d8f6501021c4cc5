// Tests for common/code_tables: every shipped table loads with a title and source and has no
// duplicate codes, labels or aliases; the national tables have their full contents; lookups by
// code, label, alias, full-width or zero-less numbers, and letter codes in any case.
#include "common/code_tables.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/text.h"

namespace linli {
namespace {

const CodeTable& Table(std::string_view key) {
  const CodeTable* table = CodeTables::Get().Find(key);
  if (!table) ADD_FAILURE() << "missing table " << key;
  static const CodeTable kEmpty;
  return table ? *table : kEmpty;
}

std::string CodeOf(std::string_view key, std::string_view term) {
  const CodeItem* item = Table(key).Find(term);
  return item ? item->code : "(none)";
}

TEST(CodeTablesTest, AllShippedTablesLoad) {
  const std::set<std::string> expected = {"gender",           "marital_status", "health",
                                          "occupation",       "ethnicity",      "education",
                                          "political_status", "relation",       "residence_status",
                                          "person_status",    "occupancy"};
  std::set<std::string> keys;
  for (const CodeTable& table : CodeTables::Get().all()) keys.insert(table.key());
  for (const std::string& key : expected) EXPECT_TRUE(keys.count(key)) << key;
  EXPECT_EQ(CodeTables::Get().Find("no_such_table"), nullptr);
}

TEST(CodeTablesTest, TitlesSourcesAndNoDuplicates) {
  for (const CodeTable& table : CodeTables::Get().all()) {
    SCOPED_TRACE(table.key());
    EXPECT_FALSE(table.title().empty());
    EXPECT_TRUE(HasHan(table.title()));
    EXPECT_FALSE(table.source().empty());
    EXPECT_FALSE(table.items().empty());
    std::set<std::string> codes, terms;
    for (const CodeItem& item : table.items()) {
      EXPECT_TRUE(codes.insert(item.code).second) << "duplicate code " << item.code;
      EXPECT_TRUE(terms.insert(item.label).second) << "duplicate label " << item.label;
      for (const std::string& alias : item.aliases) {
        EXPECT_TRUE(terms.insert(alias).second) << "duplicate alias " << alias;
        EXPECT_FALSE(codes.count(alias)) << "alias equals a code " << alias;
      }
      // Every item is found by its own code, label and aliases.
      EXPECT_EQ(table.Find(item.code), &item);
      EXPECT_EQ(table.FindCode(item.code), &item);
      EXPECT_EQ(table.Find(item.label), &item);
      for (const std::string& alias : item.aliases) EXPECT_EQ(table.Find(alias), &item) << alias;
      EXPECT_EQ(table.LabelOf(item.code), item.label);
    }
  }
}

TEST(CodeTablesTest, NationalTablesAreComplete) {
  EXPECT_EQ(Table("gender").items().size(), 4u);
  EXPECT_EQ(Table("marital_status").items().size(), 8u);
  EXPECT_EQ(Table("ethnicity").items().size(), 58u);  // 56 民族 + 97 + 98
  EXPECT_EQ(Table("political_status").items().size(), 13u);
  EXPECT_EQ(Table("occupation").items().size(), 13u);
  EXPECT_EQ(Table("education").items().size(), 40u);
  EXPECT_EQ(Table("relation").items().size(), 84u);
  EXPECT_EQ(Table("ethnicity").title(), "民族");
  EXPECT_EQ(Table("ethnicity").source(), "GB/T 3304-1991");
  EXPECT_EQ(Table("ethnicity").LabelOf("56"), "基诺族");
  EXPECT_EQ(Table("ethnicity").LabelOf("98"), "外国血统中国籍人士");
  EXPECT_EQ(Table("relation").LabelOf("99"), "非亲属");
  EXPECT_EQ(Table("education").LabelOf("28"), "大学普通班毕业");
}

TEST(CodeTablesTest, GenderAndMarriage) {
  EXPECT_EQ(CodeOf("gender", "男"), "1");
  EXPECT_EQ(CodeOf("gender", "女性"), "2");
  EXPECT_EQ(CodeOf("gender", "01"), "1");
  EXPECT_EQ(CodeOf("gender", " 2 "), "2");
  EXPECT_EQ(Table("gender").LabelOf("9"), "未说明的性别");
  EXPECT_EQ(CodeOf("marital_status", "离异"), "40");
  EXPECT_EQ(CodeOf("marital_status", "已婚"), "20");
}

TEST(CodeTablesTest, EthnicityLookups) {
  EXPECT_EQ(CodeOf("ethnicity", "汉族"), "01");
  EXPECT_EQ(CodeOf("ethnicity", "汉"), "01");
  EXPECT_EQ(CodeOf("ethnicity", "HA"), "01");
  EXPECT_EQ(CodeOf("ethnicity", "ha"), "01");
  EXPECT_EQ(CodeOf("ethnicity", "1"), "01");
  EXPECT_EQ(CodeOf("ethnicity", "１"), "01");   // full-width digit
  EXPECT_EQ(CodeOf("ethnicity", "1.0"), "01");  // Excel float
  EXPECT_EQ(CodeOf("ethnicity", "001"), "01");
  EXPECT_EQ(CodeOf("ethnicity", "蒙古"), "02");
  EXPECT_EQ(CodeOf("ethnicity", "土"), "30");
  EXPECT_EQ(CodeOf("ethnicity", "土家族"), "15");
  EXPECT_EQ(CodeOf("ethnicity", "GI"), "49");
  EXPECT_EQ(CodeOf("ethnicity", "未识别民族"), "97");
  EXPECT_EQ(Table("ethnicity").Find("火星族"), nullptr);
  EXPECT_EQ(Table("ethnicity").Find(""), nullptr);
  EXPECT_EQ(Table("ethnicity").Find("99"), nullptr);
  EXPECT_EQ(Table("ethnicity").FindCode("汉族"), nullptr);  // codes only
  EXPECT_EQ(Table("ethnicity").LabelOf("x"), "");
}

TEST(CodeTablesTest, EducationAliases) {
  EXPECT_EQ(CodeOf("education", "研究生"), "10");
  EXPECT_EQ(CodeOf("education", "本科"), "20");
  EXPECT_EQ(CodeOf("education", "大学"), "20");
  EXPECT_EQ(CodeOf("education", "大专"), "30");
  EXPECT_EQ(CodeOf("education", "中专"), "41");
  EXPECT_EQ(CodeOf("education", "高中"), "60");
  EXPECT_EQ(CodeOf("education", "初中"), "70");
  EXPECT_EQ(CodeOf("education", "小学"), "80");
  EXPECT_EQ(CodeOf("education", "文盲"), "90");
  EXPECT_EQ(CodeOf("education", "初中毕业"), "71");
}

TEST(CodeTablesTest, PoliticalStatusAndOccupation) {
  EXPECT_EQ(CodeOf("political_status", "党员"), "01");
  EXPECT_EQ(CodeOf("political_status", "中国共产党党员"), "01");
  EXPECT_EQ(CodeOf("political_status", "团员"), "03");
  EXPECT_EQ(CodeOf("political_status", "群众"), "13");
  EXPECT_EQ(CodeOf("political_status", "13"), "13");
  EXPECT_EQ(CodeOf("occupation", "退休"), "80");
  EXPECT_EQ(CodeOf("occupation", "退(离)休人员"), "80");  // half-width brackets
  EXPECT_EQ(CodeOf("occupation", "退（离）休人员"), "80");
  EXPECT_EQ(CodeOf("occupation", "个体户"), "54");
  EXPECT_EQ(Table("occupation").LabelOf("80"), "退（离）休人员");  // labels keep their brackets
}

TEST(CodeTablesTest, RelationToHouseholder) {
  EXPECT_EQ(CodeOf("relation", "本人"), "01");
  EXPECT_EQ(CodeOf("relation", "户主"), "02");
  EXPECT_EQ(CodeOf("relation", "妻子"), "12");
  EXPECT_EQ(CodeOf("relation", "丈夫"), "11");
  EXPECT_EQ(CodeOf("relation", "儿子"), "20");
  EXPECT_EQ(CodeOf("relation", "女儿"), "30");
  EXPECT_EQ(CodeOf("relation", "孙子"), "41");
  EXPECT_EQ(CodeOf("relation", "孙女"), "42");
  EXPECT_EQ(CodeOf("relation", "父亲"), "51");
  EXPECT_EQ(CodeOf("relation", "母亲"), "52");
  EXPECT_EQ(CodeOf("relation", "之子"), "20");
  EXPECT_EQ(CodeOf("relation", "2"), "02");
}

TEST(CodeTablesTest, HealthAcceptsOneDigitCodes) {
  EXPECT_EQ(CodeOf("health", "健康"), "10");
  EXPECT_EQ(CodeOf("health", "1"), "10");
  EXPECT_EQ(CodeOf("health", "6"), "60");
  EXPECT_EQ(CodeOf("health", "糖尿病"), "37");
  EXPECT_EQ(CodeOf("health", "肢体残疾"), "64");
}

TEST(CodeTablesTest, LinliTables) {
  EXPECT_EQ(CodeOf("residence_status", "人户一致"), "1");
  EXPECT_EQ(CodeOf("residence_status", "4"), "4");
  EXPECT_EQ(CodeOf("residence_status", "流动人口"), "4");
  EXPECT_EQ(CodeOf("person_status", "在册"), "active");
  EXPECT_EQ(CodeOf("person_status", "ACTIVE"), "active");
  EXPECT_EQ(CodeOf("person_status", "死亡"), "deceased");
  EXPECT_EQ(CodeOf("person_status", "已合并"), "merged");
  EXPECT_EQ(CodeOf("occupancy", "出租"), "rented");
  EXPECT_EQ(CodeOf("occupancy", "自住"), "owner");
  EXPECT_EQ(CodeOf("occupancy", "空置"), "vacant");
  EXPECT_EQ(Table("person_status").Find("1"), nullptr);
}

}  // namespace
}  // namespace linli
