// xlsx reader: unzips the workbook parts under size limits and turns the first visible worksheet
// into a Sheet with expat handlers that refuse DTDs.
#include "io/xlsx_reader.h"

#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace linli::io {
namespace {

constexpr int kMaxRows = 1'048'576;
constexpr int kMaxCols = 16'384;
constexpr double kDate1904Offset = 1462;

Status FormatError(std::string_view file_name, std::string detail) {
  return Error(ErrorCode::kImportFormat,
               {{"file", std::string(file_name)}, {"detail", std::move(detail)}});
}

std::string_view LocalName(const char* name) {
  std::string_view s(name);
  size_t colon = s.rfind(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

// The value of attribute `local` (namespace prefix ignored), or nullptr.
const char* Attr(const char** attrs, std::string_view local) {
  for (int i = 0; attrs[i] != nullptr; i += 2)
    if (LocalName(attrs[i]) == local) return attrs[i + 1];
  return nullptr;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool ParseInt(std::string_view s, long long* out) {
  s = Trim(s);
  if (s.empty()) return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* out) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size() && std::isfinite(*out);
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes OOXML's _xHHHH_ escapes (used for control characters, and _x005F_ for a literal "_x").
// Escapes of surrogate halves are left as written.
std::string DecodeEscapes(std::string_view s) {
  if (s.find("_x") == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '_' && i + 7 <= s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
      uint32_t cp = 0;
      auto res = std::from_chars(s.data() + i + 2, s.data() + i + 6, cp, 16);
      if (res.ec == std::errc() && res.ptr == s.data() + i + 6 && (cp < 0xD800 || cp > 0xDFFF)) {
        AppendUtf8(cp, &out);
        i += 7;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

// "B3" -> row 2, col 1 (0-based). Accepts '$' anchors. False for anything else or out of range.
bool ParseCellRef(std::string_view ref, int* row, int* col) {
  size_t i = 0;
  if (i < ref.size() && ref[i] == '$') ++i;
  int c = 0, letters = 0;
  while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i]))) {
    if (++letters > 3) return false;
    c = c * 26 + (std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    ++i;
  }
  if (i < ref.size() && ref[i] == '$') ++i;
  long long r = 0;
  if (letters == 0 || c > kMaxCols || !ParseInt(ref.substr(i), &r) || r < 1 || r > kMaxRows ||
      ref.substr(i).find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  *row = static_cast<int>(r - 1);
  *col = c - 1;
  return true;
}

// "A1:F1" (or "A1" for a single cell).
bool ParseRangeRef(std::string_view ref, MergedRange* range) {
  size_t colon = ref.find(':');
  std::string_view first = ref.substr(0, colon);
  std::string_view last = colon == std::string_view::npos ? first : ref.substr(colon + 1);
  if (!ParseCellRef(first, &range->first_row, &range->first_col) ||
      !ParseCellRef(last, &range->last_row, &range->last_col))
    return false;
  if (range->first_row > range->last_row) std::swap(range->first_row, range->last_row);
  if (range->first_col > range->last_col) std::swap(range->first_col, range->last_col);
  return true;
}

// Joins a relationship target to the folder of the part that refers to it.
std::string ResolvePartPath(std::string_view base_dir, std::string_view target) {
  std::string joined = !target.empty() && target.front() == '/'
                           ? std::string(target.substr(1))
                           : std::string(base_dir) + std::string(target);
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string seg = joined.substr(start, slash - start);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& seg : parts) out += (out.empty() ? "" : "/") + seg;
  return out;
}

std::string DirOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash + 1));
}

// ---- zip access ------------------------------------------------------------------------------

struct ZipCloser {
  void operator()(zip_t* za) const { zip_discard(za); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* zf) const { zip_fclose(zf); }
};

class Archive {
 public:
  Archive(zip_t* za, std::string_view file_name, uint64_t budget)
      : za_(za), file_name_(file_name), budget_(budget) {}

