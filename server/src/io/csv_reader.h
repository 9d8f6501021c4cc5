// CSV reader: turns the bytes of a .csv (or tab-separated .txt) file into a Sheet of text cells.
//
// Encoding: UTF-8 with or without BOM, GBK/GB18030 (via DecodeToUtf8), and UTF-16LE/BE when the
// file starts with its byte order mark (Excel's "Unicode text"). Records follow RFC 4180: fields
// in double quotes may hold the delimiter, doubled quotes ("") and line breaks; text after a
// closing quote is kept literally; a quote inside an unquoted field is an ordinary character; an
// opening quote that is never closed is an error. Lines end in LF, CRLF or CR (mixed is fine);
// line breaks inside quoted fields become "\n". The delimiter is a tab when the first non-empty
// line contains tabs and no commas, else a comma.
//
// Row numbering: rows[r] is the record that starts on line r+1 of the file as a text editor shows
// it. A record with line breaks inside quotes occupies several lines; it is stored at the line
// where it starts, and the rows of its continuation lines stay empty. Empty lines give empty rows.
//
// Cells are kText, or kEmpty for an empty field; numbers and dates are never guessed. Whitespace
// is kept. Stateless and thread-safe.
#pragma once

#include <string_view>

#include "io/sheet.h"

namespace linli::io {

// Errors: kImportEncoding {row} for bytes that are neither UTF-8 nor GB18030 (or broken UTF-16);
// kImportFormat {file, detail} for an unclosed quote or more than limits.max_cells fields.
Result<Sheet> ReadCsv(std::string_view bytes, std::string_view file_name,
                      const ReadLimits& limits = {});

}  // namespace linli::io
