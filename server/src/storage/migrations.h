// Versioned schema migrations, applied in order inside one transaction each.
//
// Each migration is SQL common to both engines plus optional engine-only parts; tokens
// {{pk}} and {{int}} expand to each engine's integer key and integer types.
#pragma once

#include <string>

#include "storage/db.h"

namespace linli::storage {

struct Migration {
  int version;
  const char* name;
  const char* common_sql;
  const char* sqlite_sql;    // may be empty
  const char* postgres_sql;  // may be empty
};

const std::vector<Migration>& AllMigrations();

// SQLite: the trigger that keeps person_fts in step with inserted persons (part of schema v1). A
// bulk import drops it inside its transaction, fills person_fts in one INSERT … SELECT and creates
// it again with this statement (registry::PersonStore::BeginBulk/FinishBulk).
extern const char* const kSqlitePersonFtsInsertTrigger;
int LatestSchemaVersion();

// The statement that fills place_grams (schema v6) for the places `filter` selects — a condition on
// places `pl`, e.g. "pl.id = ?" — written twice into the statement, so its parameters are given
// twice. The migration fills every existing place with it; org::PlaceCache computes the same grams
// in C++ for the places it creates (tests/registry_test.cc checks that the two agree).
std::string PlaceGramsFillSql(Dialect dialect, const std::string& filter);

// Applies every migration newer than the store's version. Refuses a store newer than this program.
Status Migrate(Db& db);
// The store's current schema version (0 when empty).
Result<int> SchemaVersion(Db& db);

}  // namespace linli::storage
