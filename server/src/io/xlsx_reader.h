// xlsx reader: the first visible worksheet of an Office Open XML workbook, read from memory with
// libzip and streamed through expat.
//
// Parts read: _rels/.rels (where the workbook is), the workbook (sheet order, state="hidden" and
// "veryHidden" sheets skipped, chart/dialog/macro sheets skipped, date1904), its relationships,
// sharedStrings (plain, rich-text runs; phonetic <rPh> runs skipped; _xHHHH_ escapes decoded),
// styles (cellXfs -> number format -> date or not) and the chosen worksheet.
//
// Cells: t="s"/"inlineStr"/"str" -> kText; t="b" -> kBool; t="e" -> kError; numbers -> kNumber,
// or kDate when the cell's format is a date format (built-in ids 14-22, 27-36, 45-47, 50-58, or a
// custom code with y/m/d/h/s outside quotes and brackets) and the serial is a real date (serial 60
// and serials before 1 stay kNumber); 1904-system serials are shifted by 1462. A formula with a
// cached value gives that value; without one it gives kFormulaNoValue with `text` "=" + the
// formula (just "=" for the followers of a shared formula). Cells and rows without an r attribute
// follow the previous one. Merged ranges are listed in Sheet::merged and their empty cells, within
// the extent of the sheet's data, are filled from the top-left cell with from_merge set.
//
// Defences (G5): the uncompressed size of every part is checked against what the zip declares and
// against limits.max_uncompressed_bytes for all parts together while inflating; XML with a DTD or
// entity declaration is refused, external entities are never loaded; cells (including those
// created by merges) are capped at limits.max_cells; malformed input of any kind gives
// kImportFormat {file, detail}. Stateless and thread-safe.
#pragma once

#include <string_view>

#include "io/sheet.h"

namespace linli::io {

Result<Sheet> ReadXlsx(std::string_view bytes, std::string_view file_name,
                       const ReadLimits& limits = {});

// True for Excel's built-in date/time number formats 14-22, 27-36, 45-47 and 50-58.
bool IsBuiltinDateFormat(int num_fmt_id);

// True for a custom number format code that shows a date or time: it contains y, m, d, h or s
// (any case) outside "quoted text", [brackets], \escaped characters and _/* padding. "General"
// and number formats such as "0.00" or "#,##0" are not dates.
bool IsDateFormatCode(std::string_view code);

}  // namespace linli::io
