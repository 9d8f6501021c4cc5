// Tests for the xlsx reader:
//  - a workbook written by libxlsxwriter: hidden first sheet, merged title row above the header,
//    shared strings, numbers, built-in and custom (yyyy年m月d日) date formats, formulas with and
//    without a cached value, a boolean, long numeric strings kept as text, an empty row;
//  - hand-made parts: rich-text and phonetic runs, inline strings, cells and rows without r,
//    sparse rows, date1904, _xHHHH_ escapes, error and ISO-date cells, chart and very hidden
//    sheets;
//  - hostile or broken input: truncated zip, declared-size bomb, inflation bomb, lying sizes,
//    billion laughs and external entities, missing sharedStrings, shared string index out of
//    range, bad references, malformed XML, cell caps, huge merges, a zip that is no workbook;
//  - the date format classifier, and reading a 30,000-row workbook (prints the throughput).
#include "io/xlsx_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace linli::io {
namespace {

namespace fs = std::filesystem;
using Parts = std::map<std::string, std::string>;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::path(::testing::TempDir()) / "linli-xlsx-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Zips `parts` (name -> content) and returns the archive's bytes; `store` leaves them
// uncompressed so that byte mutations reach the XML.
std::string Zip(const Parts& parts, bool store = false) {
  TempDir dir;
  std::string path = dir.File("out.zip");
  int err = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  EXPECT_NE(za, nullptr);
  for (const auto& [name, content] : parts) {
    zip_source_t* src = zip_source_buffer(za, content.data(), content.size(), 0);
    zip_int64_t index = zip_file_add(za, name.c_str(), src, ZIP_FL_OVERWRITE);
    EXPECT_GE(index, 0);
    if (store) zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  EXPECT_EQ(zip_close(za), 0);
  return ReadFile(path);
}

Parts Unzip(const std::string& bytes) {
  Parts parts;
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &zerr);
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
  EXPECT_NE(za, nullptr);
  for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st);
    std::string content(st.size, '\0');
    zip_file_t* zf = zip_fopen_index(za, static_cast<zip_uint64_t>(i), 0);
    EXPECT_EQ(zip_fread(zf, content.data(), st.size), static_cast<zip_int64_t>(st.size));
    zip_fclose(zf);
    parts[st.name] = content;
  }
  zip_discard(za);
  zip_error_fini(&zerr);
  return parts;
}

void Replace(std::string* s, const std::string& from, const std::string& to) {
  size_t at = s->find(from);
  ASSERT_NE(at, std::string::npos) << from;
  s->replace(at, from.size(), to);
}

constexpr const char* kRootRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
constexpr const char* kWorkbookRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>)";
constexpr const char* kStyles =
    R"(<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>)";

std::string WorkbookXml(const std::string& pr = "") {
  return R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)" +
         pr + R"(<sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>)";
}

std::string SheetXml(const std::string& body, const std::string& after = "") {
  return R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" +
         body + "</sheetData>" + after + "</worksheet>";
}

// A one-sheet workbook from hand-written parts.
Parts MinimalParts(const std::string& sheet_body, const std::string& shared_strings = "",
                   const std::string& workbook_pr = "") {
  Parts parts{{"_rels/.rels", kRootRels},
              {"xl/workbook.xml", WorkbookXml(workbook_pr)},
              {"xl/_rels/workbook.xml.rels", kWorkbookRels},
              {"xl/styles.xml", kStyles},
              {"xl/worksheets/sheet1.xml", SheetXml(sheet_body)}};
  if (!shared_strings.empty()) parts["xl/sharedStrings.xml"] = shared_strings;
  return parts;
}

std::string Sst(const std::string& items) {
  return R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)" + items +
         "</sst>";
}

Result<Sheet> Read(const std::string& bytes, const ReadLimits& limits = {}) {
  return ReadXlsx(bytes, "名册.xlsx", limits);
}

