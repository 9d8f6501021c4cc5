// Tests for the xls reader: the committed people.xls fixture (hidden first sheet, merged title and
// vertical merge, text and numeric IDs, dates and date-times, numbers, formula results, booleans
// and errors), the temp file leaving nothing behind, encrypted and damaged compound files, and
// bytes that are not an Excel workbook.
#include "io/xls_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>

namespace linli::io {
namespace {

namespace fs = std::filesystem;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(LINLI_SOURCE_DIR) + "/tests/fixtures/sheets/" + name,
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ExpectFormatError(const Result<Sheet>& result, const std::string& detail_part) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kImportFormat) << result.status().ToString();
  EXPECT_EQ(result.status().Param("file"), "名册.xls");
  EXPECT_NE(result.status().Param("detail").find(detail_part), std::string::npos)
      << result.status().ToString();
}

TEST(XlsReaderTest, ReadsFixture) {
  std::string bytes = Fixture("people.xls");
  ASSERT_GT(bytes.size(), 512u);
  auto sheet = ReadXls(bytes, "名册.xls");
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->name, "居民");  // "说明" is hidden
  ASSERT_EQ(sheet->rows.size(), 8u);

  EXPECT_EQ(sheet->at(0, 0).text, "幸福里社区居民名册");
  ASSERT_GE(sheet->merged.size(), 2u);
  EXPECT_EQ(sheet->at(0, 4).text, "幸福里社区居民名册");
  EXPECT_TRUE(sheet->at(0, 4).from_merge);
  EXPECT_EQ(sheet->at(0, 5).type, CellType::kEmpty);  // A1:E1 only
  EXPECT_EQ(sheet->at(1, 1).text, "公民身份号码");

  EXPECT_EQ(sheet->at(2, 1).type, CellType::kText);
  EXPECT_EQ(sheet->at(2, 1).text, "110105194912310018");
  EXPECT_EQ(sheet->at(2, 2).type, CellType::kDate);
  EXPECT_EQ(sheet->at(2, 2).text, "1949-12-31");
  EXPECT_EQ(sheet->at(2, 2).number, 18263);
  EXPECT_EQ(sheet->at(2, 3).type, CellType::kDate);
  EXPECT_EQ(sheet->at(2, 3).text, "2019-05-26");
  EXPECT_DOUBLE_EQ(sheet->at(2, 3).number, 43611.4375);
  EXPECT_EQ(sheet->at(2, 4).type, CellType::kNumber);
  EXPECT_EQ(sheet->at(2, 4).text, "3");
  EXPECT_EQ(sheet->at(2, 5).type, CellType::kBool);
  EXPECT_EQ(sheet->at(2, 5).text, "TRUE");

  EXPECT_EQ(sheet->at(3, 1).type, CellType::kNumber);
  EXPECT_EQ(sheet->at(3, 1).text, "110105194912310000");
  EXPECT_EQ(sheet->at(3, 2).type, CellType::kDate);
  EXPECT_EQ(sheet->at(3, 2).text, "2023-03-15");
  EXPECT_EQ(sheet->at(3, 4).text, "2.5");
  EXPECT_EQ(sheet->at(3, 5).type, CellType::kNumber);  // =E4*2
  EXPECT_EQ(sheet->at(3, 5).text, "5");

  EXPECT_TRUE(sheet->rows[4].empty());
  EXPECT_EQ(sheet->at(5, 1).text, "11010519491231001X");
  EXPECT_EQ(sheet->at(5, 4).text, "-7");
  // ="x"&"y": LibreOffice stored 0 as its cached result (see the fixtures README).
  EXPECT_EQ(sheet->at(5, 5).type, CellType::kNumber);
  EXPECT_EQ(sheet->at(5, 5).text, "0");
  EXPECT_EQ(sheet->at(6, 5).type, CellType::kNumber);  // =NA(), cached 0 (see the README)
  EXPECT_EQ(sheet->at(6, 5).text, "0");
  EXPECT_EQ(sheet->at(7, 5).type, CellType::kDate);  // =C3+1, date formatted
  EXPECT_EQ(sheet->at(7, 5).text, "1950-01-01");

  // Vertical merge E7:E8.
  EXPECT_EQ(sheet->at(6, 4).text, "户1");
  EXPECT_FALSE(sheet->at(6, 4).from_merge);
  EXPECT_EQ(sheet->at(7, 4).text, "户1");
  EXPECT_TRUE(sheet->at(7, 4).from_merge);
}

