// Demo entries for every declared ledger, from each declaration's "demo" section: a seeded share
// of the eligible residents (age and sex filters; household ledgers take household heads) is
// enrolled with generated values, followed up as workers do (mostly on time, some overdue), and
// daily-report ledgers get a week of reports with some missing. The same seed and store give the
// same entries. Used by `linli demo`; runs through the engine, so every entry is valid.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ledger/declaration.h"
#include "storage/db.h"

namespace linli::ledger {

struct DemoCounts {
  std::map<std::string, int64_t> entries;  // ledger key → entries enrolled
  int64_t visits = 0, reports = 0;
};

// `responsible_user_id`: the worker entries of the first community are assigned to (0 = none).
Result<DemoCounts> GenerateDemoEntries(storage::Db& db, const Catalog& catalog, uint64_t seed,
                                       int64_t responsible_user_id);

}  // namespace linli::ledger
