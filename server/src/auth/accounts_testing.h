// Test support for the account tests (included only by *_test.cc): a fresh store on the engine
// under test with a small org tree, and an Accounts on a ManualClock with the cheapest Argon2id
// cost so that logins take microseconds.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/accounts.h"
#include "auth/totp.h"
#include "org/org.h"
#include "test_db.h"

namespace linli::auth {

inline constexpr const char* kGoodPassword = "Linli#2024pass";

class AuthFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = linli::testing::OpenFreshDb();
    ASSERT_TRUE(db_);
    auto district = org::UpsertOrgUnit(*db_, "110105", "朝阳区", org::Level::kDistrict, 0);
    ASSERT_TRUE(district.ok()) << district.status().ToString();
    auto street = org::UpsertOrgUnit(*db_, "110105001", "建外街道", org::Level::kStreet, *district);
    ASSERT_TRUE(street.ok());
    auto community = org::UpsertOrgUnit(*db_, "110105001001", "幸福里社区居委会",
                                        org::Level::kCommunity, *street);
    ASSERT_TRUE(community.ok());
    district_id_ = *district;
    community_id_ = *community;
    policy_.hash_cost = HashCost::Minimum();
    accounts_ = std::make_unique<Accounts>(*db_, policy_, clock_);
  }

  // Creates a user in the community (password kGoodPassword unless given); fails the test on error.
  CreatedUser Add(const std::string& username, const std::string& role,
                  const std::string& password = kGoodPassword) {
    NewUser spec;
    spec.username = username;
    spec.role = role;
    spec.org_code = "110105001001";
    spec.password = password;
    spec.must_change_password = false;
    auto created = accounts_->CreateUser(spec);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : CreatedUser{};
  }

  // The TOTP code of a Base32 secret at the clock's time (plus `offset` seconds).
  std::string CodeFor(const std::string& secret, int64_t offset = 0) {
    auto key = Base32Decode(secret);
    EXPECT_TRUE(key.ok());
    return TotpCode(key.ok() ? *key : std::string(), clock_.Now() + offset, policy_.totp);
  }

  // A well-formed code that matches none of the steps the window accepts now.
  std::string WrongCodeFor(const std::string& secret) {
    std::string previous = CodeFor(secret, -30), current = CodeFor(secret),
                next = CodeFor(secret, 30);
    for (int candidate = 0;; ++candidate) {
      std::string code = std::to_string(100000 + candidate);
      if (code != previous && code != current && code != next) return code;
    }
  }

  Result<NewSession> Login(const std::string& username, const std::string& password,
                           const std::string& totp = "") {
    LoginRequest request;
    request.username = username;
    request.password = password;
    request.totp_code = totp;
    request.ip = "192.0.2.10";
    request.user_agent = "gtest";
    return accounts_->Authenticate(request);
  }

  std::unique_ptr<storage::Db> db_;
  ManualClock clock_{1'700'000'000};
  AuthPolicy policy_;
  std::unique_ptr<Accounts> accounts_;
  int64_t district_id_ = 0;
  int64_t community_id_ = 0;
};

}  // namespace linli::auth
