// Test support for the API tests: a store with an org tree of 1 district, 2 streets, 4 communities
// and 12 grids, one resident per grid (with seeded canary ID numbers and phones), a user of every
// role at every level that matters, signed in through the API; and an in-process client that
// sends requests through the same Router and guard as `linli serve`.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/app.h"
#include "org/org.h"

namespace linli::testing {

struct Reply {
  int status = 0;
  nlohmann::json body;
  std::string raw;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct WorldUnit {
  int64_t id = 0;
  std::string code, name;
  org::Level level = org::Level::kGrid;
  int64_t parent_id = 0;
};

struct WorldPerson {
  int64_t id = 0;
  int64_t community_id = 0, grid_id = 0;
  std::string name, id_number, phone, address;
};

struct WorldUser {
  std::string key;  // "grid_worker@G1"
  std::string username, role;
  int64_t org_id = 0, user_id = 0;
  std::string cookie, csrf;
};

class ApiWorld {
 public:
  // Builds the store and signs every user in. Fails the current test on error.
  static std::unique_ptr<ApiWorld> Build();
  ~ApiWorld();

  // `headers` are added last (an "x-csrf-token" or "cookie" there replaces the user's).
  Reply Call(const WorldUser* who, const std::string& method, const std::string& target,
             const std::string& body = "", const std::map<std::string, std::string>& headers = {});
  // Signs `username` in through the API; the reply of the login when it is not 201.
  Reply Login(const std::string& username, const std::string& password, WorldUser* out,
              const std::string& totp_secret = "");
  // Runs SQL on the store (between requests).
  Status Exec(const std::string& sql);
  // The first user whose key ("role@code") is `key`.
  const WorldUser& User(const std::string& key) const;

  // The unit with this code.
  const WorldUnit& Unit(const std::string& code) const;
  // True when unit `inner` is `outer` or below it.
  bool Under(int64_t inner, int64_t outer) const;
  // A new resident of grid `grid_id` (written directly, outside the API); `twin_of` makes a
  // likely duplicate (same name and birth date, no ID number) of that person.
  WorldPerson AddPerson(int64_t grid_id, const WorldPerson* twin_of = nullptr);
  // A new user (not signed in) attached to `org_id`.
  int64_t AddUser(const std::string& role, int64_t org_id, bool must_change_password = false,
                  std::string* username = nullptr);
  // Every audit record after seq `after`, oldest first (raw rows: action, outcome, details JSON).
  std::vector<nlohmann::json> AuditSince(int64_t after);
  int64_t AuditHead();
  // One number from the store (between requests); -1 on error.
  int64_t Count(const std::string& sql, const storage::Params& params = {});
  std::string db_url() const { return url_; }
  static constexpr const char* kPassword = "Linli#2024pass";
  std::string temp_dir() const { return dir_; }

  std::vector<WorldUnit> units;
  std::vector<WorldPerson> persons;  // the residents of the world, one per grid first
  std::vector<WorldUser> users;
  std::vector<std::string> canaries;   // the clear ID numbers and phones of all persons
  std::map<int64_t, int64_t> grid_of;  // person id → grid, for every person AddPerson made

 private:
  ApiWorld() = default;
  std::string NextIdNumber(const std::string& birth);
  std::string url_, dir_;
  int serial_ = 0;
  std::unique_ptr<http::App> app_;
  http::Router router_;
};

}  // namespace linli::testing