  bool Has(const std::string& name) const { return Locate(name) >= 0; }

  // Feeds the inflated bytes of part `name` to `sink` chunk by chunk.
  Status Stream(const std::string& name, const std::function<Status(const char*, size_t)>& sink) {
    zip_int64_t index = Locate(name);
    if (index < 0) return FormatError(file_name_, "缺少文件内部的“" + name + "”部分");
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za_.get(), static_cast<zip_uint64_t>(index), 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE))
      return FormatError(file_name_, "“" + name + "”部分的大小无法读取，文件可能已损坏");
    if (st.size > budget_) {
      return FormatError(file_name_, "“" + name + "”部分解压后有" + std::to_string(st.size) +
                                         "字节，超过上限（可能是压缩炸弹）");
    }
    std::unique_ptr<zip_file_t, ZipFileCloser> zf(
        zip_fopen_index(za_.get(), static_cast<zip_uint64_t>(index), 0));
    if (!zf) {
      return FormatError(file_name_, "“" + name + "”部分无法解压（" +
                                         std::string(zip_strerror(za_.get())) +
                                         "），文件可能已损坏或加密");
    }
    std::vector<char> buf(64 * 1024);
    uint64_t total = 0;
    for (;;) {
      zip_int64_t n = zip_fread(zf.get(), buf.data(), buf.size());
      if (n < 0) return FormatError(file_name_, "“" + name + "”部分解压失败，文件已损坏");
      if (n == 0) break;
      total += static_cast<uint64_t>(n);
      if (total > st.size)
        return FormatError(file_name_,
                           "“" + name + "”部分解压后比声明的大小更大（可能是压缩炸弹）");
      budget_ -= static_cast<uint64_t>(n);
      RETURN_IF_ERROR(sink(buf.data(), static_cast<size_t>(n)));
    }
    if (total != st.size) return FormatError(file_name_, "“" + name + "”部分不完整，文件已损坏");
    return Status::Ok();
  }

 private:
  zip_int64_t Locate(const std::string& name) const {
    return zip_name_locate(za_.get(), name.c_str(), ZIP_FL_NOCASE);
  }

  std::unique_ptr<zip_t, ZipCloser> za_;
  std::string file_name_;
  uint64_t budget_;
};

// ---- expat plumbing --------------------------------------------------------------------------

// Base of the part handlers. A handler stops the parse by calling Fail().
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void Start(std::string_view name, const char** attrs) = 0;
  virtual void End(std::string_view name) = 0;
  virtual void Text(const char* s, int len) {}

  void Fail(Status status) {
    if (status_.ok()) status_ = std::move(status);
    XML_StopParser(parser_, XML_FALSE);
  }
  const Status& status() const { return status_; }
  void set_parser(XML_Parser parser) { parser_ = parser; }

 private:
  XML_Parser parser_ = nullptr;
  Status status_;
};

struct ParserCloser {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};

constexpr const char* kDtdRefused = "文件含有不允许的DTD/实体声明";

