// Tests for the CSV reader: UTF-8 with and without BOM, GBK and GB18030 (4-byte sequences),
// UTF-16 with BOM, bad encodings with the line number, RFC 4180 quotes (delimiters, doubled quotes,
// embedded line breaks, text after the closing quote, unclosed quotes), CR/LF/CRLF and mixed line
// ends, tab detection, ragged rows, blank and trailing lines, row numbering after multi-line
// records, no number guessing, and the cell cap.
#include "io/csv_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace linli::io {
namespace {

Sheet MustRead(const std::string& bytes) {
  auto sheet = ReadCsv(bytes, "名册.csv");
  EXPECT_TRUE(sheet.ok()) << sheet.status().ToString();
  return sheet.ok() ? std::move(sheet).value() : Sheet{};
}

TEST(CsvReaderTest, Utf8WithAndWithoutBom) {
  for (std::string prefix : {"", "\xEF\xBB\xBF"}) {
    Sheet sheet = MustRead(prefix + "姓名,公民身份号码\n张三,110105194912310018\n");
    EXPECT_EQ(sheet.name, "名册");
    ASSERT_EQ(sheet.rows.size(), 2u);
    EXPECT_EQ(sheet.at(0, 0).text, "姓名");  // no BOM left in the first cell
    EXPECT_EQ(sheet.at(1, 1).type, CellType::kText);
    EXPECT_EQ(sheet.at(1, 1).text, "110105194912310018");
  }
}

TEST(CsvReaderTest, GbkAndGb18030) {
  // "姓名,公民身份号码\r\n张三,"110105194912310018"\r\n" in GBK.
  const std::string gbk =
      "\xD0\xD5\xC3\xFB,\xB9\xAB\xC3\xF1\xC9\xED\xB7\xDD\xBA\xC5\xC2\xEB\r\n"
      "\xD5\xC5\xC8\xFD,\"110105194912310018\"\r\n";
  Sheet sheet = MustRead(gbk);
  ASSERT_EQ(sheet.rows.size(), 2u);
  EXPECT_EQ(sheet.at(0, 0).text, "姓名");
  EXPECT_EQ(sheet.at(0, 1).text, "公民身份号码");
  EXPECT_EQ(sheet.at(1, 0).text, "张三");
  EXPECT_EQ(sheet.at(1, 1).text, "110105194912310018");
  // GB18030 four-byte sequences: "张𠀀" and "㐀".
  Sheet rare = MustRead("\xD5\xC5\x95\x32\x82\x36,\x81\x39\xEE\x39\n");
  EXPECT_EQ(rare.at(0, 0).text, "张𠀀");
  EXPECT_EQ(rare.at(0, 1).text, "㐀");
}

TEST(CsvReaderTest, Utf16WithBom) {
  std::string le("\xFF\xFE", 2), be("\xFE\xFF", 2);
  std::u16string text = u"姓名\t年龄\r\n张三\t𠀀\r\n";
  for (char16_t unit : text) {
    le += static_cast<char>(unit & 0xFF);
    le += static_cast<char>(unit >> 8);
    be += static_cast<char>(unit >> 8);
    be += static_cast<char>(unit & 0xFF);
  }
  for (const std::string& bytes : {le, be}) {
    Sheet sheet = MustRead(bytes);
    ASSERT_EQ(sheet.rows.size(), 2u);
    EXPECT_EQ(sheet.at(0, 1).text, "年龄");
    EXPECT_EQ(sheet.at(1, 1).text, "𠀀");
  }
  auto odd = ReadCsv(le.substr(0, 7), "名册.csv");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), ErrorCode::kImportEncoding);
  // A lone low surrogate on line 2.
  std::string lone = std::string("\xFF\xFE", 2) + std::string("a\0\n\0\x00\xDC", 6);
  auto bad = ReadCsv(lone, "名册.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().Param("row"), "2");
}

TEST(CsvReaderTest, UndecodableBytesNameTheLine) {
  auto result = ReadCsv("a,b\nc,d\n\xFF\xFF\xFF\n", "名册.csv");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kImportEncoding);
  EXPECT_EQ(result.status().Param("row"), "3");
}

TEST(CsvReaderTest, QuotesDelimitersAndDoubledQuotes) {
  Sheet sheet = MustRead(
      "姓名,地址,备注\n"
      "\"张三\",\"幸福里小区3栋,2单元\",\"他说\"\"你好\"\"\"\n"
      "李四,5\"屏,\"\"\n"
      "\"王五\"abc,x\n");
  ASSERT_EQ(sheet.rows.size(), 4u);
  EXPECT_EQ(sheet.at(1, 0).text, "张三");
  EXPECT_EQ(sheet.at(1, 1).text, "幸福里小区3栋,2单元");
  EXPECT_EQ(sheet.at(1, 2).text, "他说\"你好\"");
  EXPECT_EQ(sheet.at(2, 1).text, "5\"屏");           // a quote inside an unquoted field is literal
  EXPECT_EQ(sheet.at(2, 2).type, CellType::kEmpty);  // "" is an empty field
  EXPECT_EQ(sheet.rows[2].size(), 2u);
  EXPECT_EQ(sheet.at(3, 0).text, "王五abc");  // text after the closing quote is kept
}

