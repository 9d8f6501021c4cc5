// Tests for the shared sheet helpers and format dispatch: Sheet::at, ColumnLetter, NumberText,
// ExcelSerialToDate / ExcelSerialFromDate, DropTrailingEmpty, FillMergedCells, detection by
// content (zip, OLE2, text, other binaries such as PDF), size limits, and ReadSheet on files.
#include "io/sheet.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

namespace linli::io {
namespace {

namespace fs = std::filesystem;

TEST(SheetTest, AtReturnsEmptyCellOutOfRange) {
  Sheet sheet;
  sheet.rows = {{Cell{CellType::kText, "a", 0}}, {}};
  EXPECT_EQ(sheet.at(0, 0).text, "a");
  EXPECT_EQ(sheet.at(0, 1).type, CellType::kEmpty);
  EXPECT_EQ(sheet.at(1, 0).type, CellType::kEmpty);
  EXPECT_EQ(sheet.at(1000000, 1000000).text, "");
}

TEST(SheetTest, ColumnLetter) {
  EXPECT_EQ(ColumnLetter(0), "A");
  EXPECT_EQ(ColumnLetter(25), "Z");
  EXPECT_EQ(ColumnLetter(26), "AA");
  EXPECT_EQ(ColumnLetter(51), "AZ");
  EXPECT_EQ(ColumnLetter(52), "BA");
  EXPECT_EQ(ColumnLetter(701), "ZZ");
  EXPECT_EQ(ColumnLetter(702), "AAA");
  EXPECT_EQ(ColumnLetter(16383), "XFD");
  EXPECT_EQ(ColumnLetter(-1), "");
}

TEST(SheetTest, NumberText) {
  EXPECT_EQ(NumberText(0), "0");
  EXPECT_EQ(NumberText(-0.0), "0");
  EXPECT_EQ(NumberText(123), "123");
  EXPECT_EQ(NumberText(-7), "-7");
  EXPECT_EQ(NumberText(2.5), "2.5");
  EXPECT_EQ(NumberText(0.1), "0.1");
  EXPECT_EQ(NumberText(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(NumberText(1.5e-7), "1.5E-07");
  EXPECT_EQ(NumberText(13800138000), "13800138000");
  EXPECT_EQ(NumberText(110105194912310000.0), "110105194912310000");
  EXPECT_EQ(NumberText(1.10101e17), "110101000000000000");
  EXPECT_EQ(NumberText(1e21), "1E+21");
  EXPECT_EQ(NumberText(std::numeric_limits<double>::infinity()), "");
  EXPECT_EQ(NumberText(std::nan("")), "");
}

TEST(SheetTest, ExcelSerialToDate) {
  EXPECT_EQ(ExcelSerialToDate(1), "1900-01-01");
  EXPECT_EQ(ExcelSerialToDate(59), "1900-02-28");
  EXPECT_EQ(ExcelSerialToDate(60), "");  // Excel's fictitious 1900-02-29
  EXPECT_EQ(ExcelSerialToDate(61), "1900-03-01");
  EXPECT_EQ(ExcelSerialToDate(43611), "2019-05-26");
  EXPECT_EQ(ExcelSerialToDate(43611.99), "2019-05-26");
  EXPECT_EQ(ExcelSerialToDate(45000), "2023-03-15");
  EXPECT_EQ(ExcelSerialToDate(18263), "1949-12-31");
  EXPECT_EQ(ExcelSerialToDate(2958465), "9999-12-31");
  EXPECT_EQ(ExcelSerialToDate(2958466), "");
  EXPECT_EQ(ExcelSerialToDate(0.5), "");
  EXPECT_EQ(ExcelSerialToDate(0), "");
  EXPECT_EQ(ExcelSerialToDate(-1), "");
  EXPECT_EQ(ExcelSerialToDate(std::nan("")), "");
  EXPECT_EQ(ExcelSerialToDate(1e300), "");
}

TEST(SheetTest, ExcelSerialFromDateRoundTrips) {
  EXPECT_EQ(ExcelSerialFromDate(1900, 1, 1), 1);
  EXPECT_EQ(ExcelSerialFromDate(1900, 2, 28), 59);
  EXPECT_EQ(ExcelSerialFromDate(1900, 2, 29), 0);
  EXPECT_EQ(ExcelSerialFromDate(1900, 3, 1), 61);
  EXPECT_EQ(ExcelSerialFromDate(2019, 5, 26), 43611);
  EXPECT_EQ(ExcelSerialFromDate(1899, 12, 31), 0);
  EXPECT_EQ(ExcelSerialFromDate(2023, 2, 30), 0);
  for (int serial = 1; serial < 80000; serial += 7) {
    if (serial == 60) continue;
    std::string d = ExcelSerialToDate(serial);
    EXPECT_EQ(ExcelSerialFromDate(std::stoi(d.substr(0, 4)), std::stoi(d.substr(5, 2)),
                                  std::stoi(d.substr(8, 2))),
              serial);
  }
}

TEST(SheetTest, DropTrailingEmptyAndFillMerged) {
  Sheet sheet;
  sheet.rows.resize(4);
  sheet.rows[0] = {Cell{CellType::kText, "标题", 0}, Cell{}, Cell{}};
  sheet.rows[1] = {Cell{CellType::kText, "a", 0}, Cell{CellType::kText, "b", 0}};
  sheet.rows[2] = {Cell{}, Cell{}};
  sheet.merged = {{0, 0, 0, 5}, {1, 0, 2, 0}, {-1, -1, 0, 0}};
  ASSERT_TRUE(FillMergedCells(&sheet, "f", 1000).ok());
  EXPECT_EQ(sheet.at(0, 1).text, "标题");  // filled up to the data's last column (B)
  EXPECT_TRUE(sheet.at(0, 1).from_merge);
  EXPECT_EQ(sheet.at(2, 0).text, "a");
  EXPECT_TRUE(sheet.at(2, 0).from_merge);
  DropTrailingEmpty(&sheet);
  EXPECT_EQ(sheet.rows.size(), 3u);
  EXPECT_EQ(sheet.rows[0].size(), 3u);  // A1:C1 after filling B1, C1 from the row
  EXPECT_EQ(sheet.rows[2].size(), 1u);
  auto capped = FillMergedCells(&sheet, "f", 3);
  EXPECT_FALSE(capped.ok());
}

Result<Sheet> FromMemory(const std::string& bytes, const std::string& name = "名册.csv",
                         const ReadLimits& limits = {}) {
  return ReadSheetFromMemory(bytes, name, limits);
}

TEST(SheetTest, DetectsFormatByContent) {
  auto csv = FromMemory("姓名,年龄\n张三,3\n", "名册.xlsx");  // the extension is not trusted
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(csv->at(1, 0).text, "张三");

  auto pdf = FromMemory("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj", "名册.PDF");
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.status().code(), ErrorCode::kImportUnsupported);
  EXPECT_EQ(pdf.status().Param("ext"), ".pdf");
  auto png = FromMemory(std::string("\x89PNG\r\n\x1A\n\0\0", 10), "照片");
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.status().code(), ErrorCode::kImportUnsupported);
  EXPECT_EQ(png.status().Param("ext"), "（无扩展名）");
  auto nul = FromMemory(std::string("ab\0cd", 5), "x.bin");
  EXPECT_EQ(nul.status().code(), ErrorCode::kImportUnsupported);

  auto zip = FromMemory(std::string("PK\x03\x04garbage", 11), "名册.xlsx");
  ASSERT_FALSE(zip.ok());
  EXPECT_EQ(zip.status().code(), ErrorCode::kImportFormat);
  EXPECT_EQ(zip.status().Param("file"), "名册.xlsx");
  auto ole = FromMemory(std::string("\xD0\xCF\x11\xE0garbage", 11), "名册.xls");
  ASSERT_FALSE(ole.ok());
  EXPECT_EQ(ole.status().code(), ErrorCode::kImportFormat);

  auto empty = FromMemory("", "名册.csv");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), ErrorCode::kImportFormat);

