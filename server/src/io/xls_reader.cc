// xls reader: cell values through FreeXL, plus a small compound-file/BIFF scan for what FreeXL
// does not expose (sheet visibility, merged ranges, formula results, booleans and errors).
#include "io/xls_reader.h"

#include <fcntl.h>
#include <freexl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/text.h"
#include "io/xlsx_reader.h"

namespace linli::io {
namespace {

constexpr uint32_t kEndOfChain = 0xFFFFFFFE;
constexpr uint32_t kFreeSector = 0xFFFFFFFF;
constexpr double kDate1904Offset = 1462;

Status FormatError(std::string_view file_name, std::string detail) {
  return Error(ErrorCode::kImportFormat,
               {{"file", std::string(file_name)}, {"detail", std::move(detail)}});
}

uint16_t U16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8);
}
uint32_t U32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(U16(s, at)) | static_cast<uint32_t>(U16(s, at + 2)) << 16;
}

// BIFF8 character data: `count` characters, UTF-16LE when `wide`, else one byte each (Latin-1).
// Stops at the end of `data`; returns the number of bytes consumed.
size_t AppendBiffChars(std::string_view data, size_t count, bool wide, std::string* out) {
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!wide) {
      if (pos >= data.size()) break;
      AppendUtf8(static_cast<uint8_t>(data[pos++]), out);
      continue;
    }
    if (pos + 2 > data.size()) break;
    uint32_t unit = U16(data, pos);
    pos += 2;
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < count && pos + 2 <= data.size() &&
        U16(data, pos) >= 0xDC00 && U16(data, pos) <= 0xDFFF) {
      unit = 0x10000 + ((unit - 0xD800) << 10) + (U16(data, pos) - 0xDC00);
      pos += 2;
      ++i;
    } else if (unit >= 0xD800 && unit <= 0xDFFF) {
      unit = 0xFFFD;
    }
    AppendUtf8(unit, out);
  }
  return pos;
}

// ---- compound file (OLE2/CFB) ----------------------------------------------------------------

