// xls reader: the first visible worksheet of a legacy Excel 97-2003 (BIFF5/BIFF8) workbook.
//
// Cell values come from FreeXL. FreeXL needs a path, so the bytes are written to a private temp
// file (mkstemp in $TMPDIR or /tmp, mode 0600) that is unlinked as soon as FreeXL has opened it.
// FreeXL exposes neither sheet visibility nor merged ranges, so a small bounds-checked reader of
// the compound file (OLE2/CFB) and the BIFF records supplies both: the BOUNDSHEET records give
// each sheet's visibility and type (hidden/very hidden and chart/macro sheets are skipped), the
// MERGEDCELLS records of the chosen sheet give Sheet::merged, filled as for xlsx.
//
// Cells: text -> kText; integers and doubles -> kNumber (text by NumberText); dates -> kDate
// (`text` YYYY-MM-DD, `number` the 1900-system serial, with the time of day as the fraction for
// date-times; the 1904 system is converted by FreeXL); a time of day alone -> kText "HH:MM:SS".
// Formulas give their cached numeric result as FreeXL reports it; booleans come as numbers 1/0
// and error values as empty cells, since FreeXL does not tell them apart.
//
// Errors: kImportFormat {file, detail} for a damaged or password-protected file (including an
// encrypted .xlsx, which is also an OLE2 file) or more than limits.max_cells cells; kIo {path,
// detail} when the temp file cannot be written. Thread-safe: each call has its own temp file and
// FreeXL handle.
#pragma once

#include <string_view>

#include "io/sheet.h"

namespace linli::io {

Result<Sheet> ReadXls(std::string_view bytes, std::string_view file_name,
                      const ReadLimits& limits = {});

}  // namespace linli::io