void ExpectFormatError(const Result<Sheet>& result, const std::string& detail_part) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kImportFormat) << result.status().ToString();
  EXPECT_EQ(result.status().Param("file"), "名册.xlsx");
  EXPECT_NE(result.status().Param("detail").find(detail_part), std::string::npos)
      << result.status().ToString();
}

// The realistic workbook; row numbers in comments are Excel's.
std::string WriteRealisticWorkbook(const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* notes = workbook_add_worksheet(wb, "说明");
  lxw_worksheet* ws = workbook_add_worksheet(wb, "居民");
  worksheet_write_string(notes, 0, 0, "隐藏表，不应读取", nullptr);
  worksheet_activate(ws);
  worksheet_hide(notes);

  lxw_format* builtin_date = workbook_add_format(wb);
  format_set_num_format_index(builtin_date, 14);
  lxw_format* cn_date = workbook_add_format(wb);
  format_set_num_format(cn_date, "yyyy年m月d日");
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, "#,##0.00");

  worksheet_merge_range(ws, 0, 0, 0, 5, "幸福里社区居民名册", nullptr);  // 1
  const char* header[] = {"姓名", "公民身份号码", "出生日期", "人数", "低保", "备注"};
  for (int c = 0; c < 6; ++c) worksheet_write_string(ws, 1, c, header[c], nullptr);  // 2
  worksheet_write_string(ws, 2, 0, "张三", nullptr);                                 // 3
  worksheet_write_string(ws, 2, 1, "110105194912310018", nullptr);
  worksheet_write_number(ws, 2, 2, 18263, builtin_date);  // 1949-12-31
  worksheet_write_number(ws, 2, 3, 3, nullptr);
  worksheet_write_boolean(ws, 2, 4, 1, nullptr);
  worksheet_write_string(ws, 3, 0, "李四", nullptr);  // 4
  worksheet_write_number(ws, 3, 1, 110105194912310000.0, nullptr);
  worksheet_write_number(ws, 3, 2, 45000, cn_date);  // 2023-03-15
  worksheet_write_number(ws, 3, 3, 2.5, money);
  worksheet_write_formula_num(ws, 3, 4, "=1+2", nullptr, 3);
  // Row 5 is empty.
  worksheet_write_string(ws, 5, 0, "王五", nullptr);  // 6
  worksheet_write_string(ws, 5, 1, "1.10101E+17", nullptr);
  worksheet_write_formula(ws, 5, 3, "=SUM(Z1:Z2)", nullptr);  // cached value removed below
  worksheet_write_formula_str(ws, 5, 5, "=\"x\"&\"y\"", nullptr, "xy");
  worksheet_write_string(ws, 6, 0, "赵六", nullptr);      // 7
  worksheet_write_number(ws, 6, 2, 43611, builtin_date);  // 2019-05-26
  EXPECT_EQ(workbook_close(wb), LXW_NO_ERROR);

  Parts parts = Unzip(ReadFile(path));
  Replace(&parts["xl/worksheets/sheet2.xml"], "<f>SUM(Z1:Z2)</f><v>0</v>", "<f>SUM(Z1:Z2)</f>");
  return Zip(parts);
}