// Reads named streams of a compound file held in memory. Every sector number and chain is
// checked against the file size; loops are cut after as many steps as there are sectors.
class CompoundFile {
 public:
  bool Open(std::string_view data) {
    data_ = data;
    if (data.size() < 512 ||
        data.substr(0, 8) != std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
      return false;
    uint16_t shift = U16(data, 30);
    if (shift != 9 && shift != 12) return false;
    sector_size_ = size_t{1} << shift;
    if (U16(data, 32) != 6) return false;
    major_version_ = U16(data, 26);
    num_sectors_ = (data.size() - 512 + sector_size_ - 1) / sector_size_;
    mini_cutoff_ = U32(data, 56);

    // FAT sector numbers: 109 in the header, the rest in the DIFAT chain.
    std::vector<uint32_t> fat_sectors;
    uint32_t num_fat = U32(data, 44);
    if (num_fat > num_sectors_) return false;
    for (size_t i = 0; i < 109 && fat_sectors.size() < num_fat; ++i) {
      uint32_t s = U32(data, 76 + 4 * i);
      if (s == kFreeSector) break;
      fat_sectors.push_back(s);
    }
    uint32_t difat = U32(data, 68);
    for (size_t steps = 0; fat_sectors.size() < num_fat && difat < num_sectors_; ++steps) {
      if (steps > num_sectors_) return false;
      std::string_view sector = Sector(difat);
      if (sector.size() < sector_size_) return false;
      for (size_t i = 0; i + 1 < sector_size_ / 4 && fat_sectors.size() < num_fat; ++i)
        fat_sectors.push_back(U32(sector, 4 * i));
      difat = U32(sector, sector_size_ - 4);
    }
    for (uint32_t s : fat_sectors) {
      std::string_view sector = Sector(s);
      if (sector.empty()) return false;
      for (size_t i = 0; i + 4 <= sector.size(); i += 4) fat_.push_back(U32(sector, i));
    }
    if (!ReadChain(fat_, U32(data, 48), SIZE_MAX, &directory_)) return false;
    if (directory_.size() < 128 || static_cast<uint8_t>(directory_[66]) != 5) return false;
    return true;
  }

  bool HasStream(std::string_view name) const { return FindEntry(name) >= 0; }

  // The content of stream `name` (ASCII, case-insensitive).
  bool ReadStream(std::string_view name, std::string* out) {
    long entry = FindEntry(name);
    if (entry < 0) return false;
    std::string_view e = std::string_view(directory_).substr(static_cast<size_t>(entry) * 128, 128);
    uint32_t start = U32(e, 116);
    uint64_t size = U32(e, 120);
    if (major_version_ == 4) size |= static_cast<uint64_t>(U32(e, 124)) << 32;
    if (size > data_.size()) return false;
    if (size >= mini_cutoff_) return ReadChain(fat_, start, size, out);
    // Small streams live in the mini stream (the root entry's chain), in 64-byte sectors.
    if (!mini_loaded_) {
      std::string minifat_bytes;
      if (!ReadChain(fat_, U32(data_, 60), SIZE_MAX, &minifat_bytes)) return false;
      for (size_t i = 0; i + 4 <= minifat_bytes.size(); i += 4)
        minifat_.push_back(U32(minifat_bytes, i));
      uint64_t root_size = U32(directory_, 120);
      if (root_size > data_.size() ||
          !ReadChain(fat_, U32(directory_, 116), root_size, &mini_stream_))
        return false;
      mini_loaded_ = true;
    }
    out->clear();
    uint32_t s = start;
    for (size_t steps = 0; out->size() < size; ++steps) {
      if (s >= minifat_.size() || steps > minifat_.size()) return false;
      size_t at = static_cast<size_t>(s) * 64;
      if (at + 64 > mini_stream_.size()) return false;
      out->append(mini_stream_, at, 64);
      s = minifat_[s];
    }
    out->resize(static_cast<size_t>(size));
    return true;
  }

 private:
  std::string_view Sector(uint32_t s) const {
    if (s >= num_sectors_) return {};
    size_t at = 512 + static_cast<size_t>(s) * sector_size_;
    return data_.substr(at, sector_size_);
  }

  // Follows a chain from `start`; `size` (or SIZE_MAX for "to the end of the chain") bytes.
  bool ReadChain(const std::vector<uint32_t>& fat, uint32_t start, uint64_t size,
                 std::string* out) const {
    out->clear();
    uint32_t s = start;
    for (size_t steps = 0; s != kEndOfChain && out->size() < size; ++steps) {
      if (s >= fat.size() || steps > num_sectors_) return false;
      std::string_view sector = Sector(s);
      if (sector.empty()) return false;
      out->append(sector);
      s = fat[s];
    }
    if (size != SIZE_MAX) {
      if (out->size() < size) return false;
      out->resize(static_cast<size_t>(size));
    }
    return true;
  }

  long FindEntry(std::string_view name) const {
    for (size_t i = 0; i + 128 <= directory_.size(); i += 128) {
      std::string_view e = std::string_view(directory_).substr(i, 128);
      uint8_t type = static_cast<uint8_t>(e[66]);
      if (type != 2) continue;  // streams only
      size_t len = U16(e, 64);
      if (len < 2 || len > 64 || (len - 2) / 2 != name.size()) continue;
      bool same = true;
      for (size_t k = 0; k < name.size() && same; ++k) {
        uint16_t ch = U16(e, 2 * k);
        same = ch < 128 && std::tolower(ch) == std::tolower(static_cast<unsigned char>(name[k]));
      }
      if (same) return static_cast<long>(i / 128);
    }
    return -1;
  }

  std::string_view data_;
  size_t sector_size_ = 512;
  size_t num_sectors_ = 0;
  uint16_t major_version_ = 3;
  uint32_t mini_cutoff_ = 4096;
  std::vector<uint32_t> fat_, minifat_;
  std::string directory_, mini_stream_;
  bool mini_loaded_ = false;
};

// ---- BIFF records ----------------------------------------------------------------------------

struct Record {
  uint16_t type = 0;
  std::string_view data;
};

class RecordReader {
 public:
  RecordReader(std::string_view stream, size_t pos) : stream_(stream), pos_(pos) {}
  bool Next(Record* rec) {
    if (pos_ + 4 > stream_.size()) return false;
    rec->type = U16(stream_, pos_);
    size_t len = U16(stream_, pos_ + 2);
    if (pos_ + 4 + len > stream_.size()) return false;
    rec->data = stream_.substr(pos_ + 4, len);
    pos_ += 4 + len;
    return true;
  }
  // The data of the following record if it is a CONTINUE, without consuming anything else.
  bool NextContinue(std::string_view* data) {
    size_t save = pos_;
    Record rec;
    if (Next(&rec) && rec.type == 0x003C) {
      *data = rec.data;
      return true;
    }
    pos_ = save;
    return false;
  }