Status ParsePart(Archive& archive, const std::string& part, std::string_view file_name,
                 XmlHandler& handler) {
  std::unique_ptr<XML_ParserStruct, ParserCloser> parser(XML_ParserCreate(nullptr));
  if (!parser) return Internal("XML_ParserCreate failed");
  XML_Parser p = parser.get();
  handler.set_parser(p);
  XML_SetUserData(p, &handler);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
  XML_SetElementHandler(
      p,
      [](void* data, const XML_Char* name, const XML_Char** attrs) {
        static_cast<XmlHandler*>(data)->Start(LocalName(name), attrs);
      },
      [](void* data, const XML_Char* name) {
        static_cast<XmlHandler*>(data)->End(LocalName(name));
      });
  XML_SetCharacterDataHandler(p, [](void* data, const XML_Char* s, int len) {
    static_cast<XmlHandler*>(data)->Text(s, len);
  });
  XML_SetStartDoctypeDeclHandler(
      p, [](void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        static_cast<XmlHandler*>(data)->Fail(
            Error(ErrorCode::kImportFormat, {{"detail", kDtdRefused}}));
      });
  XML_SetEntityDeclHandler(
      p, [](void* data, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
            const XML_Char*, const XML_Char*, const XML_Char*) {
        static_cast<XmlHandler*>(data)->Fail(
            Error(ErrorCode::kImportFormat, {{"detail", kDtdRefused}}));
      });

  auto parse_error = [&]() -> Status {
    if (!handler.status().ok()) {
      // Handlers leave {file} to this point.
      if (handler.status().code() == ErrorCode::kImportFormat)
        return FormatError(file_name, handler.status().Param("detail"));
      return handler.status();
    }
    return FormatError(file_name, "“" + part + "”第" + std::to_string(XML_GetCurrentLineNumber(p)) +
                                      "行不是有效的XML（" + XML_ErrorString(XML_GetErrorCode(p)) +
                                      "）");
  };
  Status streamed = archive.Stream(part, [&](const char* data, size_t len) -> Status {
    // XML_Parse takes an int length; chunks are at most 64 KiB.
    if (XML_Parse(p, data, static_cast<int>(len), XML_FALSE) != XML_STATUS_OK) return parse_error();
    return Status::Ok();
  });
  RETURN_IF_ERROR(streamed);
  if (XML_Parse(p, "", 0, XML_TRUE) != XML_STATUS_OK) return parse_error();
  return handler.status().ok() ? Status::Ok() : parse_error();
}

// ---- part handlers ---------------------------------------------------------------------------

struct Relationship {
  std::string id, type, target;
};

class RelsHandler : public XmlHandler {
 public:
  std::vector<Relationship> rels;
  void Start(std::string_view name, const char** attrs) override {
    if (name != "Relationship") return;
    const char* mode = Attr(attrs, "TargetMode");
    if (mode != nullptr && std::string_view(mode) == "External") return;  // never followed
    const char* id = Attr(attrs, "Id");
    const char* type = Attr(attrs, "Type");
    const char* target = Attr(attrs, "Target");
    if (id && type && target) rels.push_back({id, type, target});
  }
  void End(std::string_view) override {}
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct SheetEntry {
  std::string name, state, rel_id;
};

class WorkbookHandler : public XmlHandler {
 public:
  std::vector<SheetEntry> sheets;
  bool date1904 = false;
  void Start(std::string_view name, const char** attrs) override {
    if (name == "workbookPr") {
      const char* v = Attr(attrs, "date1904");
      date1904 = v != nullptr && (std::string_view(v) == "1" || std::string_view(v) == "true");
    } else if (name == "sheet") {
      const char* sheet_name = Attr(attrs, "name");
      const char* state = Attr(attrs, "state");
      const char* id = Attr(attrs, "id");
      sheets.push_back({sheet_name ? sheet_name : "", state ? state : "visible", id ? id : ""});
    }
  }
  void End(std::string_view) override {}
};

class SharedStringsHandler : public XmlHandler {
 public:
  SharedStringsHandler(std::vector<std::string>* strings, uint64_t max_items)
      : strings_(strings), max_items_(max_items) {}
  void Start(std::string_view name, const char**) override {
    if (name == "si") {
      in_si_ = true;
      current_.clear();
    } else if (name == "rPh") {
      ++phonetic_depth_;
    } else if (name == "t" && in_si_ && phonetic_depth_ == 0) {
      in_t_ = true;
    }
  }
  void End(std::string_view name) override {
    if (name == "t") {
      in_t_ = false;
    } else if (name == "rPh") {
      if (phonetic_depth_ > 0) --phonetic_depth_;
    } else if (name == "si") {
      in_si_ = false;
      if (strings_->size() >= max_items_) {
        Fail(Error(ErrorCode::kImportFormat, {{"detail", "共享字符串数量超过上限"}}));
        return;
      }
      strings_->push_back(DecodeEscapes(current_));
    }
  }
  void Text(const char* s, int len) override {
    if (in_t_) current_.append(s, static_cast<size_t>(len));
  }