TEST(XlsxReaderTest, ReadsRealisticWorkbook) {
  TempDir dir;
  auto sheet = Read(WriteRealisticWorkbook(dir.File("realistic.xlsx")));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->name, "居民");  // the hidden first sheet is skipped
  ASSERT_EQ(sheet->rows.size(), 7u);

  // Merged title: top-left keeps the value, the rest of A1:F1 is filled and marked.
  ASSERT_EQ(sheet->merged.size(), 1u);
  EXPECT_EQ(sheet->merged[0].first_row, 0);
  EXPECT_EQ(sheet->merged[0].last_col, 5);
  EXPECT_EQ(sheet->at(0, 0).text, "幸福里社区居民名册");
  EXPECT_FALSE(sheet->at(0, 0).from_merge);
  EXPECT_EQ(sheet->at(0, 5).text, "幸福里社区居民名册");
  EXPECT_TRUE(sheet->at(0, 5).from_merge);
  EXPECT_EQ(sheet->at(1, 1).text, "公民身份号码");

  EXPECT_EQ(sheet->at(2, 1).type, CellType::kText);
  EXPECT_EQ(sheet->at(2, 1).text, "110105194912310018");
  EXPECT_EQ(sheet->at(2, 2).type, CellType::kDate);
  EXPECT_EQ(sheet->at(2, 2).text, "1949-12-31");
  EXPECT_EQ(sheet->at(2, 2).number, 18263);
  EXPECT_EQ(sheet->at(2, 3).type, CellType::kNumber);
  EXPECT_EQ(sheet->at(2, 3).text, "3");
  EXPECT_EQ(sheet->at(2, 4).type, CellType::kBool);
  EXPECT_EQ(sheet->at(2, 4).text, "TRUE");

  EXPECT_EQ(sheet->at(3, 1).type, CellType::kNumber);
  EXPECT_EQ(sheet->at(3, 1).text, "110105194912310000");
  EXPECT_EQ(sheet->at(3, 2).type, CellType::kDate);
  EXPECT_EQ(sheet->at(3, 2).text, "2023-03-15");
  EXPECT_EQ(sheet->at(3, 3).type, CellType::kNumber);  // #,##0.00 is not a date
  EXPECT_EQ(sheet->at(3, 3).text, "2.5");
  EXPECT_EQ(sheet->at(3, 4).type, CellType::kNumber);  // formula with cached value
  EXPECT_EQ(sheet->at(3, 4).text, "3");

  EXPECT_TRUE(sheet->rows[4].empty());
  EXPECT_EQ(sheet->at(4, 0).type, CellType::kEmpty);

  EXPECT_EQ(sheet->at(5, 1).type, CellType::kText);
  EXPECT_EQ(sheet->at(5, 1).text, "1.10101E+17");
  EXPECT_EQ(sheet->at(5, 3).type, CellType::kFormulaNoValue);
  EXPECT_EQ(sheet->at(5, 3).text, "=SUM(Z1:Z2)");
  EXPECT_EQ(sheet->at(5, 5).type, CellType::kText);
  EXPECT_EQ(sheet->at(5, 5).text, "xy");
  EXPECT_EQ(sheet->at(6, 2).text, "2019-05-26");
  EXPECT_EQ(sheet->at(99, 99).type, CellType::kEmpty);
}

TEST(XlsxReaderTest, RichTextAndPhoneticRuns) {
  std::string sst =
      Sst("<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space=\"preserve\">三 </t></r>"
          "<rPh sb=\"0\" eb=\"1\"><t>チョウ</t></rPh><phoneticPr fontId=\"1\"/></si>"
          "<si><t>行1_x000D__x000A_行2</t><rPh sb=\"0\" eb=\"1\"><t>ギョウ</t></rPh></si>"
          "<si><t>a_x005F_x0041_b</t></si>");
  auto sheet = Read(Zip(MinimalParts(
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>)",
      sst)));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->at(0, 0).text, "张三 ");
  EXPECT_EQ(sheet->at(0, 1).text, "行1\r\n行2");
  EXPECT_EQ(sheet->at(0, 2).text, "a_x0041_b");
}

