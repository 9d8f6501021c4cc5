// Format detection and dispatch to the CSV/xlsx/xls readers, plus the small helpers they share.
#include "io/sheet.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "common/time_util.h"
#include "io/csv_reader.h"
#include "io/xls_reader.h"
#include "io/xlsx_reader.h"

namespace linli::io {
namespace {

// Serial 1 is 1900-01-01; from serial 61 on, Excel's count includes the fictitious 1900-02-29,
// so real dates are days since 1899-12-30.
const int kEpoch18991230 = Date{1899, 12, 30}.DaysSinceEpoch();
constexpr double kMaxSerial = 2958465;  // 9999-12-31

bool StartsWith(std::string_view bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() && bytes.substr(0, prefix.size()) == prefix;
}

// ".pdf" for "a/b.PDF"; "（无扩展名）" when there is none.
std::string Extension(std::string_view file_name) {
  size_t slash = file_name.find_last_of('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == file_name.size()) return "（无扩展名）";
  std::string ext(file_name.substr(dot));
  for (char& ch : ext)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return ext;
}

// True for content that is certainly not a text table: well-known binary signatures, or NUL
// bytes near the start of a file without a UTF-16 byte order mark.
bool LooksBinary(std::string_view bytes) {
  using std::string_view_literals::operator""sv;
  static constexpr std::string_view kMagics[] = {"%PDF"sv,
                                                 "\x89PNG"sv,
                                                 "\xFF\xD8\xFF"sv,
                                                 "GIF87a"sv,
                                                 "GIF89a"sv,
                                                 "Rar!\x1A"sv,
                                                 "7z\xBC\xAF"sv,
                                                 "\x1F\x8B"sv,
                                                 "\x7F"
                                                 "ELF"sv,
                                                 "{\\rtf"sv,
                                                 "PK\x05\x06"sv,
                                                 "PK\x07\x08"sv,
                                                 "\x00\x00\x01\x00"sv};
  for (std::string_view magic : kMagics)
    if (StartsWith(bytes, magic)) return true;
  if (StartsWith(bytes, "\xFF\xFE"sv) || StartsWith(bytes, "\xFE\xFF"sv)) return false;
  return bytes.substr(0, 4096).find('\0') != std::string_view::npos;
}

}  // namespace

const Cell& Sheet::at(size_t r, size_t c) const {
  static const Cell kEmptyCell;
  if (r >= rows.size() || c >= rows[r].size()) return kEmptyCell;
  return rows[r][c];
}

void DropTrailingEmpty(Sheet* sheet) {
  for (auto& row : sheet->rows) {
    while (!row.empty() && row.back().type == CellType::kEmpty) row.pop_back();
  }
  while (!sheet->rows.empty() && sheet->rows.back().empty()) sheet->rows.pop_back();
}

Status FillMergedCells(Sheet* sheet, std::string_view file_name, uint64_t max_cells) {
  if (sheet->merged.empty() || sheet->rows.empty()) return Status::Ok();
  int max_row = static_cast<int>(sheet->rows.size()) - 1;
  int max_col = -1;
  uint64_t allocated = sheet->rows.size();
  for (const auto& row : sheet->rows) {
    max_col = std::max(max_col, static_cast<int>(row.size()) - 1);
    allocated += row.size();
  }
  uint64_t visited = 0;
  auto too_many = [&]() {
    return Error(ErrorCode::kImportFormat,
                 {{"file", std::string(file_name)},
                  {"detail", "合并单元格展开后的单元格数超过上限" + std::to_string(max_cells)}});
  };
  for (const MergedRange& range : sheet->merged) {
    if (range.first_row < 0 || range.first_col < 0) continue;
    const Cell origin =
        sheet->at(static_cast<size_t>(range.first_row), static_cast<size_t>(range.first_col));
    if (origin.type == CellType::kEmpty) continue;
    int last_row = std::min(range.last_row, max_row);
    int last_col = std::min(range.last_col, max_col);
    for (int r = range.first_row; r <= last_row; ++r) {
      visited += static_cast<uint64_t>(std::max(0, last_col - range.first_col + 1));
      if (visited > max_cells) return too_many();
      auto& row = sheet->rows[static_cast<size_t>(r)];
      if (static_cast<int>(row.size()) <= last_col) {
        allocated += static_cast<uint64_t>(last_col + 1) - row.size();
        if (allocated > max_cells) return too_many();
        row.resize(static_cast<size_t>(last_col) + 1);
      }
      for (int c = range.first_col; c <= last_col; ++c) {
        if (r == range.first_row && c == range.first_col) continue;
        Cell& cell = row[static_cast<size_t>(c)];
        if (cell.type != CellType::kEmpty) continue;
        cell = origin;
        cell.from_merge = true;
      }
    }
  }
  return Status::Ok();
}

std::string ColumnLetter(int col) {
  if (col < 0) return "";
  std::string out;
  for (int n = col + 1; n > 0; n = (n - 1) / 26) out.insert(out.begin(), char('A' + (n - 1) % 26));
  return out;
}

std::string NumberText(double value) {
  if (!std::isfinite(value)) return "";
  char buf[64];
  std::to_chars_result res;
  if (value == std::trunc(value) && std::fabs(value) < 1e21) {
    if (value == 0) return "0";  // also for -0.0
    res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  } else {
    res = std::to_chars(buf, buf + sizeof buf, value);
  }
  std::string out(buf, res.ptr);
  for (char& ch : out)
    if (ch == 'e') ch = 'E';
  return out;
}

std::string ExcelSerialToDate(double serial) {
  if (!std::isfinite(serial) || serial < 1 || serial >= kMaxSerial + 1) return "";
  int day = static_cast<int>(std::floor(serial));
  if (day == 60) return "";
  if (day < 60) day += 1;  // before the fictitious leap day, serial 1 is 1900-01-01
  return Date::FromDays(kEpoch18991230 + day).ToString();
}

double ExcelSerialFromDate(int year, int month, int day) {
  Date date{year, month, day};
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month))
    return 0;
  int serial = date.DaysSinceEpoch() - kEpoch18991230;
  if (serial <= 60) serial -= 1;  // 1900-01-01 .. 1900-02-28 come before the fictitious day
  return serial;
}

