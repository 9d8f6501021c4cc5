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
  kText,    // text as typed (UTF-8, not trimmed)
  kNumber,  // a numeric cell; `text` is NumberText(number): integers in full ("123",
            // "110105194912310000", "110101000000000000" when Excel kept only 1.10101E+17),
            // others in the shortest round-trip form ("0.1", "1.5E-07")
  kDate,    // a numeric cell formatted as a date; `number` is the Excel serial (1900 system,
            // 1904 system already converted), `text` is YYYY-MM-DD
  kBool,    // "TRUE"/"FALSE"
  kFormulaNoValue,  // a formula without a cached result
  kError,           // #N/A, #VALUE! …
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
  uint64_t max_file_bytes = 64ull << 20;           // the file itself
  uint64_t max_uncompressed_bytes = 512ull << 20;  // all parts of an .xlsx together (zip bombs)
  uint64_t max_cells = 20'000'000;
};

// Reads the first visible worksheet (hidden and very-hidden sheets are skipped) of an .xlsx/.xls,
// or a .csv (UTF-8 with/without BOM, GBK/GB18030; comma, or tab when the header has tabs and no
// commas; RFC 4180 quotes; CR, LF or CRLF). The format is chosen by content (zip magic, OLE2 magic,
// else text), not by the extension. Errors are kImportFormat / kImportEncoding / kImportTooLarge,
// kImportUnsupported for other binary files (PDF, images, archives…) and kIo when the file cannot
// be read. Trailing empty cells of each row and trailing empty rows are dropped.
// Thread-safe: calls share no state. The readers are in csv_reader.h, xlsx_reader.h, xls_reader.h.
Result<Sheet> ReadSheet(const std::string& path, const ReadLimits& limits = {});
Result<Sheet> ReadSheetFromMemory(std::string_view bytes, std::string_view file_name,
                                  const ReadLimits& limits = {});

// Drops the trailing empty cells of each row and then the trailing empty rows.
void DropTrailingEmpty(Sheet* sheet);

// Copies the top-left value of each range in sheet->merged into the empty cells of that range
// (from_merge = true), limited to the rows and columns that hold data, so that a vertically merged
// household number reaches every member row and a merged title does not widen the sheet. Fails
// with kImportFormat {file, detail} when the cells visited or allocated exceed `max_cells`.
Status FillMergedCells(Sheet* sheet, std::string_view file_name, uint64_t max_cells);

// "A", "B", … "Z", "AA" for a 0-based column index; "" for a negative one.
std::string ColumnLetter(int col);

// The text of a numeric cell: integral values with magnitude below 1e21 in full positional
// notation, other values in the shortest form that reads back to the same double (std::to_chars),
// exponent written "E" as Excel shows it. NaN and infinities give "".
std::string NumberText(double value);

// Converts an Excel serial day number (1900 date system, with Excel's fictitious 1900-02-29)
// to YYYY-MM-DD; returns "" when out of range (below 1 or above 2958465 = 9999-12-31). The
// fractional part (time of day) is ignored. Serial 60, the fictitious 1900-02-29, has no real
// date and also gives "" (the readers then keep such a cell as a plain number).
std::string ExcelSerialToDate(double serial);

// The inverse for real dates: the 1900-system serial of year-month-day (1900-03-01 -> 61);
// 0 when the date is invalid or before 1900-01-01.
double ExcelSerialFromDate(int year, int month, int day);

}  // namespace linli::io