 private:
  std::vector<std::string>* strings_;
  uint64_t max_items_;
  std::string current_;
  bool in_si_ = false, in_t_ = false;
  int phonetic_depth_ = 0;
};

class StylesHandler : public XmlHandler {
 public:
  explicit StylesHandler(uint64_t max_items) : max_items_(max_items) {}
  std::unordered_map<long long, bool> custom_is_date;
  std::vector<long long> xf_num_fmt;  // cellXfs index -> numFmtId

  void Start(std::string_view name, const char** attrs) override {
    if (name == "numFmt") {
      const char* id = Attr(attrs, "numFmtId");
      const char* code = Attr(attrs, "formatCode");
      long long num = 0;
      if (id && code && ParseInt(id, &num)) custom_is_date[num] = IsDateFormatCode(code);
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      if (xf_num_fmt.size() >= max_items_) {
        Fail(Error(ErrorCode::kImportFormat, {{"detail", "单元格样式数量超过上限"}}));
        return;
      }
      const char* id = Attr(attrs, "numFmtId");
      long long num = 0;
      if (id == nullptr || !ParseInt(id, &num)) num = 0;
      xf_num_fmt.push_back(num);
    }
  }
  void End(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }

 private:
  uint64_t max_items_;
  bool in_cell_xfs_ = false;
};

class WorksheetHandler : public XmlHandler {
 public:
  WorksheetHandler(Sheet* sheet, const std::vector<std::string>* strings,
                   const std::vector<bool>* xf_is_date, bool date1904, uint64_t max_cells)
      : sheet_(sheet),
        strings_(strings),
        xf_is_date_(xf_is_date),
        date1904_(date1904),
        max_cells_(max_cells) {}

  void Start(std::string_view name, const char** attrs) override {
    if (in_c_) {
      if (name == "v") {
        in_v_ = true;
        has_v_ = true;
      } else if (name == "f") {
        in_f_ = true;
        has_f_ = true;
      } else if (name == "is") {
        in_is_ = true;
      } else if (name == "rPh") {
        ++phonetic_depth_;
      } else if (name == "t" && in_is_ && phonetic_depth_ == 0) {
        in_t_ = true;
      }
      return;
    }
    if (name == "row") {
      const char* r = Attr(attrs, "r");
      long long num = 0;
      if (r == nullptr) {
        ++row_;
      } else if (ParseInt(r, &num) && num >= 1 && num <= kMaxRows) {
        row_ = static_cast<int>(num - 1);
      } else {
        return Fail(
            Error(ErrorCode::kImportFormat, {{"detail", std::string("行号“") + r + "”无效"}}));
      }
      if (row_ >= kMaxRows)
        return Fail(Error(ErrorCode::kImportFormat, {{"detail", "行数超过Excel上限"}}));
      col_ = -1;
    } else if (name == "c") {
      in_c_ = true;
      has_v_ = has_f_ = in_v_ = in_f_ = in_is_ = in_t_ = false;
      phonetic_depth_ = 0;
      value_.clear();
      formula_.clear();
      inline_.clear();
      const char* t = Attr(attrs, "t");
      type_ = t ? t : "n";
      const char* s = Attr(attrs, "s");
      long long style = 0;
      style_ = s != nullptr && ParseInt(s, &style) && style >= 0 ? style : 0;
      const char* r = Attr(attrs, "r");
      if (r != nullptr) {
        int row = 0, col = 0;
        if (!ParseCellRef(r, &row, &col))
          return Fail(Error(ErrorCode::kImportFormat,
                            {{"detail", std::string("单元格位置“") + r + "”无效"}}));
        row_ = row;
        col_ = col;
      } else {
        if (row_ < 0) row_ = 0;
        if (++col_ >= kMaxCols)
          return Fail(Error(ErrorCode::kImportFormat, {{"detail", "列数超过Excel上限"}}));
      }
    } else if (name == "mergeCell") {
      const char* ref = Attr(attrs, "ref");
      MergedRange range{};
      if (ref == nullptr || !ParseRangeRef(ref, &range))
        return Fail(Error(ErrorCode::kImportFormat, {{"detail", "合并单元格范围无效"}}));
      if (sheet_->merged.size() >= max_cells_)
        return Fail(Error(ErrorCode::kImportFormat, {{"detail", "合并单元格数量超过上限"}}));
      sheet_->merged.push_back(range);
    }
  }

