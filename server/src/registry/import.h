// Registry import: a spreadsheet as offices keep it (title rows, merged cells, synonyms in headers,
// dirty values) into persons, households, grids and places of one community.
//
// Every data row ends in exactly one of: imported (new person), updated (changed fields of a
// person already registered), unchanged, or rejected with its row number, column and a Chinese
// reason. Normalisations follow documented rules (docs/IMPORT.md) and are listed in the report.
// The whole import is one transaction: a crash leaves all of it or none. A dry run does the same
// work and rolls back, so a preview reports exactly what a real import would.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "io/sheet.h"
#include "storage/db.h"

namespace linli::registry {

struct ImportOptions {
  std::string org_code;   // the community the people belong to
  std::string file_name;  // shown in reasons and history
  bool dry_run = false;
  // ID numbers and phones (IsSensitive columns) appear masked in the report's `normalized` and
  // `changes` entries; true shows them in clear in `normalized` (CLI `import --unmasked`, for the
  // operator's terminal only — the HTTP API leaves it false).
  bool unmasked = false;
};

struct ImportIssue {
  int row = 0;              // as Excel shows it (CSV: line number, header = line 1)
  std::string column;       // the header as written in the file ("" for whole-row problems)
  std::string column_letter;
  Status status;
};

struct ImportNote {  // a value changed by a documented normalisation rule (sensitive values masked)
  int row = 0;
  std::string column, rule, from, to;
};

struct ImportChange {  // a field of an already registered person changed by this import
  int row = 0;
  std::string field, old_value, new_value;  // ID and phone values masked
};

struct ImportReport {
  int64_t imported = 0, updated = 0, unchanged = 0, rejected = 0;
  int header_row = 0;
  std::vector<std::string> matched_columns;  // "C 身份证号 → 公民身份号码"
  std::vector<std::string> ignored_columns;  // headers not recognised
  std::vector<ImportIssue> errors;
  std::vector<ImportNote> normalized;
  std::vector<ImportChange> changes;
  std::vector<std::pair<int, int64_t>> persons;  // (row, person id) of every imported or updated row
  std::string file_sha256;
  bool dry_run = false;
  // ID numbers and phones (IsSensitive columns) appear masked in the report's `normalized` and
  // `changes` entries; true shows them in clear in `normalized` (CLI `import --unmasked`, for the
  // operator's terminal only — the HTTP API leaves it false).
  bool unmasked = false;
};

Result<ImportReport> ImportRegistrySheet(storage::Db& db, const io::Sheet& sheet, const ImportOptions& options);
// Reads the file (xlsx/xls/csv by content) and imports it.
Result<ImportReport> ImportRegistryFile(storage::Db& db, const std::string& path, const ImportOptions& options);
// The same for a file's bytes (an upload kept in memory); options.file_name tells the format.
Result<ImportReport> ImportRegistryBytes(storage::Db& db, std::string_view bytes, const ImportOptions& options);

// {"imported":…, "updated":…, "unchanged":…, "rejected":…, "errors":[{"row","column","code","message",…}], …}
nlohmann::json ReportToJson(const ImportReport& report);
// Human-readable Chinese summary for the terminal.
std::string ReportToText(const ImportReport& report);

}  // namespace linli::registry
