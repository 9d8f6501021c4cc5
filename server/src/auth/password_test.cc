// Tests of passwords:
//  - Argon2id hashes: format, salts, verification, malformed hashes, needs-rehash across costs.
//  - The policy with the 等保 defaults: length in characters (Chinese counts one each), classes,
//    user name inside the password, maximum length, a stricter configured policy, Chinese
//    messages.
//  - Rotation after 90 days (and off when 0).
//  - Generated passwords: length, all four classes, no look-alikes, pass the policy, distinct.
#include "auth/password.h"

#include <gtest/gtest.h>

#include <set>

namespace linli::auth {
namespace {

TEST(PasswordTest, Argon2idHashVerifies) {
  auto hash = HashPassword("Correct#Horse1", HashCost::Minimum());
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$v=19$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("Correct#Horse1"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "Correct#Horse1"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct#horse1"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  auto again = HashPassword("Correct#Horse1", HashCost::Minimum());
  EXPECT_NE(*hash, *again);  // random salt
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "x"));
}

TEST(PasswordTest, NeedsRehashWhenCostDiffers) {
  auto weak = HashPassword("Correct#Horse1", HashCost::Minimum());
  ASSERT_TRUE(weak.ok());
  EXPECT_FALSE(NeedsRehash(*weak, HashCost::Minimum()));
  EXPECT_TRUE(NeedsRehash(*weak, HashCost::Interactive()));
  EXPECT_TRUE(NeedsRehash("not a hash", HashCost::Minimum()));
}

TEST(PasswordPolicyTest, DengbaoDefaults) {
  AuthPolicy p;
  EXPECT_EQ(p.min_length, 8);
  EXPECT_EQ(p.min_classes, 3);
  EXPECT_EQ(p.rotation_days, 90);
  EXPECT_EQ(p.max_failures, 5);
  EXPECT_EQ(p.failure_window_seconds, 900);
  EXPECT_EQ(p.lockout_seconds, 900);
  EXPECT_EQ(p.idle_timeout_seconds, 1800);
  EXPECT_EQ(p.absolute_lifetime_seconds, 43200);
  EXPECT_EQ(p.totp.digits, 6);
  EXPECT_EQ(p.totp.period, 30);
  EXPECT_EQ(p.totp_window, 1);
}

TEST(PasswordPolicyTest, Cases) {
  AuthPolicy p;
  struct Case {
    const char* password;
    ErrorCode expected;
  };
  const Case kCases[] = {
      {"Ab1!", ErrorCode::kPasswordTooShort},
      {"Abcdef1", ErrorCode::kPasswordTooShort},    // 7
      {"abcdefgh", ErrorCode::kPasswordClasses},    // 1 class
      {"abcdefg1", ErrorCode::kPasswordClasses},    // 2 classes
      {"ABCDEFG!", ErrorCode::kPasswordClasses},    // 2 classes
      {"Abcdefg1", ErrorCode::kOk},                 // lower, upper, digit
      {"abcdef1!", ErrorCode::kOk},                 // lower, digit, symbol
      {"ABC 123 def", ErrorCode::kOk},              // a space is a symbol
      {"密码Abc12", ErrorCode::kPasswordTooShort},  // 7 characters, 13 bytes
      {"社区密码abc12", ErrorCode::kOk},            // Chinese counts as the symbol class
      {"xZhangSan1", ErrorCode::kPasswordContainsUsername},
  };
  for (const Case& c : kCases)
    EXPECT_EQ(CheckPasswordPolicy(c.password, "zhangsan", p).code(), c.expected) << c.password;
  EXPECT_EQ(CheckPasswordPolicy(std::string(129, 'a') + "A1", "", p).code(),
            ErrorCode::kPasswordTooLong);
  EXPECT_EQ(CheckPasswordPolicy("xZhangSan1", "", p).code(), ErrorCode::kOk);  // no user name
}

TEST(PasswordPolicyTest, ConfigurableAndChineseMessages) {
  AuthPolicy strict;
  strict.min_length = 12;
  strict.min_classes = 4;
  Status st = CheckPasswordPolicy("Abcdefg1!", "", strict);
  EXPECT_EQ(st.code(), ErrorCode::kPasswordTooShort);
  EXPECT_EQ(st.Message(), "密码至少需要12个字符，当前只有9个");
  st = CheckPasswordPolicy("Abcdefghijk1", "", strict);
  EXPECT_EQ(st.Message(), "密码需包含大写字母、小写字母、数字、符号中的至少4类，当前只有3类");
  EXPECT_TRUE(CheckPasswordPolicy("Abcdefghij1!", "", strict).ok());
  AuthPolicy lax;
  lax.min_classes = 1;
  lax.forbid_username = false;
  EXPECT_TRUE(CheckPasswordPolicy("zhangsan123", "zhangsan", lax).ok());
  EXPECT_EQ(LookupError(ErrorCode::kPasswordClasses).http_status, 422);
}

TEST(PasswordPolicyTest, RotationAfterNinetyDays) {
  AuthPolicy p;
  const int64_t set_at = 1'700'000'000;
  EXPECT_FALSE(PasswordExpired(set_at, set_at + 89 * 86400, p));
  EXPECT_TRUE(PasswordExpired(set_at, set_at + 90 * 86400, p));
  p.rotation_days = 0;
  EXPECT_FALSE(PasswordExpired(set_at, set_at + 1000 * 86400, p));
}

TEST(PasswordTest, GeneratedPasswordsAreStrong) {
  AuthPolicy p;
  std::set<std::string> seen;
  for (int round = 0; round < 200; ++round) {
    std::string pw = GeneratePassword();
    EXPECT_EQ(pw.size(), 16u);
    EXPECT_EQ(CharacterClasses(pw), 4) << pw;
    EXPECT_TRUE(CheckPasswordPolicy(pw, "admin", p).ok() || pw.find("admin") != std::string::npos)
        << pw;
    EXPECT_EQ(pw.find_first_of("0O1lI"), std::string::npos) << pw;
    seen.insert(pw);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(GeneratePassword(24).size(), 24u);
  EXPECT_EQ(CharacterClasses(GeneratePassword(4)), 4);
}

}  // namespace
}  // namespace linli::auth