  void End(std::string_view name) override {
    if (!in_c_) return;
    if (name == "v") {
      in_v_ = false;
    } else if (name == "f") {
      in_f_ = false;
    } else if (name == "is") {
      in_is_ = false;
    } else if (name == "rPh") {
      if (phonetic_depth_ > 0) --phonetic_depth_;
    } else if (name == "t") {
      in_t_ = false;
    } else if (name == "c") {
      in_c_ = false;
      FinishCell();
    }
  }

  void Text(const char* s, int len) override {
    if (in_v_) {
      value_.append(s, static_cast<size_t>(len));
    } else if (in_f_) {
      formula_.append(s, static_cast<size_t>(len));
    } else if (in_t_) {
      inline_.append(s, static_cast<size_t>(len));
    }
  }

 private:
  std::string Ref() const { return ColumnLetter(col_) + std::to_string(row_ + 1); }
  void CellError(std::string what) {
    Fail(Error(ErrorCode::kImportFormat, {{"detail", "单元格" + Ref() + what}}));
  }

  void FinishCell() {
    Cell cell;
    // An empty <v/> holds no value (only string results may be empty strings).
    if (has_v_ && type_ != "str" && Trim(value_).empty()) has_v_ = false;
    if (has_f_ && !has_v_ && type_ != "inlineStr") {
      cell.type = CellType::kFormulaNoValue;
      cell.text = "=" + std::string(Trim(formula_));
    } else if (type_ == "s") {
      if (!has_v_) return;
      long long index = -1;
      if (!ParseInt(value_, &index) || index < 0 ||
          static_cast<unsigned long long>(index) >= strings_->size())
        return CellError("引用的共享字符串（第" + std::string(Trim(value_)) + "项）不存在");
      cell.text = (*strings_)[static_cast<size_t>(index)];
      cell.type = cell.text.empty() ? CellType::kEmpty : CellType::kText;
    } else if (type_ == "inlineStr" || type_ == "str") {
      cell.text = DecodeEscapes(type_ == "str" ? value_ : inline_);
      cell.type = cell.text.empty() ? CellType::kEmpty : CellType::kText;
    } else if (type_ == "b") {
      if (!has_v_) return;
      std::string_view v = Trim(value_);
      if (v == "1" || v == "true") {
        cell = Cell{CellType::kBool, "TRUE", 1};
      } else if (v == "0" || v == "false") {
        cell = Cell{CellType::kBool, "FALSE", 0};
      } else {
        return CellError("的逻辑值“" + std::string(v) + "”无效");
      }
    } else if (type_ == "e") {
      if (!has_v_) return;
      cell.type = CellType::kError;
      cell.text = std::string(Trim(value_));
    } else if (type_ == "d") {
      // ISO 8601 date (strict OOXML); the time part is ignored.
      std::string_view v = Trim(value_);
      int y = 0, m = 0, d = 0;
      double serial = 0;
      if (v.size() >= 10 && v[4] == '-' && v[7] == '-' &&
          std::from_chars(v.data(), v.data() + 4, y).ec == std::errc() &&
          std::from_chars(v.data() + 5, v.data() + 7, m).ec == std::errc() &&
          std::from_chars(v.data() + 8, v.data() + 10, d).ec == std::errc())
        serial = ExcelSerialFromDate(y, m, d);
      if (serial < 1) return CellError("的日期“" + std::string(v) + "”无效");
      cell = Cell{CellType::kDate, ExcelSerialToDate(serial), serial};
    } else if (type_ == "n") {
      if (!has_v_) return;
      double number = 0;
      if (!ParseDouble(value_, &number))
        return CellError("的数值“" + std::string(Trim(value_).substr(0, 40)) + "”无法识别");
      bool is_date = static_cast<size_t>(style_) < xf_is_date_->size() &&
                     (*xf_is_date_)[static_cast<size_t>(style_)];
      if (is_date) {
        double serial = date1904_ ? number + kDate1904Offset : number;
        std::string date = ExcelSerialToDate(serial);
        if (!date.empty()) cell = Cell{CellType::kDate, std::move(date), serial};
      }
      if (cell.type == CellType::kEmpty) cell = Cell{CellType::kNumber, NumberText(number), number};
    } else {
      return CellError("的类型“" + type_ + "”无法识别");
    }
    if (cell.type == CellType::kEmpty) return;
    Store(std::move(cell));
  }

