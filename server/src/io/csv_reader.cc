// CSV reader: decodes the bytes to UTF-8 and splits them into RFC 4180 records, one row per line.
#include "io/csv_reader.h"

#include <cstdint>
#include <string>

#include "common/text.h"

namespace linli::io {
namespace {

Status FormatError(std::string_view file_name, std::string detail) {
  return Error(ErrorCode::kImportFormat,
               {{"file", std::string(file_name)}, {"detail", std::move(detail)}});
}

// UTF-16 after its byte order mark to UTF-8; unpaired surrogates or an odd byte count fail with
// kImportEncoding naming the line of the bad unit.
Result<std::string> DecodeUtf16(std::string_view bytes, bool little_endian) {
  std::string out;
  out.reserve(bytes.size());
  int line = 1;
  auto unit_at = [&](size_t i) -> uint32_t {
    auto lo = static_cast<uint8_t>(bytes[i + (little_endian ? 0 : 1)]);
    auto hi = static_cast<uint8_t>(bytes[i + (little_endian ? 1 : 0)]);
    return static_cast<uint32_t>(hi) << 8 | lo;
  };
  auto bad = [&line]() {
    return Error(ErrorCode::kImportEncoding, {{"row", std::to_string(line)}});
  };
  if (bytes.size() % 2 != 0) return bad();
  for (size_t i = 2; i < bytes.size(); i += 2) {
    uint32_t unit = unit_at(i);
    if (unit >= 0xDC00 && unit <= 0xDFFF) return bad();
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (i + 4 > bytes.size()) return bad();
      uint32_t low = unit_at(i + 2);
      if (low < 0xDC00 || low > 0xDFFF) return bad();
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    }
    if (unit == '\n') ++line;
    AppendUtf8(unit, &out);
  }
  return out;
}

// '\t' when the first non-empty line has tabs and no commas, else ','.
char DetectDelimiter(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty()) {
      return line.find('\t') != std::string_view::npos && line.find(',') == std::string_view::npos
                 ? '\t'
                 : ',';
    }
    start = end + 1;
  }
  return ',';
}

std::string StemOf(std::string_view file_name) {
  size_t slash = file_name.find_last_of('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  size_t dot = file_name.rfind('.');
  return std::string(dot == std::string_view::npos || dot == 0 ? file_name
                                                               : file_name.substr(0, dot));
}

}  // namespace

Result<Sheet> ReadCsv(std::string_view bytes, std::string_view file_name,
                      const ReadLimits& limits) {
  std::string text;
  if (bytes.size() >= 2 && (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF")) {
    ASSIGN_OR_RETURN(text, DecodeUtf16(bytes, bytes[0] == '\xFF'));
  } else {
    ASSIGN_OR_RETURN(text, DecodeToUtf8(bytes));
  }

  Sheet sheet;
  sheet.name = StemOf(file_name);
  const char delim = DetectDelimiter(text);
  const size_t n = text.size();
  size_t pos = 0;
  size_t line = 0;         // 0-based line of `pos`
  size_t record_line = 0;  // line where the current record started
  uint64_t cells = 0;      // fields of the records stored so far
  std::vector<Cell> record;
  std::string field;

  // Consumes one line break at `pos` (CRLF, CR or LF) if there is one.
  auto skip_line_break = [&]() -> bool {
    if (pos < n && text[pos] == '\r') {
      pos += (pos + 1 < n && text[pos + 1] == '\n') ? 2 : 1;
    } else if (pos < n && text[pos] == '\n') {
      ++pos;
    } else {
      return false;
    }
    ++line;
    return true;
  };

  while (pos < n) {
    field.clear();
    if (text[pos] == '"') {
      size_t quote_line = line;
      ++pos;
      bool closed = false;
      while (pos < n) {
        char ch = text[pos];
        if (ch == '"') {
          if (pos + 1 < n && text[pos + 1] == '"') {
            field.push_back('"');
            pos += 2;
            continue;
          }
          ++pos;
          closed = true;
          break;
        }
        if (ch == '\r' || ch == '\n') {
          skip_line_break();
          field.push_back('\n');
          continue;
        }
        field.push_back(ch);
        ++pos;
      }
      if (!closed) {
        return FormatError(file_name,
                           "第" + std::to_string(quote_line + 1) +
                               "行的单元格以双引号开始，但直到文件末尾都没有对应的结束引号");
      }
    }
    // Unquoted text, or text after a closing quote, up to the delimiter or the end of the line.
    size_t end = pos;
    while (end < n && text[end] != delim && text[end] != '\r' && text[end] != '\n') ++end;
    field.append(text, pos, end - pos);
    pos = end;

    if (cells + record.size() + 1 > limits.max_cells) {
      return FormatError(file_name, "单元格数超过上限" + std::to_string(limits.max_cells) +
                                        "，请拆分文件后再导入");
    }
    Cell cell;
    if (!field.empty()) {
      cell.type = CellType::kText;
      cell.text = field;
    }
    record.push_back(std::move(cell));

    if (pos < n && text[pos] == delim) {
      ++pos;
      if (pos < n) continue;
      record.emplace_back();  // a delimiter right at the end of the file: one more empty field
    }
    // End of the record: the line break or the end of the file. Empty lines are not stored, so
    // trailing ones cost nothing; rows up to a stored record count against the cell limit.
    if (!(record.size() == 1 && record[0].type == CellType::kEmpty)) {
      if (record_line >= limits.max_cells) {
        return FormatError(
            file_name, "行数超过上限" + std::to_string(limits.max_cells) + "，请拆分文件后再导入");
      }
      if (sheet.rows.size() <= record_line) sheet.rows.resize(record_line + 1);
      cells += record.size();
      sheet.rows[record_line] = std::move(record);
    }
    record.clear();
    skip_line_break();
    record_line = line;
  }
  DropTrailingEmpty(&sheet);
  return sheet;
}

}  // namespace linli::io