TEST(XlsxReaderTest, MissingReferencesSparseRowsAndOtherCellTypes) {
  std::string body =
      R"(<row><c t="inlineStr"><is><t>姓名</t></is></c><c t="inlineStr"><is><r><t>出生</t></r><r><t>日期</t></r></is></c></row>)"
      R"(<row><c><v>1</v></c><c s="1"><v>43611</v></c><c s="2"><v>43611.75</v></c><c t="e"><v>#N/A</v></c></row>)"
      R"(<row r="1000"><c r="C1000" t="d"><v>2019-05-26T00:00:00</v></c><c t="b"><v>0</v></c>)"
      R"(<c s="1"><v></v></c><c t="s"><v> </v></c><c><f>A1</f><v/></c></row>)";
  auto sheet = Read(Zip(MinimalParts(body)));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  ASSERT_EQ(sheet->rows.size(), 1000u);
  EXPECT_EQ(sheet->at(0, 0).text, "姓名");
  EXPECT_EQ(sheet->at(0, 1).text, "出生日期");
  EXPECT_EQ(sheet->at(1, 0).text, "1");
  EXPECT_EQ(sheet->at(1, 1).type, CellType::kDate);
  EXPECT_EQ(sheet->at(1, 1).text, "2019-05-26");
  EXPECT_EQ(sheet->at(1, 2).type, CellType::kDate);  // custom yyyy"年"m"月"d"日", with a time
  EXPECT_EQ(sheet->at(1, 2).text, "2019-05-26");
  EXPECT_EQ(sheet->at(1, 2).number, 43611.75);
  EXPECT_EQ(sheet->at(1, 3).type, CellType::kError);
  EXPECT_EQ(sheet->at(1, 3).text, "#N/A");
  EXPECT_TRUE(sheet->rows[500].empty());
  EXPECT_EQ(sheet->at(999, 2).type, CellType::kDate);
  EXPECT_EQ(sheet->at(999, 2).text, "2019-05-26");
  EXPECT_EQ(sheet->at(999, 2).number, 43611);
  EXPECT_EQ(sheet->at(999, 3).type, CellType::kBool);
  EXPECT_EQ(sheet->at(999, 3).text, "FALSE");
  EXPECT_EQ(sheet->at(999, 4).type, CellType::kEmpty);  // empty <v>
  EXPECT_EQ(sheet->at(999, 5).type, CellType::kEmpty);
  EXPECT_EQ(sheet->at(999, 6).type, CellType::kFormulaNoValue);
  EXPECT_EQ(sheet->at(999, 6).text, "=A1");
}

TEST(XlsxReaderTest, Date1904AndFictitiousLeapDay) {
  auto sheet = Read(Zip(MinimalParts(
      R"(<row r="1"><c r="A1" s="1"><v>42149</v></c><c r="B1" s="1"><v>-1500</v></c></row>)", "",
      R"(<workbookPr date1904="1"/>)")));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->at(0, 0).type, CellType::kDate);
  EXPECT_EQ(sheet->at(0, 0).text, "2019-05-26");
  EXPECT_EQ(sheet->at(0, 0).number, 43611);
  EXPECT_EQ(sheet->at(0, 1).type, CellType::kNumber);  // before 1900: stays a number
  EXPECT_EQ(sheet->at(0, 1).text, "-1500");

  auto leap = Read(Zip(MinimalParts(R"(<row r="1"><c r="A1" s="1"><v>60</v></c></row>)")));
  ASSERT_TRUE(leap.ok());
  EXPECT_EQ(leap->at(0, 0).type, CellType::kNumber);
  EXPECT_EQ(leap->at(0, 0).text, "60");
}