  void Store(Cell cell) {
    auto r = static_cast<size_t>(row_);
    auto c = static_cast<size_t>(col_);
    if (sheet_->rows.size() <= r) {
      allocated_ += r + 1 - sheet_->rows.size();
      if (allocated_ > max_cells_) return TooMany();
      sheet_->rows.resize(r + 1);
    }
    auto& row = sheet_->rows[r];
    if (row.size() <= c) {
      allocated_ += c + 1 - row.size();
      if (allocated_ > max_cells_) return TooMany();
      row.resize(c + 1);
    }
    row[c] = std::move(cell);
  }
  void TooMany() {
    Fail(Error(
        ErrorCode::kImportFormat,
        {{"detail", "单元格数超过上限" + std::to_string(max_cells_) + "，请拆分文件后再导入"}}));
  }

  Sheet* sheet_;
  const std::vector<std::string>* strings_;
  const std::vector<bool>* xf_is_date_;
  bool date1904_;
  uint64_t max_cells_;
  uint64_t allocated_ = 0;

  int row_ = -1, col_ = -1;
  bool in_c_ = false, in_v_ = false, in_f_ = false, in_is_ = false, in_t_ = false;
  bool has_v_ = false, has_f_ = false;
  int phonetic_depth_ = 0;
  std::string type_;
  long long style_ = 0;
  std::string value_, formula_, inline_;
};

}  // namespace

bool IsBuiltinDateFormat(int id) {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
         (id >= 50 && id <= 58);
}

bool IsDateFormatCode(std::string_view code) {
  std::string lower;
  for (char ch : code)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  if (Trim(lower) == "general") return false;
  for (size_t i = 0; i < lower.size(); ++i) {
    char ch = lower[i];
    if (ch == '"') {
      size_t end = lower.find('"', i + 1);
      if (end == std::string::npos) return false;
      i = end;
    } else if (ch == '[') {
      size_t end = lower.find(']', i + 1);
      if (end == std::string::npos) return false;
      std::string_view inside = std::string_view(lower).substr(i + 1, end - i - 1);
      // [h], [mm], [ss]: elapsed time, still a time format.
      if (!inside.empty() && inside.find_first_not_of("hms") == std::string_view::npos) return true;
      i = end;
    } else if (ch == '\\' || ch == '_' || ch == '*') {
      ++i;  // the next character is literal (or padding)
    } else if (ch == 'y' || ch == 'm' || ch == 'd' || ch == 'h' || ch == 's') {
      return true;
    }
  }
  return false;
}

