// A spreadsheet read into memory as offices keep them: the readers for .csv, .xlsx and .xls all
// produce this one grid, and the importers work on it without knowing the file format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace linli::io {

enum class CellType {
  kEmpty,
  kText,     // text as typed (UTF-8, not trimmed)
  kNumber,   // a numeric cell; `text` holds the shortest round-trip decimal form ("1.10101E+17"
             // style when Excel stored only that precision, "123" for integers)
  kDate,     // a numeric cell formatted as a date; `number` is the Excel serial (1900 system,
             // 1904 system already converted), `text` is YYYY-MM-DD
  kBool,     // "TRUE"/"FALSE"
  kFormulaNoValue,  // a formula without a cached result
  kError,    // #N/A, #VALUE! …
};

struct Cell {
  CellType type = CellType::kEmpty;
  std::string text;
  double number = 0;
  bool from_merge = false;  // value copied from the top-left cell of a merged range
};

struct MergedRange {
  int first_row, first_col, last_row, last_col;  // 0-based, inclusive
};

struct Sheet {
  std::string name;
  // rows[r][c]; r and c are 0-based. Row r is shown by Excel as row r+1 (for CSV: line r+1).
  // Rows may have different lengths; missing cells are empty.
  std::vector<std::vector<Cell>> rows;
  std::vector<MergedRange> merged;  // merged ranges; their cells are filled from the top-left
  const Cell& at(size_t r, size_t c) const;
};

struct ReadLimits {
  uint64_t max_file_bytes = 64ull << 20;         // the file itself
  uint64_t max_uncompressed_bytes = 512ull << 20;  // all parts of an .xlsx together (zip bombs)
  uint64_t max_cells = 20'000'000;
};

// Reads the first visible worksheet (hidden and very-hidden sheets are skipped) of an .xlsx/.xls,
// or a .csv (UTF-8 with/without BOM, GBK/GB18030; comma, or tab when the header has tabs and no
// commas; RFC 4180 quotes; CR, LF or CRLF). The format is chosen by content (zip magic, OLE2 magic,
// else text), not by the extension. Errors are kImportFormat / kImportEncoding / kImportTooLarge.
Result<Sheet> ReadSheet(const std::string& path, const ReadLimits& limits = {});
Result<Sheet> ReadSheetFromMemory(std::string_view bytes, std::string_view file_name,
                                  const ReadLimits& limits = {});

// "A", "B", … "Z", "AA" for a 0-based column index.
std::string ColumnLetter(int col);

// Converts an Excel serial day number (1900 date system, with Excel's fictitious 1900-02-29)
// to YYYY-MM-DD; returns "" when out of range.
std::string ExcelSerialToDate(double serial);

}  // namespace linli::io