TEST(XlsReaderTest, TempFileIsPrivateAndRemoved) {
  std::string dir_tmpl = (fs::path(::testing::TempDir()) / "linli-xls-tmp-XXXXXX").string();
  std::string dir = ::mkdtemp(dir_tmpl.data());
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", dir.c_str(), 1);
  auto sheet = ReadXls(Fixture("people.xls"), "名册.xls");
  auto broken = ReadXls(Fixture("people.xls").substr(0, 3000), "名册.xls");
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  EXPECT_TRUE(sheet.ok());
  EXPECT_FALSE(broken.ok());
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(XlsReaderTest, DamagedCompoundFiles) {
  std::string good = Fixture("people.xls");
  ExpectFormatError(ReadXls(std::string("\xD0\xCF\x11\xE0", 4), "名册.xls"), "复合文档");
  ExpectFormatError(ReadXls(good.substr(0, 600), "名册.xls"), "");
  ExpectFormatError(ReadXls(good.substr(0, good.size() / 2), "名册.xls"), "");

  // Chains pointing outside the file or looping back on themselves.
  std::string bad = good;
  for (size_t at : {size_t{48}, size_t{76}}) {
    bad = good;
    bad[at] = '\x7F';
    bad[at + 1] = '\x7F';
    ExpectFormatError(ReadXls(bad, "名册.xls"), "");
  }
  bad = good;
  bad[30] = 20;  // sector shift
  ExpectFormatError(ReadXls(bad, "名册.xls"), "复合文档");

  // Every byte of the header and the first sectors flipped in turn: errors or sheets, no crash.
  for (size_t at = 0; at < std::min<size_t>(good.size(), 2048); at += 7) {
    bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0xFF);
    auto result = ReadXls(bad, "名册.xls");
    if (!result.ok()) EXPECT_EQ(result.status().code(), ErrorCode::kImportFormat) << at;
  }
}