Result<Sheet> ReadSheetFromMemory(std::string_view bytes, std::string_view file_name,
                                  const ReadLimits& limits) {
  if (bytes.size() > limits.max_file_bytes)
    return Error(ErrorCode::kImportTooLarge, {{"size", std::to_string(bytes.size())},
                                              {"limit", std::to_string(limits.max_file_bytes)}});
  if (bytes.empty())
    return Error(ErrorCode::kImportFormat,
                 {{"file", std::string(file_name)}, {"detail", "文件是空的"}});
  Result<Sheet> sheet = Sheet{};
  if (StartsWith(bytes, std::string_view("PK\x03\x04", 4))) {
    sheet = ReadXlsx(bytes, file_name, limits);
  } else if (StartsWith(bytes, "\xD0\xCF\x11\xE0")) {
    sheet = ReadXls(bytes, file_name, limits);
  } else if (LooksBinary(bytes)) {
    return Error(ErrorCode::kImportUnsupported, {{"ext", Extension(file_name)}});
  } else {
    sheet = ReadCsv(bytes, file_name, limits);
  }
  if (sheet.ok()) DropTrailingEmpty(&*sheet);
  return sheet;
}

Result<Sheet> ReadSheet(const std::string& path, const ReadLimits& limits) {
  auto io_error = [&path](int err) {
    return Error(ErrorCode::kIo, {{"path", path}, {"detail", std::strerror(err)}});
  };
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return io_error(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return io_error(err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(ErrorCode::kIo, {{"path", path}, {"detail", "不是普通文件"}});
  }
  if (static_cast<uint64_t>(st.st_size) > limits.max_file_bytes) {
    ::close(fd);
    return Error(ErrorCode::kImportTooLarge, {{"size", std::to_string(st.st_size)},
                                              {"limit", std::to_string(limits.max_file_bytes)}});
  }
  std::string bytes;
  bytes.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return io_error(err);
    }
    if (n == 0) break;  // the file shrank while being read
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  bytes.resize(done);
  size_t slash = path.find_last_of('/');
  std::string file_name = slash == std::string::npos ? path : path.substr(slash + 1);
  return ReadSheetFromMemory(bytes, file_name, limits);
}

}  // namespace linli::io