  ReadLimits small;
  small.max_file_bytes = 4;
  auto big = FromMemory("a,b,c\n", "名册.csv", small);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), ErrorCode::kImportTooLarge);
  EXPECT_EQ(big.status().Param("size"), "6");
  EXPECT_EQ(big.status().Param("limit"), "4");
}

TEST(SheetTest, ReadSheetFromFiles) {
  auto xls = ReadSheet(std::string(LINLI_SOURCE_DIR) + "/tests/fixtures/sheets/people.xls");
  ASSERT_TRUE(xls.ok()) << xls.status().ToString();
  EXPECT_EQ(xls->name, "居民");
  EXPECT_EQ(xls->at(2, 2).text, "1949-12-31");

  std::string tmpl = (fs::path(::testing::TempDir()) / "linli-sheet-XXXXXX").string();
  std::string dir = ::mkdtemp(tmpl.data());
  std::string path = dir + "/名册.csv";
  std::ofstream(path, std::ios::binary) << "姓名\n张三\n";
  auto csv = ReadSheet(path);
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->name, "名册");
  EXPECT_EQ(csv->at(1, 0).text, "张三");

  ReadLimits small;
  small.max_file_bytes = 4;
  EXPECT_EQ(ReadSheet(path, small).status().code(), ErrorCode::kImportTooLarge);
  auto missing = ReadSheet(dir + "/none.xlsx");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kIo);
  EXPECT_EQ(ReadSheet(dir).status().code(), ErrorCode::kIo);  // a directory
  fs::remove_all(dir);
}

}  // namespace
}  // namespace linli::io