// A minimal compound file with one stream of `name` holding `content` (< 4096 bytes, so it lives
// in the mini stream).
std::string CompoundFileWith(const std::string& name, const std::string& content) {
  std::string file(512 * 4, '\0');
  auto put16 = [&](size_t at, uint16_t v) {
    file[at] = static_cast<char>(v & 0xFF);
    file[at + 1] = static_cast<char>(v >> 8);
  };
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) file[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  file.replace(0, 8, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  put16(24, 0x3E);
  put16(26, 3);
  put16(28, 0xFFFE);
  put16(30, 9);
  put16(32, 6);
  put32(44, 1);  // one FAT sector: sector 0
  put32(48, 1);  // directory: sector 1
  put32(56, 4096);
  put32(60, 0xFFFFFFFE);  // no mini FAT
  put32(68, 0xFFFFFFFE);
  for (int i = 0; i < 109; ++i) put32(76 + 4 * i, i == 0 ? 0 : 0xFFFFFFFF);
  // FAT (sector 0): 0 = FAT sector, 1 = end of directory chain, 2 = end of the stream.
  size_t fat = 512;
  for (int i = 0; i < 128; ++i) put32(fat + 4 * i, 0xFFFFFFFF);
  put32(fat, 0xFFFFFFFD);
  put32(fat + 4, 0xFFFFFFFE);
  put32(fat + 8, 0xFFFFFFFE);
  // Directory (sector 1): root entry, then the stream.
  size_t dir = 1024;
  auto entry = [&](size_t at, const std::string& n, uint8_t type, uint32_t start, uint32_t size) {
    for (size_t i = 0; i < n.size(); ++i) put16(at + 2 * i, static_cast<uint8_t>(n[i]));
    put16(at + 64, static_cast<uint16_t>(2 * n.size() + 2));
    file[at + 66] = static_cast<char>(type);
    put32(at + 68, 0xFFFFFFFF);
    put32(at + 72, 0xFFFFFFFF);
    put32(at + 76, type == 5 ? 1 : 0xFFFFFFFF);
    put32(at + 116, start);
    put32(at + 120, size);
  };
  entry(dir, "Root Entry", 5, 0xFFFFFFFE, 0);
  entry(dir + 128, name, 2, 2, 4096);       // >= cutoff: in the regular FAT, sector 2
  file.resize(512 * 4 + 4096 - 512, '\0');  // the declared 4096 bytes must exist
  file.replace(1536, std::min<size_t>(content.size(), 4096), content.substr(0, 4096));
  put32(fat + 8, 3);
  for (uint32_t s = 3; s < 9; ++s) put32(fat + 4 * s, s + 1);
  put32(fat + 4 * 9, 0xFFFFFFFE);
  return file;
}

std::string Rec(uint16_t type, const std::string& data) {
  std::string out;
  out += static_cast<char>(type & 0xFF);
  out += static_cast<char>(type >> 8);
  out += static_cast<char>(data.size() & 0xFF);
  out += static_cast<char>(data.size() >> 8);
  return out + data;
}
std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

TEST(XlsReaderTest, SyntheticFormulaResultsAndMerges) {
  std::string bof_globals = Rec(0x0809, Bytes({0, 6, 5, 0}) + std::string(12, '\0'));
  std::string sheet_name_rec_placeholder =
      Rec(0x0085, std::string(4, '\0') + Bytes({0, 0, 1, 0, 'S'}));
  std::string globals_tail = Rec(0x000A, "");
  size_t sheet_offset =
      bof_globals.size() + sheet_name_rec_placeholder.size() + globals_tail.size();
  std::string boundsheet =
      Rec(0x0085, Bytes({int(sheet_offset & 0xFF), int(sheet_offset >> 8), 0, 0, 0, 0, 1, 0, 'S'}));
  std::string sheet =
      Rec(0x0809, Bytes({0, 6, 0x10, 0}) + std::string(12, '\0')) +
      Rec(0x0200, Bytes({0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0})) +
      // A1: string result "xy" in the STRING record that follows.
      Rec(0x0006, Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}) + std::string(8, '\0')) +
      Rec(0x0207, Bytes({2, 0, 0, 'x', 'y'})) +
      // B1: error result #DIV/0!.
      Rec(0x0006, Bytes({0, 0, 1, 0, 0, 0, 2, 0, 7, 0, 0, 0, 0xFF, 0xFF}) + std::string(8, '\0')) +
      // A2: boolean TRUE.
      Rec(0x0205, Bytes({1, 0, 0, 0, 0, 0, 1, 0})) +
      // B1:B2 merged.
      Rec(0x00E5, Bytes({1, 0, 0, 0, 1, 0, 1, 0, 1, 0})) + Rec(0x000A, "");
  auto result = ReadXls(
      CompoundFileWith("Workbook", bof_globals + boundsheet + globals_tail + sheet), "名册.xls");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->name, "S");
  EXPECT_EQ(result->at(0, 0).type, CellType::kText);
  EXPECT_EQ(result->at(0, 0).text, "xy");
  EXPECT_EQ(result->at(0, 1).type, CellType::kError);
  EXPECT_EQ(result->at(0, 1).text, "#DIV/0!");
  EXPECT_EQ(result->at(1, 0).type, CellType::kBool);
  EXPECT_EQ(result->at(1, 0).text, "TRUE");
  EXPECT_EQ(result->at(1, 1).text, "#DIV/0!");
  EXPECT_TRUE(result->at(1, 1).from_merge);
}

TEST(XlsReaderTest, EncryptedAndForeignCompoundFiles) {
  ExpectFormatError(ReadXls(CompoundFileWith("EncryptedPackage", "x"), "名册.xls"), "密码");
  ExpectFormatError(ReadXls(CompoundFileWith("WordDocument", "x"), "名册.xls"), "没有Excel工作簿");
  // A Workbook stream whose globals carry FILEPASS.
  std::string biff("\x09\x08\x10\x00\x00\x06\x05\x00", 8);
  biff += std::string(12, '\0');
  biff += std::string("\x2F\x00\x02\x00\x00\x00", 6);
  biff += std::string("\x0A\x00\x00\x00", 4);
  ExpectFormatError(ReadXls(CompoundFileWith("Workbook", biff), "名册.xls"), "密码");
  // Globals that declare an absurd sheet size are refused before FreeXL allocates it.
  std::string dims("\x09\x08\x10\x00\x00\x06\x05\x00", 8);
  dims += std::string(12, '\0');
  dims += std::string("\x0A\x00\x00\x00", 4);
  dims +=
      std::string("\x00\x02\x0E\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\xFF\x00\x00\x00", 18);
  ReadLimits limits;
  limits.max_cells = 1000;
  auto result = ReadXls(CompoundFileWith("Workbook", dims), "名册.xls", limits);
  ExpectFormatError(result, "上限");
}

}  // namespace
}  // namespace linli::io
