// Smoke tests: the error registry renders messages, and a store opens and migrates.
#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "common/status.h"

namespace linli {
namespace {

TEST(StatusTest, RendersChineseTemplateWithParams) {
  Status st = Error(ErrorCode::kIdChecksum, {{"expected", "X"}});
  EXPECT_EQ(st.Message(), "公民身份号码校验位错误，应为X");
  EXPECT_EQ(st.number(), 3003);
  EXPECT_EQ(LookupError(ErrorCode::kNotFound).http_status, 404);
}

}  // namespace
}  // namespace linli

namespace linli {
namespace {

// LookupError binary-searches the registry: numbers must be unique and ascending, names unique.
TEST(ErrorRegistryTest, NumbersAscendUniquelyAndEveryCodeHasAnHttpStatus) {
  const auto& all = AllErrors();
  std::set<std::string_view> names;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i) EXPECT_LT(static_cast<int>(all[i - 1].code), static_cast<int>(all[i].code)) << all[i].name;
    EXPECT_TRUE(names.insert(all[i].name).second) << all[i].name;
    EXPECT_GE(all[i].http_status, 400);
    EXPECT_LT(all[i].http_status, 600);
    EXPECT_EQ(&LookupError(all[i].code), &all[i]);
  }
}

}  // namespace
}  // namespace linli