TEST(CsvReaderTest, EmbeddedLineBreaksKeepLineNumbers) {
  Sheet sheet = MustRead(
      "姓名,备注\r\n"
      "张三,\"第一行\r\n第二行\r第三行\"\r\n"
      "李四,x\r\n");
  // Line 1 header, lines 2-4 one record, line 5 李四.
  ASSERT_EQ(sheet.rows.size(), 5u);
  EXPECT_EQ(sheet.at(1, 1).text, "第一行\n第二行\n第三行");
  EXPECT_TRUE(sheet.rows[2].empty());
  EXPECT_TRUE(sheet.rows[3].empty());
  EXPECT_EQ(sheet.at(4, 0).text, "李四");
}

TEST(CsvReaderTest, LineEndings) {
  for (const std::string& eol : {"\n", "\r\n", "\r"}) {
    Sheet sheet = MustRead("a,b" + eol + "c,d" + eol + eol + "e,f" + eol + eol + eol);
    ASSERT_EQ(sheet.rows.size(), 4u) << eol.size();
    EXPECT_EQ(sheet.at(1, 1).text, "d");
    EXPECT_TRUE(sheet.rows[2].empty());
    EXPECT_EQ(sheet.at(3, 0).text, "e");
  }
  Sheet mixed = MustRead("a\r\nb\rc\nd");
  ASSERT_EQ(mixed.rows.size(), 4u);
  EXPECT_EQ(mixed.at(3, 0).text, "d");  // no line break at the end
}

TEST(CsvReaderTest, TabDetection) {
  Sheet tabs = MustRead("\n姓名\t地址\n张三\t幸福里,3栋\n");
  EXPECT_EQ(tabs.at(1, 1).text, "地址");
  EXPECT_EQ(tabs.at(2, 1).text, "幸福里,3栋");
  Sheet commas = MustRead("姓名,备注\n张三,a\tb\n");  // tab and comma: comma wins
  EXPECT_EQ(commas.at(1, 1).text, "a\tb");
}

TEST(CsvReaderTest, RaggedRowsWhitespaceAndNoNumberGuessing) {
  Sheet sheet = MustRead("a,b,c\n1\n 2 ,0012,1.10101E+17,,\n,,,\n");
  ASSERT_EQ(sheet.rows.size(), 3u);
  EXPECT_EQ(sheet.rows[1].size(), 1u);
  EXPECT_EQ(sheet.at(1, 0).type, CellType::kText);
  EXPECT_EQ(sheet.at(1, 0).text, "1");
  EXPECT_EQ(sheet.at(1, 2).type, CellType::kEmpty);
  EXPECT_EQ(sheet.at(2, 0).text, " 2 ");
  EXPECT_EQ(sheet.at(2, 1).text, "0012");
  EXPECT_EQ(sheet.at(2, 2).type, CellType::kText);
  EXPECT_EQ(sheet.at(2, 2).text, "1.10101E+17");
  EXPECT_EQ(sheet.rows[2].size(), 3u);  // trailing empty fields dropped
}

TEST(CsvReaderTest, UnclosedQuoteIsAnError) {
  auto result = ReadCsv("a,b\nc,\"unterminated\nd,e\n", "名册.csv");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kImportFormat);
  EXPECT_EQ(result.status().Param("file"), "名册.csv");
  EXPECT_NE(result.status().Param("detail").find("第2行"), std::string::npos);
}

TEST(CsvReaderTest, CellCap) {
  ReadLimits limits;
  limits.max_cells = 5;
  auto result = ReadCsv("a,b,c\nd,e,f\n", "名册.csv", limits);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().Param("detail").find("上限"), std::string::npos);
  auto lines = ReadCsv(std::string(100, '\n') + "x\n", "名册.csv", limits);
  ASSERT_FALSE(lines.ok());
  EXPECT_TRUE(ReadCsv(std::string(100, '\n'), "名册.csv", limits).ok());  // trailing blank lines
}

TEST(CsvReaderTest, RandomBytesNeverCrash) {
  uint32_t seed = 7;
  auto next = [&seed]() { return seed = seed * 1103515245u + 12345u; };
  const char kAlphabet[] = {'"',    ',',    '\t',   '\r',   '\n',   'a',    '\xD5',
                            '\xC5', '\xE5', '\xBC', '\xA0', '\xFF', '\xFE', '\0'};
  for (int round = 0; round < 3000; ++round) {
    std::string bytes;
    size_t len = next() % 64;
    for (size_t i = 0; i < len; ++i) bytes += kAlphabet[(next() >> 8) % sizeof kAlphabet];
    auto result = ReadCsv(bytes, "名册.csv");
    if (!result.ok()) {
      EXPECT_TRUE(result.status().code() == ErrorCode::kImportEncoding ||
                  result.status().code() == ErrorCode::kImportFormat)
          << result.status().ToString();
      continue;
    }
    for (const auto& row : result->rows)
      for (const auto& cell : row) EXPECT_EQ(cell.type == CellType::kEmpty, cell.text.empty());
  }
}

TEST(CsvReaderTest, DelimiterAtEndOfFile) {
  Sheet sheet = MustRead("a,");
  ASSERT_EQ(sheet.rows.size(), 1u);
  EXPECT_EQ(sheet.rows[0].size(), 1u);
  EXPECT_TRUE(MustRead("").rows.empty());
  EXPECT_TRUE(MustRead("\xEF\xBB\xBF").rows.empty());
}

}  // namespace
}  // namespace linli::io