Result<Sheet> ReadXlsx(std::string_view bytes, std::string_view file_name,
                       const ReadLimits& limits) {
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &zerr);
  if (src == nullptr) {
    zip_error_fini(&zerr);
    return Internal("zip_source_buffer_create failed");
  }
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
  if (za == nullptr) {
    zip_source_free(src);
    zip_error_fini(&zerr);
    return FormatError(file_name, "不是有效的xlsx文件（压缩包损坏或不完整）");
  }
  zip_error_fini(&zerr);
  Archive archive(za, file_name, limits.max_uncompressed_bytes);

  // Where the workbook is: the officeDocument relationship of the package.
  std::string workbook_path = "xl/workbook.xml";
  if (archive.Has("_rels/.rels")) {
    RelsHandler root;
    RETURN_IF_ERROR(ParsePart(archive, "_rels/.rels", file_name, root));
    for (const auto& rel : root.rels)
      if (EndsWith(rel.type, "/officeDocument")) workbook_path = ResolvePartPath("", rel.target);
  }
  if (!archive.Has(workbook_path)) {
    return FormatError(file_name,
                       "压缩包中没有Excel工作簿（xl/workbook.xml），可能是.docx、.ods或其他格式");
  }
  std::string workbook_dir = DirOf(workbook_path);
  std::string workbook_rels =
      workbook_dir + "_rels/" + workbook_path.substr(workbook_dir.size()) + ".rels";

  WorkbookHandler workbook;
  RETURN_IF_ERROR(ParsePart(archive, workbook_path, file_name, workbook));
  RelsHandler rels;
  if (archive.Has(workbook_rels))
    RETURN_IF_ERROR(ParsePart(archive, workbook_rels, file_name, rels));

  // The first visible worksheet (chart, dialog and macro sheets are not tables).
  const SheetEntry* chosen = nullptr;
  std::string sheet_path;
  for (const auto& entry : workbook.sheets) {
    if (entry.state == "hidden" || entry.state == "veryHidden") continue;
    auto rel = std::find_if(rels.rels.begin(), rels.rels.end(),
                            [&](const Relationship& r) { return r.id == entry.rel_id; });
    if (rel == rels.rels.end() || !EndsWith(rel->type, "/worksheet")) continue;
    chosen = &entry;
    sheet_path = ResolvePartPath(workbook_dir, rel->target);
    break;
  }
  if (chosen == nullptr) return FormatError(file_name, "工作簿中没有可见的工作表");

  std::string strings_path = workbook_dir + "sharedStrings.xml";
  std::string styles_path = workbook_dir + "styles.xml";
  for (const auto& rel : rels.rels) {
    if (EndsWith(rel.type, "/sharedStrings"))
      strings_path = ResolvePartPath(workbook_dir, rel.target);
    if (EndsWith(rel.type, "/styles")) styles_path = ResolvePartPath(workbook_dir, rel.target);
  }

  std::vector<std::string> strings;
  if (archive.Has(strings_path)) {
    SharedStringsHandler handler(&strings, limits.max_cells);
    RETURN_IF_ERROR(ParsePart(archive, strings_path, file_name, handler));
  }
  std::vector<bool> xf_is_date;
  if (archive.Has(styles_path)) {
    StylesHandler styles(limits.max_cells);
    RETURN_IF_ERROR(ParsePart(archive, styles_path, file_name, styles));
    xf_is_date.reserve(styles.xf_num_fmt.size());
    for (long long id : styles.xf_num_fmt) {
      auto custom = styles.custom_is_date.find(id);
      bool is_date = custom != styles.custom_is_date.end()
                         ? custom->second
                         : id <= 1000 && IsBuiltinDateFormat(static_cast<int>(id));
      xf_is_date.push_back(is_date);
    }
  }

  Sheet sheet;
  sheet.name = chosen->name;
  WorksheetHandler handler(&sheet, &strings, &xf_is_date, workbook.date1904, limits.max_cells);
  RETURN_IF_ERROR(ParsePart(archive, sheet_path, file_name, handler));
  RETURN_IF_ERROR(FillMergedCells(&sheet, file_name, limits.max_cells));
  DropTrailingEmpty(&sheet);
  return sheet;
}

}  // namespace linli::io