 private:
  std::string_view stream_;
  size_t pos_;
};

struct BoundSheet {
  uint32_t offset = 0;
  int state = 0;     // 0 visible, 1 hidden, 2 very hidden
  int type = 0;      // 0 worksheet, 1 macro sheet, 2 chart, 6 VB module
  std::string name;  // UTF-8 for BIFF8; empty for BIFF5 (8-bit code page names are not decoded)
};

struct Workbook {
  bool biff8 = true;
  bool encrypted = false;
  bool date1904 = false;
  std::vector<BoundSheet> sheets;
  std::vector<uint16_t> xf_format;                    // XF index -> format index
  std::unordered_map<uint16_t, bool> custom_is_date;  // FORMAT records

  bool XfIsDate(uint16_t xf) const {
    if (xf >= xf_format.size()) return false;
    uint16_t fmt = xf_format[xf];
    auto custom = custom_is_date.find(fmt);
    return custom != custom_is_date.end() ? custom->second : IsBuiltinDateFormat(fmt);
  }
};

// Reads the workbook globals substream. False when the stream does not start with a BIFF5/8 BOF.
bool ReadGlobals(std::string_view stream, Workbook* wb) {
  RecordReader reader(stream, 0);
  Record rec;
  if (!reader.Next(&rec) || rec.type != 0x0809 || rec.data.size() < 4) return false;
  wb->biff8 = U16(rec.data, 0) == 0x0600;
  while (reader.Next(&rec)) {
    std::string_view d = rec.data;
    switch (rec.type) {
      case 0x000A:  // EOF
        return true;
      case 0x002F:  // FILEPASS
        wb->encrypted = true;
        break;
      case 0x0022:  // DATEMODE
        if (d.size() >= 2) wb->date1904 = U16(d, 0) == 1;
        break;
      case 0x0085: {  // BOUNDSHEET
        if (d.size() < 7) break;
        BoundSheet bs;
        bs.offset = U32(d, 0);
        bs.state = static_cast<uint8_t>(d[4]) & 0x03;
        bs.type = static_cast<uint8_t>(d[5]);
        if (wb->biff8 && d.size() >= 8)
          AppendBiffChars(d.substr(8), static_cast<uint8_t>(d[6]), (d[7] & 1) != 0, &bs.name);
        wb->sheets.push_back(std::move(bs));
        break;
      }
      case 0x00E0:  // XF
        if (d.size() >= 4) wb->xf_format.push_back(U16(d, 2));
        break;
      case 0x041E: {  // FORMAT
        std::string code;
        if (wb->biff8 && d.size() >= 5) {
          AppendBiffChars(d.substr(5), U16(d, 2), (d[4] & 1) != 0, &code);
        } else if (!wb->biff8 && d.size() >= 3) {
          code = std::string(d.substr(3, static_cast<uint8_t>(d[2])));  // ASCII is enough here
        }
        if (d.size() >= 2) wb->custom_is_date[U16(d, 0)] = IsDateFormatCode(code);
        break;
      }
      default:
        break;
    }
  }
  return true;
}

std::string BiffErrorText(uint8_t code) {
  switch (code) {
    case 0x00:
      return "#NULL!";
    case 0x07:
      return "#DIV/0!";
    case 0x0F:
      return "#VALUE!";
    case 0x17:
      return "#REF!";
    case 0x1D:
      return "#NAME?";
    case 0x24:
      return "#NUM!";
    case 0x2A:
      return "#N/A";
    default:
      return "#ERROR";
  }
}

Cell NumberCell(double value, bool is_date, bool date1904) {
  if (is_date) {
    double serial = date1904 ? value + kDate1904Offset : value;
    std::string date = ExcelSerialToDate(serial);
    if (!date.empty()) return Cell{CellType::kDate, std::move(date), serial};
  }
  return Cell{CellType::kNumber, NumberText(value), value};
}

// What the sheet substream adds to FreeXL: merged ranges and the cells FreeXL leaves empty
// (formula results, booleans, errors), keyed by (row, col).
struct SheetExtras {
  std::vector<MergedRange> merged;
  std::map<std::pair<int, int>, Cell> cells;
};

void ReadSheetExtras(std::string_view stream, const Workbook& wb, uint32_t offset,
                     SheetExtras* out) {
  if (offset >= stream.size()) return;
  RecordReader reader(stream, offset);
  Record rec;
  int depth = 0;
  std::pair<int, int> pending_string{-1, -1};
  while (reader.Next(&rec)) {
    std::string_view d = rec.data;
    if (rec.type == 0x0809) {
      ++depth;
      continue;
    }
    if (rec.type == 0x000A) {
      if (--depth <= 0) return;
      continue;
    }
    if (depth != 1) continue;                   // embedded chart substreams
    if (rec.type == 0x00E5 && d.size() >= 2) {  // MERGEDCELLS
      size_t count = U16(d, 0);
      for (size_t i = 0; i < count && 2 + 8 * (i + 1) <= d.size(); ++i) {
        size_t at = 2 + 8 * i;
        out->merged.push_back(
            MergedRange{U16(d, at), U16(d, at + 4), U16(d, at + 2), U16(d, at + 6)});
      }
    } else if (rec.type == 0x0006 && d.size() >= 14) {  // FORMULA with its cached result
      std::pair<int, int> at{U16(d, 0), U16(d, 2)};
      uint16_t xf = U16(d, 4);
      std::string_view value = d.substr(6, 8);
      if (static_cast<uint8_t>(value[6]) == 0xFF && static_cast<uint8_t>(value[7]) == 0xFF) {
        switch (static_cast<uint8_t>(value[0])) {
          case 0:  // a string, in the STRING record that follows
            out->cells[at] = Cell{CellType::kFormulaNoValue, "=", 0};
            pending_string = at;
            break;
          case 1:
            out->cells[at] =
                value[2] ? Cell{CellType::kBool, "TRUE", 1} : Cell{CellType::kBool, "FALSE", 0};
            break;
          case 2:
            out->cells[at] =
                Cell{CellType::kError, BiffErrorText(static_cast<uint8_t>(value[2])), 0};
            break;
          default:  // an empty string
            break;
        }
      } else {
        double number = 0;
        uint64_t bits = static_cast<uint64_t>(U32(value, 0)) | static_cast<uint64_t>(U32(value, 4))
                                                                   << 32;
        std::memcpy(&number, &bits, sizeof number);
        if (std::isfinite(number))
          out->cells[at] = NumberCell(number, wb.XfIsDate(xf), wb.date1904);
      }
    } else if (rec.type == 0x0207 && pending_string.first >= 0) {  // STRING
      if (wb.biff8 && d.size() >= 3) {
        std::string text;
        size_t count = U16(d, 0);
        bool wide = (d[2] & 1) != 0;
        std::string_view chars = d.substr(3);
        for (;;) {
          size_t used = AppendBiffChars(chars, count, wide, &text);
          count -= std::min(count, wide ? used / 2 : used);
          std::string_view more;
          if (count == 0 || !reader.NextContinue(&more) || more.empty()) break;
          wide = (more[0] & 1) != 0;
          chars = more.substr(1);
        }
        out->cells[pending_string] =
            text.empty() ? Cell{} : Cell{CellType::kText, std::move(text), 0};
      }
      pending_string = {-1, -1};
    } else if (rec.type == 0x0205 && d.size() >= 8) {  // BOOLERR
      std::pair<int, int> at{U16(d, 0), U16(d, 2)};
      auto v = static_cast<uint8_t>(d[6]);
      out->cells[at] = d[7] == 0 ? Cell{CellType::kBool, v ? "TRUE" : "FALSE", v ? 1.0 : 0.0}
                                 : Cell{CellType::kError, BiffErrorText(v), 0};
    }
  }
}

// FreeXL allocates a cell array per sheet from its DIMENSIONS record and a pointer per shared
// string from the SST header at open time; both are checked here first so that a crafted header
// cannot make it allocate gigabytes.
Status CheckDeclaredSizes(std::string_view stream, bool biff8, const ReadLimits& limits,
                          std::string_view file_name) {
  RecordReader reader(stream, 0);
  Record rec;
  uint64_t cells = 0;
  while (reader.Next(&rec)) {
    std::string_view d = rec.data;
    if (rec.type == 0x0200) {  // DIMENSIONS
      uint64_t rows = biff8 ? (d.size() >= 12 ? U32(d, 4) : 0) : (d.size() >= 8 ? U16(d, 2) : 0);
      uint64_t cols = biff8 ? (d.size() >= 12 ? U16(d, 10) : 0) : (d.size() >= 8 ? U16(d, 6) : 0);
      cells += rows * cols;
      if (cells > limits.max_cells)
        return FormatError(file_name, "工作表声明的大小超过上限" +
                                          std::to_string(limits.max_cells) +
                                          "个单元格，请拆分文件后再导入");
    } else if (rec.type == 0x00FC && d.size() >= 8) {  // SST: each string takes >= 3 bytes
      if (U32(d, 4) > stream.size() / 3 || U32(d, 0) > limits.max_cells)
        return FormatError(file_name, "共享字符串表已损坏");
    }
  }
  return Status::Ok();
}

// ---- FreeXL ----------------------------------------------------------------------------------

struct FreexlHandle {
  const void* handle = nullptr;
  ~FreexlHandle() {
    if (handle != nullptr) freexl_close(handle);
  }
};

// A private copy of the bytes for FreeXL, which only opens paths. Removed by Unlink() (called as
// soon as FreeXL has the file open) or at destruction.
class TempFile {
 public:
  ~TempFile() { Unlink(); }
  Status Write(std::string_view bytes) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/linli-xls-XXXXXX";
    int fd = ::mkstemp(path_.data());
    if (fd < 0) return IoError(errno, false);
    created_ = true;
    ::fchmod(fd, 0600);
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int err = n < 0 ? errno : EIO;
        ::close(fd);
        return IoError(err, true);
      }
      done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) return IoError(errno, true);
    return Status::Ok();
  }
  const std::string& path() const { return path_; }
  void Unlink() {
    if (created_) ::unlink(path_.c_str());
    created_ = false;
  }

 private:
  Status IoError(int err, bool created) {
    if (!created) path_ = path_.substr(0, path_.rfind('/'));
    return Error(ErrorCode::kIo, {{"path", path_}, {"detail", std::strerror(err)}});
  }
  std::string path_;
  bool created_ = false;
};

