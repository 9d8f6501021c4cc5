// Test support: a fresh, empty, migrated store per call, on the engine named by LINLI_TEST_DB.
//
//   LINLI_TEST_DB unset or "sqlite"   → a new SQLite file in a private temp folder
//   LINLI_TEST_DB=postgresql://…      → a new schema in that database (search_path set to it)
//
// scripts/test.sh runs the whole suite once per engine. The process's field-encryption key file is
// TempDir()/field.key ($LINLI_FIELD_KEY is set to it when the test binary starts).
#pragma once

#include <memory>
#include <string>

#include "storage/db.h"

namespace linli::testing {

// A URL for a new, empty store (not yet opened).
std::string FreshStoreUrl();
// Opens FreshStoreUrl(); aborts the test on failure.
std::unique_ptr<storage::Db> OpenFreshDb();
bool TestingPostgres();
// A private temporary directory for this test process.
std::string TempDir();

}  // namespace linli::testing
