// Tests of one-time passwords and their building blocks:
//  - SHA-1 (FIPS 180 examples) and HMAC-SHA1/256/512 (RFC 2202, RFC 4231 test cases).
//  - Base32 (RFC 4648 §10 vectors), lenient input, rejected characters and trailing bits.
//  - HOTP: the RFC 4226 Appendix D values.
//  - TOTP: every RFC 6238 Appendix B vector (8 digits, SHA1/SHA256/SHA512 with their seeds).
//  - Verification: ±1 step window, outside the window, replay of an accepted step and of an
//    older one, malformed codes, and the otpauth:// URI.
#include "auth/totp.h"

#include <gtest/gtest.h>

#include "auth/hmac.h"

namespace linli::auth {
namespace {

TEST(TotpHmacTest, Sha1Examples) {
  EXPECT_EQ(ToHex(Sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(ToHex(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(ToHex(Sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(ToHex(Sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  // Lengths around the padding boundary (55, 56, 64 bytes).
  EXPECT_EQ(ToHex(Sha1(std::string(55, 'a'))), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(ToHex(Sha1(std::string(56, 'a'))), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(ToHex(Sha1(std::string(64, 'a'))), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST(TotpHmacTest, Rfc2202HmacSha1) {
  EXPECT_EQ(ToHex(Hmac(HashAlgorithm::kSha1, std::string(20, '\x0b'), "Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(ToHex(Hmac(HashAlgorithm::kSha1, "Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(ToHex(Hmac(HashAlgorithm::kSha1, std::string(80, '\xaa'),
                       "Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(TotpHmacTest, Rfc4231HmacSha256AndSha512) {
  std::string key(20, '\x0b');
  EXPECT_EQ(ToHex(Hmac(HashAlgorithm::kSha256, key, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(ToHex(Hmac(HashAlgorithm::kSha512, key, "Hi There")),
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
            "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
  std::string long_key(131, '\xaa');
  EXPECT_EQ(ToHex(Hmac(HashAlgorithm::kSha256, long_key,
                       "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(TotpBase32Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base32Encode(plain), encoded);
    auto decoded = Base32Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(TotpBase32Test, LenientInputAndErrors) {
  EXPECT_EQ(*Base32Decode("mzxw 6ytb-oi======"), "foobar");  // lower case, spaces, padding
  EXPECT_EQ(Base32Decode("MZXW1").status().code(), ErrorCode::kTotpSecretInvalid);  // '1'
  EXPECT_EQ(Base32Decode("M").status().code(), ErrorCode::kTotpSecretInvalid);      // 5 bits left
  EXPECT_EQ(*Base32Decode("MY"), "f");
  EXPECT_EQ(Base32Decode("MZ").status().code(), ErrorCode::kTotpSecretInvalid);  // bits not zero
  std::string secret = NewTotpSecret();
  EXPECT_EQ(secret.size(), 32u);  // 20 bytes
  EXPECT_EQ(Base32Decode(secret)->size(), 20u);
  EXPECT_NE(secret, NewTotpSecret());
}

TEST(TotpHotpTest, Rfc4226AppendixD) {
  const std::string key = "12345678901234567890";
  const char* kExpected[] = {"755224", "287082", "359152", "969429", "338314",
                             "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter)
    EXPECT_EQ(Hotp(key, counter, 6), kExpected[counter]) << counter;
}

TEST(TotpTest, Rfc6238AppendixB) {
  const std::string seed1 = "12345678901234567890";
  const std::string seed256 = "12345678901234567890123456789012";
  const std::string seed512 = "1234567890123456789012345678901234567890123456789012345678901234";
  struct Vector {
    int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const Vector kVectors[] = {
      {59, "94287082", "46119246", "90693936"},
      {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"},
      {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"},
      {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const Vector& v : kVectors) {
    TotpParams p;
    p.digits = 8;
    p.algorithm = HashAlgorithm::kSha1;
    EXPECT_EQ(TotpCode(seed1, v.time, p), v.sha1) << v.time;
    p.algorithm = HashAlgorithm::kSha256;
    EXPECT_EQ(TotpCode(seed256, v.time, p), v.sha256) << v.time;
    p.algorithm = HashAlgorithm::kSha512;
    EXPECT_EQ(TotpCode(seed512, v.time, p), v.sha512) << v.time;
  }
  EXPECT_EQ(TotpStep(1111111109), 0x23523EC);  // the T column of Appendix B
  EXPECT_EQ(TotpStep(20000000000), 0x27BC86AA);
}

TEST(TotpTest, WindowOfOneStepEachSide) {
  const std::string key = "12345678901234567890";
  const int64_t now = 1111111111;  // step 37037037, 1 s into it
  const int64_t step = TotpStep(now);
  std::string previous = Hotp(key, step - 1, 6), current = Hotp(key, step, 6),
              next = Hotp(key, step + 1, 6), too_old = Hotp(key, step - 2, 6),
              too_new = Hotp(key, step + 2, 6);
  EXPECT_TRUE(VerifyTotp(key, current, now).matched);
  EXPECT_EQ(VerifyTotp(key, current, now).step, step);
  EXPECT_EQ(VerifyTotp(key, previous, now).step, step - 1);
  EXPECT_EQ(VerifyTotp(key, next, now).step, step + 1);
  EXPECT_FALSE(VerifyTotp(key, too_old, now).matched);
  EXPECT_FALSE(VerifyTotp(key, too_new, now).matched);
  EXPECT_FALSE(VerifyTotp(key, too_old, now, {}, /*window=*/0).matched);
  EXPECT_FALSE(VerifyTotp(key, previous, now, {}, /*window=*/0).matched);
}

TEST(TotpTest, ReplayOfAcceptedOrOlderStepIsFlagged) {
  const std::string key = "12345678901234567890";
  const int64_t now = 1234567890;
  const int64_t step = TotpStep(now);
  std::string current = Hotp(key, step, 6);
  TotpCheck first = VerifyTotp(key, current, now, {}, 1, INT64_MIN);
  ASSERT_TRUE(first.matched);
  EXPECT_FALSE(first.replayed);
  TotpCheck again = VerifyTotp(key, current, now + 5, {}, 1, first.step);
  EXPECT_TRUE(again.matched);
  EXPECT_TRUE(again.replayed);
  // An older code, still inside the window, after a newer one was accepted.
  TotpCheck older = VerifyTotp(key, Hotp(key, step - 1, 6), now, {}, 1, step);
  EXPECT_TRUE(older.replayed);
  // The next step's code is fresh.
  EXPECT_FALSE(VerifyTotp(key, Hotp(key, step + 1, 6), now + 30, {}, 1, step).replayed);
}

TEST(TotpTest, MalformedCodesNeverMatch) {
  const std::string key = "12345678901234567890";
  const int64_t now = 1234567890;
  std::string current = Hotp(key, TotpStep(now), 6);
  EXPECT_TRUE(VerifyTotp(key, current.substr(0, 3) + " " + current.substr(3), now).matched);
  EXPECT_FALSE(VerifyTotp(key, "", now).matched);
  EXPECT_FALSE(VerifyTotp(key, current.substr(0, 5), now).matched);
  EXPECT_FALSE(VerifyTotp(key, current + "0", now).matched);
  EXPECT_FALSE(VerifyTotp(key, "12345a", now).matched);
}

TEST(TotpTest, OtpauthUri) {
  EXPECT_EQ(OtpauthUri("linli", "zhang.san", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/linli:zhang.san?secret=JBSWY3DPEHPK3PXP&issuer=linli"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(OtpauthUri("朝阳 linli", "a", "AB").substr(0, 33), "otpauth://totp/%E6%9C%9D%E9%98%B3");
}

}  // namespace
}  // namespace linli::auth