TEST(XlsxReaderTest, VerticalMergeFillsMemberRows) {
  auto sheet = Read(Zip(MinimalParts(
      R"(<row r="1"><c r="A1" t="inlineStr"><is><t>户号</t></is></c><c r="B1" t="inlineStr"><is><t>姓名</t></is></c></row>)"
      R"(<row r="2"><c r="A2"><v>7</v></c><c r="B2" t="inlineStr"><is><t>甲</t></is></c></row>)"
      R"(<row r="3"><c r="B3" t="inlineStr"><is><t>乙</t></is></c></row>)"
      R"(<row r="4"><c r="B4" t="inlineStr"><is><t>丙</t></is></c></row>)")));
  ASSERT_TRUE(sheet.ok());
  // No merge declared: nothing filled.
  EXPECT_EQ(sheet->at(2, 0).type, CellType::kEmpty);

  Parts parts = MinimalParts("");
  parts["xl/worksheets/sheet1.xml"] = SheetXml(
      R"(<row r="2"><c r="A2"><v>7</v></c><c r="B2"><v>1</v></c></row><row r="4"><c r="B4"><v>3</v></c></row>)",
      R"(<mergeCells count="2"><mergeCell ref="A2:A4"/><mergeCell ref="C1:XFD1048576"/></mergeCells>)");
  auto merged = Read(Zip(parts));
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->at(3, 0).text, "7");
  EXPECT_TRUE(merged->at(3, 0).from_merge);
  EXPECT_EQ(merged->at(2, 0).text, "7");
  EXPECT_EQ(merged->rows.size(), 4u);  // the huge empty merge creates nothing
  EXPECT_EQ(merged->merged.size(), 2u);
}

TEST(XlsxReaderTest, SkipsHiddenVeryHiddenAndChartSheets) {
  Parts parts = MinimalParts(R"(<row r="1"><c r="A1"><v>2</v></c></row>)");
  parts["xl/workbook.xml"] =
      R"(<workbook xmlns:r="r"><sheets><sheet name="a" sheetId="1" state="hidden" r:id="rId9"/><sheet name="b" sheetId="2" state="veryHidden" r:id="rId8"/><sheet name="chart" sheetId="3" r:id="rId7"/><sheet name="c" sheetId="4" r:id="rId1"/></sheets></workbook>)";
  parts["xl/_rels/workbook.xml.rels"] =
      R"(<Relationships><Relationship Id="rId9" Type="x/worksheet" Target="/xl/worksheets/hidden.xml"/><Relationship Id="rId8" Type="x/worksheet" Target="worksheets/hidden.xml"/><Relationship Id="rId7" Type="x/chartsheet" Target="chartsheets/sheet1.xml"/><Relationship Id="rId1" Type="x/worksheet" Target="./worksheets/../worksheets/sheet1.xml"/></Relationships>)";
  auto sheet = Read(Zip(parts));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->name, "c");
  EXPECT_EQ(sheet->at(0, 0).text, "2");

  parts["xl/workbook.xml"] =
      R"(<workbook xmlns:r="r"><sheets><sheet name="a" sheetId="1" state="hidden" r:id="rId1"/></sheets></workbook>)";
  ExpectFormatError(Read(Zip(parts)), "没有可见的工作表");
}

TEST(XlsxReaderTest, TruncatedOrNonWorkbookZip) {
  std::string good = Zip(MinimalParts(R"(<row r="1"><c r="A1"><v>1</v></c></row>)"));
  ExpectFormatError(Read(good.substr(0, good.size() / 2)), "压缩包");
  ExpectFormatError(Read(good.substr(0, 30)), "压缩包");
  ExpectFormatError(Read(Zip({{"word/document.xml", "<w/>"}})), "没有Excel工作簿");
  // Corrupt deflate data behind intact headers: flip bytes in the middle of the archive.
  std::string big = Zip(MinimalParts(std::string(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>)") +
                                     std::string(5000, 'x') + "</t></is></c></row>"));
  std::string corrupt = big;
  for (size_t i = 200; i < 400 && i < corrupt.size(); ++i)
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
  auto result = Read(corrupt);
  EXPECT_FALSE(result.ok());
  if (!result.ok()) EXPECT_EQ(result.status().code(), ErrorCode::kImportFormat);
}

// Sets the uncompressed size of every entry in the central directory (and local headers).
std::string PatchDeclaredSizes(std::string zip, uint32_t size) {
  auto put32 = [&](size_t at) {
    for (int i = 0; i < 4; ++i) zip[at + i] = static_cast<char>((size >> (8 * i)) & 0xFF);
  };
  for (size_t at = zip.find("PK\x01\x02"); at != std::string::npos;
       at = zip.find("PK\x01\x02", at + 4))
    put32(at + 24);
  for (size_t at = zip.find("PK\x03\x04"); at != std::string::npos;
       at = zip.find("PK\x03\x04", at + 4))
    put32(at + 22);
  return zip;
}

