// Import and export of a ledger in its declared Excel layout (Ledger::columns).
//
// Export writes a title row (the declared title with {org}, {name} and {date}), the header row and
// one row per entry, values as offices write them (code labels, 是/否, 1234.50), sensitive values
// masked for the role, fields hidden from the role left out — so the file imports back.
//
// Import reads last year's ledger of a community (.xlsx, .xls or .csv as offices keep them): the
// header row is the first of the first 10 rows naming the ID-number column (by header or alias);
// each row names a resident of the registry by ID number, inside the covered communities. A row
// whose subject has an open entry updates it (fields owned by a transition must go through it);
// otherwise it enrols the subject (an approval request when the declaration requires one and the
// importer is a user). All or nothing: one rejected row and nothing is written; the same file
// always gives the same report. Row numbers are Excel's (CSV: line numbers, header = line 1).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/engine.h"

namespace linli::ledger {

struct ExportOptions {
  std::vector<int64_t> communities, grids;  // what to export (grids empty = every grid)
  std::string org_name;                     // for the title
  std::string role;                         // masking and hidden fields; "" = clear (CLI)
  bool include_exited = false;
  std::string out_path;
};
struct ExportResult {
  int64_t rows = 0;
  std::string path, sha256;
};
Result<ExportResult> ExportLedger(storage::Db& db, Engine& engine, const Ledger& ledger,
                                  const ExportOptions& options);

struct ImportOptions {
  std::vector<int64_t> communities, grids;  // whose residents the file may name
  std::string org_name;
  std::string file_name;
  bool dry_run = false;
  Actor actor;  // role "" = a trusted local operator (no approval requests)
};
struct ImportIssue {
  int row = 0;
  std::string column;
  int code = 0;
  std::string message;
};
struct ImportReport {
  int64_t imported = 0, updated = 0, unchanged = 0, pending = 0, rejected = 0;
  std::vector<ImportIssue> errors;
};
Result<ImportReport> ImportLedgerBytes(storage::Db& db, Engine& engine, const Ledger& ledger,
                                       std::string_view bytes, const ImportOptions& options);
nlohmann::json ImportReportJson(const ImportReport& report);

}  // namespace linli::ledger
