// Registry export: the .xlsx offices file for an org unit — a title row with the unit and date, a
// header row of the declared registry columns, one row per person. Values are written as labels
// (汉族, 户主 …) so that the file imports back unchanged. Text cells are always strings, never
// formulas.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "storage/db.h"

namespace linli::registry {

struct ExportOptions {
  std::string org_code;
  std::string out_path;
  bool include_ended = false;
  // Applied to every stored value before it is written (the API masks sensitive fields here).
  std::function<std::string(const std::string& key, const std::string& value)> transform;
};

struct ExportResult {
  int64_t rows = 0;
  std::string path;
  std::string sha256;
};

Result<ExportResult> ExportRegistry(storage::Db& db, const ExportOptions& options);

}  // namespace linli::registry
