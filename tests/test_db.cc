// Fresh stores for tests on SQLite or PostgreSQL (see test_db.h).
#include "test_db.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

namespace linli::testing {

bool TestingPostgres() {
  const char* env = std::getenv("LINLI_TEST_DB");
  return env && std::string(env).rfind("postgres", 0) == 0;
}

std::string TempDir() {
  static const std::string dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "linli-test-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    return std::string(made ? made : "/tmp");
  }();
  return dir;
}

// Every store of the test process encrypts with one private key file (crypto/field_cipher.h), in
// the private temp folder rather than the default data/field.key; processes the tests start (the
// linli CLI) inherit it.
[[maybe_unused]] const bool kFieldKeySet = [] {
  setenv("LINLI_FIELD_KEY", (TempDir() + "/field.key").c_str(), /*overwrite=*/1);
  return true;
}();

std::string FreshStoreUrl() {
  static std::atomic<int> counter{0};
  int n = ++counter;
  if (!TestingPostgres()) return "sqlite:" + TempDir() + "/store" + std::to_string(n) + ".db";
  std::string base = std::getenv("LINLI_TEST_DB");
  std::string schema = "t_" + std::to_string(getpid()) + "_" + std::to_string(n);
  storage::OpenOptions admin_options;
  admin_options.create = false;
  admin_options.read_only = true;
  auto admin = storage::Db::Open(base, admin_options);
  if (!admin.ok()) {
    ADD_FAILURE() << admin.status().ToString();
    return base;
  }
  Status st = (*admin)->ExecScript("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
  if (!st.ok()) ADD_FAILURE() << st.ToString();
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema + "%2Cpublic";
}

std::unique_ptr<storage::Db> OpenFreshDb() {
  auto db = storage::Db::Open(FreshStoreUrl());
  if (!db.ok()) {
    ADD_FAILURE() << db.status().ToString();
    return nullptr;
  }
  return std::move(db).value();
}

}  // namespace linli::testing