TEST(XlsxReaderTest, RefusesZipBombs) {
  std::string good = Zip(MinimalParts(R"(<row r="1"><c r="A1"><v>1</v></c></row>)"));
  // Declared 4 GB: refused before inflating.
  ExpectFormatError(Read(PatchDeclaredSizes(good, 0xFFFFFFF0u)), "压缩炸弹");
  // Declared 10 bytes but inflating to more: refused while inflating.
  auto lying = Read(PatchDeclaredSizes(good, 10));
  ASSERT_FALSE(lying.ok());
  EXPECT_EQ(lying.status().code(), ErrorCode::kImportFormat);
  // A real bomb: 4 MiB of spaces compress to a few KiB; the total limit is 1 MiB.
  Parts parts = MinimalParts(R"(<row r="1"><c r="A1"><v>1</v></c></row>)");
  parts["xl/worksheets/sheet1.xml"] = SheetXml(std::string(4 << 20, ' '));
  std::string bomb = Zip(parts);
  EXPECT_LT(bomb.size(), 64u << 10);
  ReadLimits limits;
  limits.max_uncompressed_bytes = 1 << 20;
  ExpectFormatError(Read(bomb, limits), "压缩炸弹");
}

TEST(XlsxReaderTest, RefusesDtdsAndEntities) {
  const std::string laughs =
      R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>)";
  Parts parts = MinimalParts("");
  parts["xl/worksheets/sheet1.xml"] =
      laughs + SheetXml(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>)");
  ExpectFormatError(Read(Zip(parts)), "文件含有不允许的DTD/实体声明");

  parts = MinimalParts(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)",
                       laughs + Sst("<si><t>&lol3;</t></si>"));
  ExpectFormatError(Read(Zip(parts)), "文件含有不允许的DTD/实体声明");

  parts = MinimalParts(
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)",
      R"(<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>)" +
          Sst("<si><t>&xxe;</t></si>"));
  ExpectFormatError(Read(Zip(parts)), "文件含有不允许的DTD/实体声明");

  parts = MinimalParts("");
  parts["xl/workbook.xml"] =
      R"(<!DOCTYPE workbook SYSTEM "http://example.invalid/x.dtd">)" + WorkbookXml();
  ExpectFormatError(Read(Zip(parts)), "文件含有不允许的DTD/实体声明");
}