std::string FreexlErrorDetail(int rc) {
  switch (rc) {
    case FREEXL_INSUFFICIENT_MEMORY:
      return "内存不足，无法读取";
    case FREEXL_BIFF_UNSELECTED_SHEET:
    case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
      return "文件中没有Excel工作簿数据，可能不是xls文件";
    case FREEXL_UNSUPPORTED_CHARSET:
      return "文件使用了不支持的字符集";
    default:
      return "不是有效的xls文件，或文件已损坏（FreeXL错误" + std::to_string(rc) + "）";
  }
}

// Seconds since midnight of "… HH:MM:SS" as a fraction of a day; 0 when absent.
double TimeFraction(std::string_view text) {
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return 0;
  int h = 0, m = 0, s = 0;
  if (std::sscanf(std::string(text.substr(space + 1)).c_str(), "%d:%d:%d", &h, &m, &s) != 3)
    return 0;
  return (h * 3600 + m * 60 + s) / 86400.0;
}

}  // namespace

Result<Sheet> ReadXls(std::string_view bytes, std::string_view file_name,
                      const ReadLimits& limits) {
  CompoundFile cfb;
  if (!cfb.Open(bytes))
    return FormatError(file_name, "不是有效的xls文件（复合文档结构损坏或不完整）");
  if (cfb.HasStream("EncryptedPackage"))
    return FormatError(file_name, "文件设置了打开密码，请在Excel中取消密码后另存再导入");
  std::string stream;
  if (!cfb.ReadStream("Workbook", &stream) && !cfb.ReadStream("Book", &stream))
    return FormatError(file_name, "文件中没有Excel工作簿数据，可能是Word或其他Office文件");

  Workbook wb;
  bool have_globals = ReadGlobals(stream, &wb);
  if (wb.encrypted)
    return FormatError(file_name, "文件设置了密码保护，请在Excel中取消密码后另存再导入");
  const BoundSheet* chosen = nullptr;
  size_t chosen_pos = 0, chosen_worksheet_pos = 0, worksheets = 0;
  for (size_t i = 0; i < wb.sheets.size(); ++i) {
    const BoundSheet& bs = wb.sheets[i];
    if (bs.type != 0) continue;
    if (bs.state == 0 && chosen == nullptr) {
      chosen = &bs;
      chosen_pos = i;
      chosen_worksheet_pos = worksheets;
    }
    ++worksheets;
  }
  if (have_globals && !wb.sheets.empty() && chosen == nullptr)
    return FormatError(file_name, "工作簿中没有可见的工作表");

  if (have_globals) RETURN_IF_ERROR(CheckDeclaredSizes(stream, wb.biff8, limits, file_name));

  TempFile temp;
  RETURN_IF_ERROR(temp.Write(bytes));
  FreexlHandle xl;
  int rc = freexl_open(temp.path().c_str(), &xl.handle);
  temp.Unlink();
  if (rc != FREEXL_OK) return FormatError(file_name, FreexlErrorDetail(rc));
  unsigned int info = 0;
  if (freexl_get_info(xl.handle, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
      info == FREEXL_BIFF_OBFUSCATED)
    return FormatError(file_name, "文件设置了密码保护，请在Excel中取消密码后另存再导入");
  unsigned int sheet_count = 0;
  if (freexl_get_info(xl.handle, FREEXL_BIFF_SHEET_COUNT, &sheet_count) != FREEXL_OK ||
      sheet_count == 0)
    return FormatError(file_name, "工作簿中没有工作表");

  // FreeXL's index of the chosen sheet: by name, else by position.
  unsigned int index = 0;
  if (chosen != nullptr) {
    bool found = false;
    for (unsigned int i = 0; i < sheet_count && !found && !chosen->name.empty(); ++i) {
      const char* name = nullptr;
      if (freexl_get_worksheet_name(xl.handle, static_cast<unsigned short>(i), &name) ==
              FREEXL_OK &&
          name != nullptr && chosen->name == name) {
        index = i;
        found = true;
      }
    }
    if (!found) {
      if (sheet_count == wb.sheets.size()) {
        index = static_cast<unsigned int>(chosen_pos);
      } else if (sheet_count == worksheets) {
        index = static_cast<unsigned int>(chosen_worksheet_pos);
      } else {
        return FormatError(file_name, "无法确定第一个可见工作表，请在Excel中另存为.xlsx后再导入");
      }
    }
  }

  Sheet sheet;
  const char* name = nullptr;
  if (freexl_get_worksheet_name(xl.handle, static_cast<unsigned short>(index), &name) ==
          FREEXL_OK &&
      name != nullptr)
    sheet.name = name;
  if (freexl_select_active_worksheet(xl.handle, static_cast<unsigned short>(index)) != FREEXL_OK)
    return FormatError(file_name, "无法打开工作表“" + sheet.name + "”");
  unsigned int rows = 0;
  unsigned short cols = 0;
  if (freexl_worksheet_dimensions(xl.handle, &rows, &cols) != FREEXL_OK)
    return FormatError(file_name, "无法读取工作表“" + sheet.name + "”的大小");

  SheetExtras extras;
  if (chosen != nullptr) ReadSheetExtras(stream, wb, chosen->offset, &extras);

  uint64_t allocated = 0;
  auto store = [&](unsigned int r, unsigned int c, Cell cell) -> Status {
    if (sheet.rows.size() <= r) {
      allocated += r + 1 - sheet.rows.size();
      sheet.rows.resize(r + 1);
    }
    auto& row = sheet.rows[r];
    if (row.size() <= c) {
      allocated += c + 1 - row.size();
      row.resize(c + 1);
    }
    if (allocated > limits.max_cells)
      return FormatError(file_name, "单元格数超过上限" + std::to_string(limits.max_cells) +
                                        "，请拆分文件后再导入");
    row[c] = std::move(cell);
    return Status::Ok();
  };

  for (unsigned int r = 0; r < rows; ++r) {
    for (unsigned int c = 0; c < cols; ++c) {
      FreeXL_CellValue value;
      if (freexl_get_cell_value(xl.handle, r, static_cast<unsigned short>(c), &value) != FREEXL_OK)
        continue;
      Cell cell;
      switch (value.type) {
        case FREEXL_CELL_INT:
          cell = Cell{CellType::kNumber, NumberText(value.value.int_value),
                      double(value.value.int_value)};
          break;
        case FREEXL_CELL_DOUBLE:
          if (!std::isfinite(value.value.double_value)) break;
          cell = Cell{CellType::kNumber, NumberText(value.value.double_value),
                      value.value.double_value};
          break;
        case FREEXL_CELL_TEXT:
        case FREEXL_CELL_SST_TEXT:
          if (value.value.text_value != nullptr && *value.value.text_value != '\0')
            cell = Cell{CellType::kText, value.value.text_value, 0};
          break;
        case FREEXL_CELL_DATE:
        case FREEXL_CELL_DATETIME: {
          std::string_view text = value.value.text_value != nullptr ? value.value.text_value : "";
          int y = 0, m = 0, d = 0;
          double serial = 0;
          if (std::sscanf(std::string(text.substr(0, 10)).c_str(), "%d-%d-%d", &y, &m, &d) == 3)
            serial = ExcelSerialFromDate(y, m, d);
          if (serial >= 1) {
            cell =
                Cell{CellType::kDate, std::string(text.substr(0, 10)), serial + TimeFraction(text)};
          } else if (!text.empty()) {
            cell = Cell{CellType::kText, std::string(text), 0};
          }
          break;
        }
        case FREEXL_CELL_TIME:
          if (value.value.text_value != nullptr && *value.value.text_value != '\0')
            cell = Cell{CellType::kText, value.value.text_value, 0};
          break;
        default:
          break;
      }
      if (cell.type == CellType::kEmpty) continue;
      RETURN_IF_ERROR(store(r, c, std::move(cell)));
    }
  }
  // Formula results (FreeXL reports them as empty), booleans and errors (FreeXL reports them as
  // integers) from the sheet's own records.
  for (auto& [at, cell] : extras.cells) {
    if (cell.type == CellType::kEmpty) continue;
    RETURN_IF_ERROR(store(static_cast<unsigned int>(at.first), static_cast<unsigned int>(at.second),
                          std::move(cell)));
  }
  sheet.merged = std::move(extras.merged);
  RETURN_IF_ERROR(FillMergedCells(&sheet, file_name, limits.max_cells));
  DropTrailingEmpty(&sheet);
  return sheet;
}

}  // namespace linli::io