TEST(XlsxReaderTest, SharedStringProblems) {
  // Missing sharedStrings part while a cell refers to it.
  ExpectFormatError(Read(Zip(MinimalParts(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)"))),
                    "单元格A1引用的共享字符串（第0项）不存在");
  // Without string cells the part is not needed.
  EXPECT_TRUE(Read(Zip(MinimalParts(R"(<row r="1"><c r="A1"><v>0</v></c></row>)"))).ok());
  // Index out of range, negative, or not a number.
  std::string sst = Sst("<si><t>甲</t></si>");
  ExpectFormatError(
      Read(Zip(MinimalParts(R"(<row r="2"><c r="B2" t="s"><v>1</v></c></row>)", sst))),
      "单元格B2引用的共享字符串（第1项）不存在");
  ExpectFormatError(
      Read(Zip(MinimalParts(R"(<row r="2"><c r="B2" t="s"><v>-1</v></c></row>)", sst))), "不存在");
  ExpectFormatError(
      Read(Zip(MinimalParts(R"(<row r="2"><c r="B2" t="s"><v>99999999999999999999</v></c></row>)",
                            sst))),
      "不存在");
}

TEST(XlsxReaderTest, MalformedSheets) {
  ExpectFormatError(Read(Zip(MinimalParts(R"(<row r="1"><c r="ZZZZ1"><v>1</v></c></row>)"))),
                    "单元格位置“ZZZZ1”无效");
  ExpectFormatError(Read(Zip(MinimalParts(R"(<row r="1"><c r="A0"><v>1</v></c></row>)"))), "无效");
  ExpectFormatError(Read(Zip(MinimalParts(R"(<row r="0"><c><v>1</v></c></row>)"))), "行号");
  ExpectFormatError(Read(Zip(MinimalParts(R"(<row r="1"><c r="A1"><v>1e999</v></c></row>)"))),
                    "数值");
  ExpectFormatError(Read(Zip(MinimalParts(R"(<row r="1"><c r="A1" t="b"><v>2</v></c></row>)"))),
                    "逻辑值");
  ExpectFormatError(Read(Zip(MinimalParts(R"(<row r="1"><c r="A1" t="zz"><v>2</v></c></row>)"))),
                    "类型");
  ExpectFormatError(Read(Zip(MinimalParts(R"(<row r="1"><c r="A1"><v>1</v></row>)"))),
                    "不是有效的XML");
  Parts parts = MinimalParts("");
  parts["xl/worksheets/sheet1.xml"] =
      SheetXml("", R"(<mergeCells><mergeCell ref="A1:"/></mergeCells>)");
  ExpectFormatError(Read(Zip(parts)), "合并单元格");
  parts.erase("xl/worksheets/sheet1.xml");
  ExpectFormatError(Read(Zip(parts)), "缺少");
  EXPECT_TRUE(Read(Zip(MinimalParts(""))).ok());  // an empty sheet is not an error
}

TEST(XlsxReaderTest, CellCaps) {
  ReadLimits limits;
  limits.max_cells = 100;
  std::string body;
  for (int r = 1; r <= 20; ++r) {
    body += "<row r=\"" + std::to_string(r) + "\">";
    for (int c = 0; c < 10; ++c) body += "<c><v>1</v></c>";
    body += "</row>";
  }
  ExpectFormatError(Read(Zip(MinimalParts(body)), limits), "单元格数超过上限");
  // A single far-away cell allocates its whole row.
  ExpectFormatError(Read(Zip(MinimalParts(R"(<row r="1"><c r="XFD1"><v>1</v></c></row>)")), limits),
                    "单元格数超过上限");
  // Merges that would expand beyond the cap.
  Parts parts = MinimalParts("");
  parts["xl/worksheets/sheet1.xml"] = SheetXml(
      R"(<row r="1"><c r="A1"><v>1</v></c></row><row r="50"><c r="B50"><v>1</v></c></row>)",
      R"(<mergeCells><mergeCell ref="A1:B50"/><mergeCell ref="A1:B50"/></mergeCells>)");
  ExpectFormatError(Read(Zip(parts), limits), "合并单元格展开");
}

TEST(XlsxReaderTest, MutatedArchivesNeverCrash) {
  std::string sst = Sst(
      "<si><r><t>张</t></r><rPh sb=\"0\" eb=\"1\"><t>x</t></rPh></si><si><t>1.10101E+17</t></si>");
  Parts parts = MinimalParts(
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c s="1"><v>43611</v></c></row>)"
      R"(<row><c t="inlineStr"><is><t>x</t></is></c><c><f>A1</f></c><c t="b"><v>1</v></c></row>)",
      sst);
  parts["xl/worksheets/sheet1.xml"] = SheetXml(
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c s="2"><v>43611</v></c></row>)",
      R"(<mergeCells count="1"><mergeCell ref="A1:C3"/></mergeCells>)");
  for (bool store : {true, false}) {
    std::string original = Zip(parts, store);
    ASSERT_TRUE(Read(original).ok());
    uint32_t seed = 12345;
    auto next = [&seed]() { return seed = seed * 1103515245u + 12345u; };
    int ok = 0, failed = 0;
    for (int round = 0; round < 1500; ++round) {
      std::string bytes = original;
      int flips = 1 + static_cast<int>(next() % 4);
      for (int i = 0; i < flips; ++i)
        bytes[(next() >> 8) % bytes.size()] = static_cast<char>(next() >> 16);
      auto result = ReadSheetFromMemory(bytes, "名册.xlsx");
      if (result.ok()) {
        ++ok;
      } else {
        ++failed;
        EXPECT_NE(result.status().code(), ErrorCode::kInternal) << result.status().ToString();
      }
    }
    EXPECT_GT(failed, 0);
  }
}

TEST(XlsxReaderTest, DateFormatClassifier) {
  for (int id : {14, 22, 27, 36, 45, 47, 50, 58}) EXPECT_TRUE(IsBuiltinDateFormat(id)) << id;
  for (int id : {0, 1, 13, 23, 26, 37, 44, 48, 49, 59, 164})
    EXPECT_FALSE(IsBuiltinDateFormat(id)) << id;
  for (const char* code :
       {"yyyy年m月d日", "yyyy-mm-dd", "YYYY/MM/DD", "m/d/yy h:mm", "[h]:mm:ss",
        "[$-804]yyyy\"年\"m\"月\"", "上午/下午h\"时\"mm\"分\"", "d-mmm", "mm:ss"})
    EXPECT_TRUE(IsDateFormatCode(code)) << code;
  for (const char* code : {"General", "general", "0.00", "#,##0", "0.00E+00", "@", "\"yes\"0",
                           "[Red]0.00", "[$¥-804]#,##0.00", "0_);(0)", "#,##0\\d", "0*m", ""})
    EXPECT_FALSE(IsDateFormatCode(code)) << code;
}

TEST(XlsxReaderTest, ThirtyThousandRowsThroughput) {
  TempDir dir;
  std::string path = dir.File("big.xlsx");
  constexpr int kRows = 30'000;
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "居民");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format_index(date, 14);
  const char* header[] = {"姓名", "性别", "公民身份号码", "出生日期", "联系电话",
                          "小区", "楼栋", "单元",         "户室",     "备注"};
  for (int c = 0; c < 10; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
  char buf[64];
  for (int r = 1; r <= kRows; ++r) {
    std::snprintf(buf, sizeof buf, "居民%05d", r);
    worksheet_write_string(ws, r, 0, buf, nullptr);
    worksheet_write_string(ws, r, 1, r % 2 ? "男" : "女", nullptr);
    std::snprintf(buf, sizeof buf, "1101051949%08d", r);
    worksheet_write_string(ws, r, 2, buf, nullptr);
    worksheet_write_number(ws, r, 3, 18000 + r % 20000, date);
    worksheet_write_number(ws, r, 4, 13800000000.0 + r, nullptr);
    worksheet_write_string(ws, r, 5, "幸福里小区", nullptr);
    worksheet_write_number(ws, r, 6, r % 30 + 1, nullptr);
    worksheet_write_number(ws, r, 7, r % 4 + 1, nullptr);
    worksheet_write_number(ws, r, 8, 101 + r % 600, nullptr);
    worksheet_write_string(ws, r, 9, "", nullptr);
  }
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
  std::string bytes = ReadFile(path);

  auto start = std::chrono::steady_clock::now();
  auto sheet = ReadSheetFromMemory(bytes, "big.xlsx");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  ASSERT_EQ(sheet->rows.size(), static_cast<size_t>(kRows + 1));
  EXPECT_EQ(sheet->at(kRows, 0).text, "居民30000");
  EXPECT_EQ(sheet->at(kRows, 4).text, "13800030000");
  EXPECT_EQ(sheet->at(kRows, 3).type, CellType::kDate);
  std::printf("[ throughput ] %d rows x 10 columns, %zu bytes: %.3f s, %.0f rows/s\n", kRows,
              bytes.size(), seconds, kRows / seconds);
}

}  // namespace
}  // namespace linli::io
