// The dirty-import catalogue (G14): files as offices really keep them, each with the outcome the
// import rules (docs/IMPORT.md) call for, run through registry::ImportRegistryFile on a fresh
// store of the engine under test (SQLite or PostgreSQL, see test_db.h).
//
// Every case is data in kCases below: the file (CSV text, an .xlsx built with libxlsxwriter, or a
// committed file in tests/import_catalogue/), the community, an optional earlier import, and the
// expected outcome: counts, every rejected row's (row, column letter, error code), every
// normalisation note (row, rule), the changes of a re-import, stored values read back with SQL,
// and table sizes. Expected values were worked out from the rules, not copied from a run.
// Each case also checks, generically:
//   - a dry run writes nothing and reports exactly what the real import reports;
//   - the same file imported into a second fresh store gives a byte-identical JSON report;
//   - persons grow by exactly the number imported; every reason is in Chinese.
//
// Groups:
//   encoding  UTF-8 with/without BOM, GBK, GB18030 (4-byte characters), UTF-16 tab text, CRLF,
//             CR, tabs, quotes with line breaks and commas, damaged bytes, binary and empty files,
//             title-only and header-only files, unterminated quotes
//   layout    title rows, merged titles, two-row headers with merged cells, hidden sheets,
//             columns in any order, unknown columns, synonyms and notes (身份证号（必填）), line
//             breaks in headers, header past row 30, missing key columns, duplicate columns,
//             empty rows, repeated headers, 合计/小计 rows, footers, numbered empty template rows
//   xlsx      IDs typed as numbers (18 and 15 digits), 1.10105E+17 text, formulas with and
//             without cached values, error cells, date cells, date serials and ambiguous numbers,
//             future date cells, numeric phones and 户号, a legacy .xls
//   id        full-width digits, lower-case x, 15 digits, spaces and apostrophes, check digit,
//             impossible and future birth dates, province, length, characters, 居住证, duplicates
//             within the file, gender/birth mismatches, several problems in one row
//   date      2019.5.26 / 2019年5月26日 / 20190526 / 2019/5/26, impossible and future dates, no
//             ID with or without a birth date, a month alone
//   name      spaces, minority name dots, digits, missing names, Latin names, notes in the name
//   phone     formats normalised, invalid numbers
//   code      aliases and codes, unknown 民族, unknown relation
//   address   the 3号楼/3幢/3-2-401/full-width/leading-zero forms, unsplittable addresses, shared
//             rooms, spaces, grids and occupancy
//   household 户号 with two 户主, households by 户号, by 户主 order, by merged 户号 cells
//   reimport  unchanged, changed phone/address (masked), empty cells keep values, another
//             community, without ID, an ended person, a 15-digit re-import
//   org       a street instead of a community, an unknown code
#include <gtest/gtest.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/text.h"
#include "crypto/field_cipher.h"
#include "org/org.h"
#include "registry/import.h"
#include "registry/person.h"
#include "test_db.h"

namespace linli {
namespace {

constexpr const char* kToday = "2026-06-30";
constexpr const char* kCommunityA = "110105001001";  // 幸福里社区居委会, where files are imported
constexpr const char* kCommunityB = "110105001002";  // 光明社区居委会
constexpr const char* kStreet = "110105001";

// ---- How a case's file is made -----------------------------------------------------------

enum class XKind {
  kText,            // a shared string
  kNumber,          // a number in General format
  kDate,            // a number formatted yyyy-mm-dd
  kDateCn,          // a number formatted yyyy年m月d日
  kFormula,         // a formula with a cached text result
  kFormulaNumber,   // a formula with a cached numeric result
  kFormulaNoValue,  // a formula saved without a result
  kErrorNa,         // an error cell #N/A
  kMerge,           // a merged range "A1:G1" holding `text`
};

struct XCell {
  const char* ref;
  XKind kind;
  const char* text = "";
  double number = 0;
  const char* cached = "";
};

XCell T(const char* ref, const char* text) { return {ref, XKind::kText, text}; }
XCell N(const char* ref, double number) { return {ref, XKind::kNumber, "", number}; }
XCell D(const char* ref, double serial) { return {ref, XKind::kDate, "", serial}; }
XCell DCn(const char* ref, double serial) { return {ref, XKind::kDateCn, "", serial}; }
XCell F(const char* ref, const char* formula, const char* cached) {
  return {ref, XKind::kFormula, formula, 0, cached};
}
XCell FN(const char* ref, const char* formula, double cached) {
  return {ref, XKind::kFormulaNumber, formula, cached};
}
XCell FX(const char* ref, const char* formula) { return {ref, XKind::kFormulaNoValue, formula}; }
XCell Na(const char* ref) { return {ref, XKind::kErrorNa, "=NA()"}; }
XCell M(const char* range, const char* text) { return {range, XKind::kMerge, text}; }

struct XSheet {
  const char* name;
  bool hidden = false;
  std::vector<XCell> cells;
};

struct Input {
  enum class Kind { kNone, kBytes, kFile, kXlsx };
  Kind kind = Kind::kNone;
  std::string bytes;           // kBytes: the whole file
  std::string extension;       // kBytes: ".csv", ".pdf" …
  std::string file;            // kFile: a name under tests/import_catalogue/
  std::vector<XSheet> sheets;  // kXlsx
};

// CSV text from lines, each ended by `eol`, after `prefix` (a BOM).
Input Csv(std::vector<std::string> lines, const char* eol = "\n", const char* prefix = "") {
  Input in;
  in.kind = Input::Kind::kBytes;
  in.bytes = prefix;
  for (const auto& line : lines) in.bytes += line + eol;
  in.extension = ".csv";
  return in;
}
Input Bytes(std::string bytes, const char* extension) {
  Input in;
  in.kind = Input::Kind::kBytes;
  in.bytes = std::move(bytes);
  in.extension = extension;
  return in;
}
Input File(const char* name) {
  Input in;
  in.kind = Input::Kind::kFile;
  in.file = name;
  return in;
}
Input Xlsx(std::vector<XSheet> sheets) {
  Input in;
  in.kind = Input::Kind::kXlsx;
  in.sheets = std::move(sheets);
  return in;
}

// ---- What a case expects -----------------------------------------------------------------

struct Counts {
  int64_t imported = 0, updated = 0, unchanged = 0, rejected = 0;
};

struct Issue {
  int row;
  const char* column;  // letter, "" for a whole-row reason
  ErrorCode code;
  const char* message_part = nullptr;  // a piece of the Chinese message, when it matters
  const char* header = nullptr;        // the header text reported, when it matters
};

struct Note {
  int row;
  const char* rule;
};

// A stored value: `who` is an ID number or a name; `field` a persons column or one of room,
// grid, household, head, occupancy, community, status; kAbsent: no such person.
struct Stored {
  const char* who;
  const char* field;
  const char* value;
};
constexpr const char* kAbsent = "<absent>";

struct Change {
  int row;
  const char* field;
  const char* old_value;
  const char* new_value;
};

struct TableCount {
  const char* table;
  int64_t count;
};

using Setup = void (*)(storage::Db& db);

struct Case {
  const char* name;
  const char* group;
  Input input;
  const char* org = kCommunityA;
  Input preload = {};  // imported (into preload_org) before the case's file
  const char* preload_org = kCommunityA;
  Setup after_preload = nullptr;
  std::optional<ErrorCode> file_error = std::nullopt;  // the whole file refused with this code
  const char* file_error_part = nullptr;
  Counts counts = {};
  std::vector<Issue> errors = {};
  std::vector<Note> notes = {};
  std::vector<Change> changes = {};
  std::vector<Stored> stored = {};
  std::vector<TableCount> tables = {};
  std::optional<std::vector<std::string>> ignored = std::nullopt;
  int header_row = 0;                           // 0: not checked
  std::vector<std::string> not_in_report = {};  // e.g. full phone numbers that must be masked
};

// ---- The people of the catalogue (check digits computed by hand, ISO 7064 MOD 11-2) ------
// Macros, not constants: string literals joined at compile time let each row below be written as
// the CSV line it is.

#define ZHANG_WEI "110105198503121234"     // 张伟 m 1985-03-12 (15 digits: 110105850312123)
#define LI_NA "110105199007082461"         // 李娜 f 1990-07-08
#define WANG_FANG "110105196211300282"     // 王芳 f 1962-11-30
#define LIU_YANG "110105201001050151"      // 刘洋 m 2010-01-05
#define CHEN_JING "11010519491231002X"     // 陈静 f 1949-12-31 (15 digits: 110105491231002)
#define ZHAO_LEI "440305197806151118"      // 赵磊 m 1978-06-15
#define ABDULLA "650102198809090318"       // 阿卜杜拉·买买提 m 1988-09-09
#define SUN_XIUYING "110105195502280643"   // 孙秀英 f 1955-02-28
#define ZHOU_JIE "320102199912010572"      // 周杰 m 1999-12-01
#define WU_MIN "310101200104180220"        // 吴敏 f 2001-04-18
#define ZHENG_QIANG "110105197010100799"   // 郑强 m 1970-10-10
#define HUANG_LI "110105198305200484"      // 黄丽 f 1983-05-20
#define CHEN_MEILING "810000199202140346"  // 陈美玲 f 1992-02-14, 港澳台居民居住证

#define H7 "姓名,公民身份号码,性别,出生日期,民族,联系电话,现居住地址"
#define ROW_ZHANG "张伟," ZHANG_WEI ",男,1985-03-12,汉族,13800138000,幸福里小区3栋2单元401室"
#define ROW_LI "李娜," LI_NA ",女,1990-07-08,回族,13900139000,幸福里小区3栋2单元402室"

void EndZhangWei(storage::Db& db) {
  auto store = registry::PersonStore::Create(db);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto id = (*store)->FindByIdNumber(ZHANG_WEI);
  ASSERT_TRUE(id.ok() && *id > 0);
  Status st = registry::EndPerson(db, *id, "moved_out", "2026-05-01", "迁往上海市");
  ASSERT_TRUE(st.ok()) << st.ToString();
}

const std::vector<Case>& Catalogue() {
  static const std::vector<Case> kCases = {
      // ---- encoding ------------------------------------------------------------------------
      {.name = "csv_utf8",
       .group = "encoding",
       .input = Csv({H7, ROW_ZHANG, ROW_LI}),
       .counts = {.imported = 2},
       .stored = {{ZHANG_WEI, "name", "张伟"},
                  {ZHANG_WEI, "gender", "1"},
                  {ZHANG_WEI, "birth_date", "1985-03-12"},
                  {ZHANG_WEI, "ethnicity", "01"},
                  {ZHANG_WEI, "phone", "13800138000"},
                  {ZHANG_WEI, "address", "幸福里小区3栋2单元401室"},
                  {ZHANG_WEI, "room", "幸福里小区3栋2单元401室"},
                  {LI_NA, "gender", "2"},
                  {LI_NA, "ethnicity", "03"}},
       .tables = {{"places", 5}, {"imports", 1}, {"person_events", 2}},
       .ignored = std::vector<std::string>{},
       .header_row = 1},
      {.name = "csv_utf8_bom",
       .group = "encoding",
       .input = Csv({H7, ROW_ZHANG, ROW_LI}, "\n", "\xEF\xBB\xBF"),
       .counts = {.imported = 2},
       .stored = {{ZHANG_WEI, "name", "张伟"}, {LI_NA, "name", "李娜"}},
       .header_row = 1},
      {.name = "csv_crlf_row_numbers",
       .group = "encoding",
       .input =
           Csv({H7, ROW_ZHANG, ROW_LI,
                "王芳,110105196211300281,女,1962-11-30,汉族,13700137000,幸福里小区3栋2单元403室"},
               "\r\n"),
       .counts = {.imported = 2, .rejected = 1},
       .errors = {{4, "B", ErrorCode::kIdChecksum, "应为2"}},
       .stored = {{LI_NA, "address", "幸福里小区3栋2单元402室"}, {"王芳", "name", kAbsent}}},
      {.name = "csv_cr_only",
       .group = "encoding",
       .input = Csv({H7, ROW_ZHANG, ROW_LI}, "\r"),
       .counts = {.imported = 2},
       .stored = {{LI_NA, "phone", "13900139000"}}},
      {.name = "csv_gbk_committed",
       .group = "encoding",
       .input = File("gbk.csv"),
       .counts = {.imported = 2, .rejected = 1},
       .errors = {{4, "B", ErrorCode::kIdChecksum, "应为2"}},
       .stored = {{ZHANG_WEI, "name", "张伟"},
                  {SUN_XIUYING, "name", "孙秀英"},
                  {SUN_XIUYING, "ethnicity", "11"},
                  {SUN_XIUYING, "address", "幸福里小区1栋1单元102室"}},
       .header_row = 1},
      {.name = "csv_gb18030_four_byte_characters",
       .group = "encoding",
       .input = File("gb18030.csv"),
       .counts = {.imported = 2},
       .notes = {{3, "date_format"}},
       .stored = {{HUANG_LI, "name", "刘䶮"}, {ZHENG_QIANG, "name", "张𠮷"}}},
      {.name = "utf16_tab_text_from_excel",
       .group = "encoding",
       .input = File("excel_unicode.txt"),
       .counts = {.imported = 2},
       .notes = {{3, "phone_format"}},
       .stored = {{ZHOU_JIE, "name", "周杰"}, {WU_MIN, "phone", "13900139000"}}},
      {.name = "csv_tab_separated",
       .group = "encoding",
       .input = Csv({"姓名\t公民身份号码\t联系电话", "张伟\t" ZHANG_WEI "\t13800138000",
                     "李娜\t" LI_NA "\t1390013900"}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{3, "C", ErrorCode::kPhoneInvalid}},
       .stored = {{ZHANG_WEI, "phone", "13800138000"}}},
      {.name = "csv_quotes_newlines_commas",
       .group = "encoding",
       .input = Csv({"姓名,公民身份号码,户籍地址,联系电话",
                     "张伟," ZHANG_WEI ",\"北京市朝阳区\n建外街道1号\",13800138000",
                     "李娜," LI_NA ",\"北京市朝阳区,光华路2号\",1390013900",
                     "王芳," WANG_FANG ",\"朝阳区\"\"幸福里\"\"社区\",13700137000"}),
       .counts = {.imported = 2, .rejected = 1},
       .errors = {{4, "D", ErrorCode::kPhoneInvalid}},
       .stored = {{ZHANG_WEI, "hukou_address", "北京市朝阳区\n建外街道1号"},
                  {WANG_FANG, "hukou_address", "朝阳区\"幸福里\"社区"},
                  {LI_NA, "name", kAbsent}}},
      {.name = "csv_damaged_bytes",
       .group = "encoding",
       .input = Bytes("姓名,公民身份号码,性别,出生日期,民族,联系电话\n张伟," ZHANG_WEI
                      ",男,,汉族,13800138000\n\xFF\xFE\xFD," LI_NA ",女,,汉族,\n",
                      ".csv"),
       .file_error = ErrorCode::kImportEncoding,
       .file_error_part = "第3行"},
      {.name = "png_not_a_spreadsheet",
       .group = "encoding",
       .input = File("scanned_form.png"),
       .file_error = ErrorCode::kImportUnsupported,
       .file_error_part = ".png"},
      {.name = "pdf_not_a_spreadsheet",
       .group = "encoding",
       .input =
           Bytes("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", ".pdf"),
       .file_error = ErrorCode::kImportUnsupported},
      {.name = "zip_not_a_workbook",
       .group = "encoding",
       .input = Bytes(std::string("PK\x03\x04", 4) + "not really a zip archive", ".xlsx"),
       .file_error = ErrorCode::kImportFormat},
      {.name = "empty_file",
       .group = "encoding",
       .input = Bytes("", ".csv"),
       .file_error = ErrorCode::kImportFormat},
      {.name = "title_only",
       .group = "encoding",
       .input = Csv({"幸福里社区居民花名册", "", "填报日期：2026年6月30日"}),
       .file_error = ErrorCode::kImportNoHeader},
      {.name = "header_only",
       .group = "encoding",
       .input = Csv({H7}),
       .counts = {},
       .tables = {{"persons", 0}, {"imports", 1}},
       .header_row = 1},
      {.name = "csv_unterminated_quote",
       .group = "encoding",
       .input = Csv(
           {"姓名,公民身份号码,户籍地址", "张伟," ZHANG_WEI ",\"北京市朝阳区", "李娜," LI_NA ","}),
       .file_error = ErrorCode::kImportFormat,
       .file_error_part = "第2行"},

      // ---- layout --------------------------------------------------------------------------
      {.name = "csv_title_rows_above_header",
       .group = "layout",
       .input = Csv({"幸福里社区居民登记表,,,,,,",
                     "填报单位：幸福里社区居委会,,,,填报日期：2026年6月30日,,", H7, ROW_ZHANG,
                     "李娜," LI_NA ",女,1990-07-08,回族,1390013900,幸福里小区3栋2单元402室"}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{5, "F", ErrorCode::kPhoneInvalid}},
       .header_row = 3},
      {.name = "xlsx_merged_title_rows",
       .group = "layout",
       .input =
           Xlsx({{"居民",
                  false,
                  {M("A1:G1", "幸福里社区居民花名册"),
                   M("A2:G2", "填报单位：幸福里社区居委会    填报日期：2026年6月30日"),
                   T("A3", "姓名"), T("B3", "公民身份号码"), T("C3", "性别"), T("D3", "出生日期"),
                   T("E3", "民族"), T("F3", "联系电话"), T("G3", "现居住地址"), T("A4", "张伟"),
                   T("B4", ZHANG_WEI), T("C4", "男"), T("D4", "1985-03-12"), T("E4", "汉族"),
                   T("F4", "13800138000"), T("G4", "幸福里小区3栋2单元401室"), T("A5", "王芳"),
                   T("B5", "110105196211300281"), T("C5", "女")}}}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{5, "B", ErrorCode::kIdChecksum, "应为2"}},
       .stored = {{ZHANG_WEI, "address", "幸福里小区3栋2单元401室"}},
       .header_row = 3},
      {.name = "xlsx_two_row_header_with_merges",
       .group = "layout",
       .input = Xlsx({{"居民",
                       false,
                       {M("A1:F1", "幸福里社区居民信息表"),
                        M("A2:A3", "序号"),
                        M("B2:B3", "姓名"),
                        M("C2:D2", "证件信息"),
                        M("E2:F2", "联系方式"),
                        T("C3", "身份证号"),
                        T("D3", "出生日期"),
                        T("E3", "手机"),
                        T("F3", "现住址"),
                        N("A4", 1),
                        T("B4", "张伟"),
                        T("C4", ZHANG_WEI),
                        T("D4", "1985-03-12"),
                        N("E4", 13800138000.0),
                        T("F4", "幸福里小区3栋2单元401室"),
                        N("A5", 2),
                        T("B5", "李娜"),
                        T("C5", LI_NA),
                        T("D5", "1990-07-08"),
                        T("E5", "13900139000"),
                        T("F5", "幸福里小区3栋2单元402室")}}}),
       .counts = {.imported = 2},
       .stored = {{ZHANG_WEI, "phone", "13800138000"},
                  {LI_NA, "address", "幸福里小区3栋2单元402室"}},
       .ignored = std::vector<std::string>{"A 序号"},
       .header_row = 3},
      {.name = "xlsx_header_cell_merged_across_columns",
       .group = "layout",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓名"), T("B1", "公民身份号码"), M("C1:D1", "现居住地址"),
                        T("E1", "联系电话"), T("A2", "张伟"), T("B2", ZHANG_WEI),
                        T("C2", "幸福里小区3栋2单元401室"), T("E2", "13800138000")}}}),
       .counts = {.imported = 1},
       .stored = {{ZHANG_WEI, "address", "幸福里小区3栋2单元401室"},
                  {ZHANG_WEI, "phone", "13800138000"}},
       .ignored = std::vector<std::string>{}},
      {.name = "xlsx_hidden_first_sheet",
       .group = "layout",
       .input = Xlsx(
           {{"说明",
             true,
             {T("A1", "姓名"), T("B1", "公民身份号码"), T("A2", "赵磊"), T("B2", ZHAO_LEI)}},
            {"居民",
             false,
             {T("A1", "姓名"), T("B1", "公民身份号码"), T("A2", "张伟"), T("B2", ZHANG_WEI)}}}),
       .counts = {.imported = 1},
       .stored = {{ZHANG_WEI, "name", "张伟"}, {ZHAO_LEI, "name", kAbsent}},
       .tables = {{"persons", 1}}},
      {.name = "columns_in_any_order_unknown_ignored",
       .group = "layout",
       .input = Csv({"序号,现居住地址,联系电话,备注,姓名,民族,公民身份号码,填表人",
                     "1,幸福里小区3栋2单元401室,13800138000,低保户,张伟,汉族," ZHANG_WEI ",王强",
                     "2,幸福里小区3栋2单元402室,13900139000,,李娜,回族," LI_NA ",王强"}),
       .counts = {.imported = 2},
       .stored = {{ZHANG_WEI, "phone", "13800138000"},
                  {ZHANG_WEI, "address", "幸福里小区3栋2单元401室"},
                  {ZHANG_WEI, "ethnicity", "01"},
                  {LI_NA, "ethnicity", "03"},
                  {"王强", "name", kAbsent}},
       .ignored = std::vector<std::string>{"A 序号", "D 备注", "H 填表人"}},
      {.name = "header_synonyms_and_notes",
       .group = "layout",
       .input = Csv(
           {"名字*,身份证号（必填）,手机号码,现住址,出生年月（选填）,民族【必填】,与户主的关系,"
            "户编号",
            "张伟," ZHANG_WEI ",13800138000,幸福里小区3栋2单元401室,1985.03,汉族,户主,H001",
            "李娜,110105199007082462,13900139000,幸福里小区3栋2单元401室,1990.07,汉族,妻,H001"}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{3, "B", ErrorCode::kIdChecksum, "应为1", "身份证号(必填)"}},
       .notes = {{2, "date_format"}, {3, "date_format"}},
       .stored = {{ZHANG_WEI, "birth_date", "1985-03-12"},
                  {ZHANG_WEI, "phone", "13800138000"},
                  {ZHANG_WEI, "relation", "02"},
                  {ZHANG_WEI, "household", "H001"},
                  {ZHANG_WEI, "head", "张伟"}},
       .ignored = std::vector<std::string>{},
       .header_row = 1},
      {.name = "xlsx_line_breaks_in_headers",
       .group = "layout",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓 名"), T("B1", "公民身份\n号码"), T("C1", "联系\n电话"),
                        T("A2", "张伟"), T("B2", ZHANG_WEI), T("C2", "13800138000")}}}),
       .counts = {.imported = 1},
       .stored = {{ZHANG_WEI, "phone", "13800138000"}},
       .ignored = std::vector<std::string>{}},
      {.name = "header_past_row_30",
       .group = "layout",
       .input = Csv({"说明1",
                     "说明2",
                     "说明3",
                     "说明4",
                     "说明5",
                     "说明6",
                     "说明7",
                     "说明8",
                     "说明9",
                     "说明10",
                     "说明11",
                     "说明12",
                     "说明13",
                     "说明14",
                     "说明15",
                     "说明16",
                     "说明17",
                     "说明18",
                     "说明19",
                     "说明20",
                     "说明21",
                     "说明22",
                     "说明23",
                     "说明24",
                     "说明25",
                     "说明26",
                     "说明27",
                     "说明28",
                     "说明29",
                     "说明30",
                     "姓名,公民身份号码",
                     "张伟," ZHANG_WEI}),
       .file_error = ErrorCode::kImportNoHeader},
      {.name = "header_without_id_or_birth",
       .group = "layout",
       .input = Csv({"姓名,性别,联系电话", "张伟,男,13800138000"}),
       .file_error = ErrorCode::kImportNoHeader},
      {.name = "same_column_twice",
       .group = "layout",
       .input = Csv(
           {"姓名,身份证号,公民身份号码,联系电话", "张伟," ZHANG_WEI "," ZHANG_WEI ",13800138000"}),
       .file_error = ErrorCode::kImportDuplicateColumn,
       .file_error_part = "第B列和第C列"},
      {.name = "empty_rows_in_the_middle",
       .group = "layout",
       .input = Csv({"姓名,公民身份号码,联系电话", "张伟," ZHANG_WEI ",13800138000", "", ",,",
                     " , , ", "李娜," LI_NA ",1390013900"}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{6, "C", ErrorCode::kPhoneInvalid}}},
      {.name = "repeated_header_rows",
       .group = "layout",
       .input = Csv({"姓名,公民身份号码,联系电话", "张伟," ZHANG_WEI ",13800138000",
                     "姓名,公民身份号码,联系电话", "李娜," LI_NA ",1390013900",
                     "王芳," WANG_FANG ",13700137000"}),
       .counts = {.imported = 2, .rejected = 1},
       .errors = {{4, "C", ErrorCode::kPhoneInvalid}}},
      {.name = "totals_rows",
       .group = "layout",
       .input = Csv({"序号,姓名,公民身份号码", "1,张伟," ZHANG_WEI, ",小计：1人,", "2,李娜," LI_NA,
                     "合计,2人,"}),
       .counts = {.imported = 2, .rejected = 2},
       .errors = {{3, "", ErrorCode::kImportTotalsRow}, {5, "", ErrorCode::kImportTotalsRow}},
       .tables = {{"persons", 2}}},
      {.name = "footer_row",
       .group = "layout",
       .input = Csv({"姓名,公民身份号码,出生日期,联系电话", "张伟," ZHANG_WEI ",,13800138000",
                     "填表人：王强,,,联系电话：13800138000"}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{3, "A", ErrorCode::kNameInvalid},
                  {3, "C", ErrorCode::kIdOrBirthRequired},
                  {3, "D", ErrorCode::kPhoneInvalid}}},
      {.name = "numbered_empty_template_rows",
       .group = "layout",
       .input = Csv({"序号,姓名,公民身份号码,出生日期", "1,张伟," ZHANG_WEI ",", "2,,,"}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{3, "B", ErrorCode::kNameMissing}, {3, "D", ErrorCode::kIdOrBirthRequired}}},

      // ---- xlsx cells ----------------------------------------------------------------------
      {.name = "xlsx_id_typed_as_number_18_digits",
       .group = "xlsx",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓名"), T("B1", "公民身份号码"), T("A2", "张伟"),
                        N("B2", 110105198503121234.0), T("A3", "李娜"), T("B3", LI_NA)}}}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{2, "B", ErrorCode::kIdScientific, "科学计数法"}},
       .stored = {{ZHANG_WEI, "name", kAbsent}, {"张伟", "name", kAbsent}}},
      {.name = "xlsx_id_typed_as_number_15_digits",
       .group = "xlsx",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓名"), T("B1", "公民身份号码"), T("A2", "张伟"),
                        N("B2", 110105850312123.0)}}}),
       .counts = {.imported = 1},
       .notes = {{2, "id_15_to_18"}},
       .stored = {{ZHANG_WEI, "name", "张伟"},
                  {ZHANG_WEI, "gender", "1"},
                  {ZHANG_WEI, "birth_date", "1985-03-12"}}},
      {.name = "csv_id_in_scientific_notation",
       .group = "xlsx",
       .input = Csv(
           {"姓名,公民身份号码", "张伟,1.10105E+17", "李娜,1.10105199007082E+17", "王芳,1.1E17"}),
       .counts = {.rejected = 3},
       .errors = {{2, "B", ErrorCode::kIdScientific, "1.10105E+17"},
                  {3, "B", ErrorCode::kIdScientific},
                  {4, "B", ErrorCode::kIdScientific}},
       .tables = {{"persons", 0}}},
      {.name = "xlsx_formulas_with_cached_values",
       .group = "xlsx",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓名"), T("B1", "公民身份号码"), T("C1", "联系电话"),
                        F("A2", "=\"张\"&\"伟\"", "张伟"), T("B2", ZHANG_WEI),
                        FN("C2", "=13800000000+138000", 13800138000.0)}}}),
       .counts = {.imported = 1},
       .stored = {{ZHANG_WEI, "name", "张伟"}, {ZHANG_WEI, "phone", "13800138000"}}},
      {.name = "xlsx_formula_without_cached_value",
       .group = "xlsx",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓名"), T("B1", "公民身份号码"), T("A2", "张伟"),
                        T("B2", ZHANG_WEI), T("A3", "李娜"), FX("B3", "=CONCATENATE(C3,D3)"),
                        T("C3", "1101051990"), T("D3", "07082461")}}}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{3, "B", ErrorCode::kImportFormula}},
       .stored = {{LI_NA, "name", kAbsent}}},
      {.name = "xlsx_error_cell",
       .group = "xlsx",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓名"), T("B1", "公民身份号码"), T("C1", "联系电话"),
                        T("A2", "张伟"), T("B2", ZHANG_WEI), Na("C2")}}}),
       .counts = {.rejected = 1},
       .errors = {{2, "C", ErrorCode::kInvalidArgument, "#N/A"}}},
      {.name = "xlsx_date_cells",
       .group = "xlsx",
       .input =
           Xlsx({{"居民",
                  false,
                  {T("A1", "姓名"), T("B1", "公民身份号码"), T("C1", "出生日期"), T("A2", "张伟"),
                   T("B2", ZHANG_WEI), D("C2", 31118), T("A3", "王小明"), DCn("C3", 33062)}}}),
       .counts = {.imported = 2},
       .stored = {{ZHANG_WEI, "birth_date", "1985-03-12"},
                  {"王小明", "birth_date", "1990-07-08"},
                  {"王小明", "id_number", ""}}},
      {.name = "xlsx_plain_numbers_in_date_column",
       .group = "xlsx",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓名"), T("B1", "公民身份号码"), T("C1", "出生日期"),
                        T("A2", "王一"), N("C2", 43611), T("A3", "王二"), N("C3", 1985.1),
                        T("A4", "王三"), N("C4", 1985), T("A5", "王四"), N("C5", 19850312)}}}),
       .counts = {.imported = 2, .rejected = 2},
       .errors = {{3, "C", ErrorCode::kBadDate, "1985.1"},
                  {3, "C", ErrorCode::kIdOrBirthRequired},
                  {4, "C", ErrorCode::kBadDate, "1985"},
                  {4, "C", ErrorCode::kIdOrBirthRequired}},
       .notes = {{2, "excel_serial_date"}, {5, "date_format"}},
       .stored = {{"王一", "birth_date", "2019-05-26"},
                  {"王四", "birth_date", "1985-03-12"},
                  {"王二", "name", kAbsent}}},
      {.name = "xlsx_future_date_cell",
       .group = "xlsx",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓名"), T("B1", "公民身份号码"), T("C1", "出生日期"),
                        T("A2", "王一"), D("C2", 46388), T("A3", "王二"), N("C3", 46388)}}}),
       .counts = {.rejected = 2},
       .errors = {{2, "C", ErrorCode::kBadDate, "2027-01-01"},
                  {2, "C", ErrorCode::kIdOrBirthRequired},
                  {3, "C", ErrorCode::kBadDate},
                  {3, "C", ErrorCode::kIdOrBirthRequired}}},
      {.name = "xlsx_numeric_phone_and_household_number",
       .group = "xlsx",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "姓名"), T("B1", "公民身份号码"), T("C1", "联系电话"),
                        T("D1", "户号"), T("E1", "与户主关系"), T("A2", "张伟"), T("B2", ZHANG_WEI),
                        N("C2", 13800138000.0), N("D2", 1001), T("E2", "户主"), T("A3", "李娜"),
                        T("B3", LI_NA), N("C3", 13900139000.0), N("D3", 1001), T("E3", "妻")}}}),
       .counts = {.imported = 2},
       .stored = {{ZHANG_WEI, "phone", "13800138000"},
                  {LI_NA, "household", "1001"},
                  {LI_NA, "head", "张伟"},
                  {LI_NA, "relation", "12"}},
       .tables = {{"households", 1}}},
      {.name = "xls_legacy_workbook",
       .group = "xlsx",
       .input = File("legacy.xls"),
       .counts = {.imported = 2, .rejected = 1},
       .errors = {{5, "B", ErrorCode::kIdScientific}},
       .stored = {{ZHANG_WEI, "birth_date", "1985-03-12"},
                  {ZHANG_WEI, "phone", "13800138000"},
                  {"王小明", "birth_date", "1990-07-08"},
                  {ZHAO_LEI, "name", kAbsent}},
       .header_row = 2},

      // ---- ID numbers ----------------------------------------------------------------------
      {.name = "id_full_width_digits",
       .group = "id",
       .input =
           Csv({"姓名,公民身份号码,性别,出生日期", "张伟,１１０１０５１９８５０３１２１２３４,,"}),
       .counts = {.imported = 1},
       .notes = {{2, "id_normalized"}},
       .stored = {{ZHANG_WEI, "name", "张伟"},
                  {ZHANG_WEI, "gender", "1"},
                  {ZHANG_WEI, "birth_date", "1985-03-12"}}},
      {.name = "id_lower_case_x",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "陈静,11010519491231002x,,"}),
       .counts = {.imported = 1},
       .notes = {{2, "id_normalized"}},
       .stored = {{CHEN_JING, "name", "陈静"},
                  {CHEN_JING, "gender", "2"},
                  {CHEN_JING, "birth_date", "1949-12-31"}}},
      {.name = "id_15_digits",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "陈静,110105491231002,女,1949-12-31",
                     "张伟,110105850312123,,"}),
       .counts = {.imported = 2},
       .notes = {{2, "id_15_to_18"}, {3, "id_15_to_18"}},
       .stored = {{CHEN_JING, "name", "陈静"}, {ZHANG_WEI, "birth_date", "1985-03-12"}}},
      {.name = "id_spaces_apostrophe_zero_width",
       .group = "id",
       .input = Csv({"姓名,公民身份号码", "张伟,110105 19850312 1234", "李娜,'" LI_NA,
                     "王芳,\xE2\x80\x8B" WANG_FANG}),
       .counts = {.imported = 3},
       .notes = {{2, "id_normalized"}, {3, "id_normalized"}, {4, "id_normalized"}},
       .stored = {{ZHANG_WEI, "name", "张伟"},
                  {LI_NA, "name", "李娜"},
                  {WANG_FANG, "name", "王芳"}}},
      {.name = "id_check_digit",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "张伟,110105198503121235,,"}),
       .counts = {.rejected = 1},
       .errors = {{2, "B", ErrorCode::kIdChecksum, "应为4"}}},
      {.name = "id_impossible_birth_date",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "张伟,110105198502301233,,"}),
       .counts = {.rejected = 1},
       .errors = {{2, "B", ErrorCode::kIdBirthDate, "1985-02-30"}}},
      {.name = "id_future_birth_date",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "张伟,110105202701011238,,"}),
       .counts = {.rejected = 1},
       .errors = {{2, "B", ErrorCode::kIdBirthFuture}}},
      {.name = "id_bad_province",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "张伟,100105198503121232,,"}),
       .counts = {.rejected = 1},
       .errors = {{2, "B", ErrorCode::kIdProvince, "10"}}},
      {.name = "id_wrong_length",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "张伟,11010519850312123,,"}),
       .counts = {.rejected = 1},
       .errors = {{2, "B", ErrorCode::kIdLength, "17"}}},
      {.name = "id_letters",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "张伟,11010519850312l234,,",
                     "李娜,11010519900708246A,,"}),
       .counts = {.rejected = 2},
       .errors = {{2, "B", ErrorCode::kIdChars, "l"}, {3, "B", ErrorCode::kIdChars, "A"}}},
      {.name = "id_residence_permit_81",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "陈美玲," CHEN_MEILING ",女,1992-02-14"}),
       .counts = {.imported = 1},
       .stored = {{CHEN_MEILING, "gender", "2"}, {CHEN_MEILING, "birth_date", "1992-02-14"}}},
      {.name = "id_twice_in_one_file",
       .group = "id",
       .input = Csv({"姓名,公民身份号码", "张伟," ZHANG_WEI, "李娜," LI_NA,
                     "张伟,１１０１０５１９８５０３１２１２３４"}),
       .counts = {.imported = 2, .rejected = 1},
       .errors = {{4, "B", ErrorCode::kImportDuplicateRow, "第2行"}},
       .notes = {{4, "id_normalized"}},
       .tables = {{"persons", 2}}},
      {.name = "gender_disagrees_with_id",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "张伟," ZHANG_WEI ",女,"}),
       .counts = {.rejected = 1},
       .errors = {{2, "C", ErrorCode::kGenderMismatch, "男性"}}},
      {.name = "birth_date_disagrees_with_id",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "张伟," ZHANG_WEI ",,1985-03-13"}),
       .counts = {.rejected = 1},
       .errors = {{2, "D", ErrorCode::kBirthMismatch, "1985-03-12"}}},
      {.name = "gender_and_birth_agree_with_id",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期", "张伟," ZHANG_WEI ",男,1985年3月12日",
                     "李娜," LI_NA ",女性,1990.7"}),
       .counts = {.imported = 2},
       .notes = {{2, "date_format"}, {3, "date_format"}},
       .stored = {{ZHANG_WEI, "birth_date", "1985-03-12"}, {LI_NA, "birth_date", "1990-07-08"}}},
      {.name = "several_problems_in_one_row",
       .group = "id",
       .input = Csv({"姓名,公民身份号码,性别,出生日期,民族,联系电话",
                     "张伟,110105198503121235,男,,火星族,1380013800"}),
       .counts = {.rejected = 1},
       .errors = {{2, "B", ErrorCode::kIdChecksum},
                  {2, "E", ErrorCode::kBadCode, "火星族"},
                  {2, "F", ErrorCode::kPhoneInvalid}}},

      // ---- dates ---------------------------------------------------------------------------
      {.name = "date_forms_without_id",
       .group = "date",
       .input = Csv({"姓名,公民身份号码,出生日期", "王一,,2019.5.26", "王二,,2019年5月26日",
                     "王三,,20190526", "王四,,2019/5/26", "王五,,2019-05-26", "王六,,2019.05.26"}),
       .counts = {.imported = 6},
       .notes = {{2, "date_format"},
                 {3, "date_format"},
                 {4, "date_format"},
                 {5, "date_format"},
                 {7, "date_format"}},
       .stored = {{"王一", "birth_date", "2019-05-26"},
                  {"王二", "birth_date", "2019-05-26"},
                  {"王三", "birth_date", "2019-05-26"},
                  {"王四", "birth_date", "2019-05-26"},
                  {"王五", "birth_date", "2019-05-26"},
                  {"王六", "birth_date", "2019-05-26"}}},
      {.name = "impossible_dates",
       .group = "date",
       .input = Csv(
           {"姓名,公民身份号码,出生日期", "王一,,1985-02-30", "王二,,1985年13月1日", "王三,,不详"}),
       .counts = {.rejected = 3},
       .errors = {{2, "C", ErrorCode::kBadDate, "1985-02-30"},
                  {2, "C", ErrorCode::kIdOrBirthRequired},
                  {3, "C", ErrorCode::kBadDate},
                  {3, "C", ErrorCode::kIdOrBirthRequired},
                  {4, "C", ErrorCode::kBadDate, "不详"},
                  {4, "C", ErrorCode::kIdOrBirthRequired}}},
      {.name = "future_date_text",
       .group = "date",
       .input = Csv(
           {"姓名,公民身份号码,出生日期", "王一,,2027-01-01", "张伟," ZHANG_WEI ",2027年1月1日"}),
       .counts = {.rejected = 2},
       .errors = {{2, "C", ErrorCode::kBadDate},
                  {2, "C", ErrorCode::kIdOrBirthRequired},
                  {3, "C", ErrorCode::kBadDate, "2027年1月1日"}}},
      {.name = "no_id_no_birth_date",
       .group = "date",
       .input = Csv({"姓名,公民身份号码,出生日期", "王一,,"}),
       .counts = {.rejected = 1},
       .errors = {{2, "C", ErrorCode::kIdOrBirthRequired}}},
      {.name = "no_id_month_only",
       .group = "date",
       .input = Csv({"姓名,公民身份号码,出生日期", "王一,,1949年12月"}),
       .counts = {.rejected = 1},
       .errors = {{2, "C", ErrorCode::kIdOrBirthRequired}},
       .notes = {{2, "date_format"}}},
      {.name = "no_id_with_birth_date_accepted",
       .group = "date",
       .input = Csv(
           {"姓名,公民身份号码,性别,出生日期", "王小明,,男,2019-05-26", "王小红,,女,2018年1月2日"}),
       .counts = {.imported = 2},
       .notes = {{3, "date_format"}},
       .stored = {{"王小明", "gender", "1"},
                  {"王小明", "birth_date", "2019-05-26"},
                  {"王小明", "id_number", ""},
                  {"王小红", "birth_date", "2018-01-02"},
                  {"王小红", "gender", "2"}}},
      {.name = "no_id_and_no_birth_column",
       .group = "date",
       .input = Csv({"姓名,公民身份号码,联系电话", "王一,,13800138000"}),
       .counts = {.rejected = 1},
       .errors = {{2, "", ErrorCode::kIdOrBirthRequired}}},

      // ---- names ---------------------------------------------------------------------------
      {.name = "name_spaces",
       .group = "name",
       .input = Csv({"姓名,公民身份号码,出生日期", "张 伟," ZHANG_WEI ",",
                     "李\xE3\x80\x80娜," LI_NA ",", " 王芳 ," WANG_FANG ","}),
       .counts = {.imported = 3},
       .notes = {{2, "name_spaces"}, {3, "name_spaces"}, {4, "name_spaces"}},
       .stored = {{ZHANG_WEI, "name", "张伟"},
                  {LI_NA, "name", "李娜"},
                  {WANG_FANG, "name", "王芳"}}},
      {.name = "name_minority_dots",
       .group = "name",
       .input =
           Csv({"姓名,公民身份号码,出生日期", "阿卜杜拉\xE2\x80\xA2买买提," ABDULLA ",",
                "艾力．买买提,,1990-01-01", "热依拉・买买提,,1991-02-03", "迪丽·热巴,,1992-06-03"}),
       .counts = {.imported = 4},
       .notes = {{2, "name_spaces"}, {3, "name_spaces"}, {4, "name_spaces"}},
       .stored = {{ABDULLA, "name", "阿卜杜拉·买买提"},
                  {"艾力·买买提", "birth_date", "1990-01-01"},
                  {"热依拉·买买提", "birth_date", "1991-02-03"},
                  {"迪丽·热巴", "birth_date", "1992-06-03"}}},
      {.name = "name_with_digits",
       .group = "name",
       .input = Csv({"姓名,公民身份号码,出生日期", "张伟2," ZHANG_WEI ","}),
       .counts = {.rejected = 1},
       .errors = {{2, "A", ErrorCode::kNameInvalid, "张伟2"}}},
      {.name = "name_missing",
       .group = "name",
       .input = Csv({"姓名,公民身份号码,出生日期", "," ZHANG_WEI ","}),
       .counts = {.rejected = 1},
       .errors = {{2, "A", ErrorCode::kNameMissing}}},
      {.name = "name_latin_letters",
       .group = "name",
       .input = Csv({"姓名,公民身份号码,出生日期", "John Smith,,1980-01-01"}),
       .counts = {.imported = 1},
       .stored = {{"John Smith", "birth_date", "1980-01-01"}}},
      {.name = "name_with_a_note",
       .group = "name",
       .input = Csv({"姓名,公民身份号码,出生日期", "张伟（户主）," ZHANG_WEI ","}),
       .counts = {.rejected = 1},
       .errors = {{2, "A", ErrorCode::kNameInvalid}}},

      // ---- phones --------------------------------------------------------------------------
      {.name = "phone_formats",
       .group = "phone",
       .input = Csv({"姓名,公民身份号码,联系电话", "张伟," ZHANG_WEI ",138 0013 8000",
                     "李娜," LI_NA ",+86 139-0013-9000", "王芳," WANG_FANG ",(010)65123456",
                     "刘洋," LIU_YANG ",010-65123456-801", "陈静," CHEN_JING ",0755 8765 4321"}),
       .counts = {.imported = 5},
       .notes =
           {{2, "phone_format"}, {3, "phone_format"}, {4, "phone_format"}, {6, "phone_format"}},
       .stored = {{ZHANG_WEI, "phone", "13800138000"},
                  {LI_NA, "phone", "13900139000"},
                  {WANG_FANG, "phone", "010-65123456"},
                  {LIU_YANG, "phone", "010-65123456-801"},
                  {CHEN_JING, "phone", "0755-87654321"}}},
      {.name = "phone_invalid",
       .group = "phone",
       .input = Csv({"姓名,公民身份号码,联系电话", "张伟," ZHANG_WEI ",1380013800",
                     "李娜," LI_NA ",12345678901", "王芳," WANG_FANG ",无"}),
       .counts = {.rejected = 3},
       .errors = {{2, "C", ErrorCode::kPhoneInvalid, "1380013800"},
                  {3, "C", ErrorCode::kPhoneInvalid},
                  {4, "C", ErrorCode::kPhoneInvalid}}},

      // ---- code tables ---------------------------------------------------------------------
      {.name = "code_labels_and_aliases",
       .group = "code",
       .input = Csv({"姓名,公民身份号码,性别,民族,政治面貌,文化程度,婚姻状况,人户状态",
                     "张伟," ZHANG_WEI ",男性,汉,党员,大专,已婚,人户一致",
                     "李娜," LI_NA ",女,汉族 ,群众,本科,未婚,流动"}),
       .counts = {.imported = 2},
       .stored = {{ZHANG_WEI, "gender", "1"},
                  {ZHANG_WEI, "ethnicity", "01"},
                  {ZHANG_WEI, "political_status", "01"},
                  {ZHANG_WEI, "education", "30"},
                  {ZHANG_WEI, "marital_status", "20"},
                  {ZHANG_WEI, "residence_status", "1"},
                  {LI_NA, "ethnicity", "01"},
                  {LI_NA, "political_status", "13"},
                  {LI_NA, "education", "20"},
                  {LI_NA, "marital_status", "10"},
                  {LI_NA, "residence_status", "4"}}},
      {.name = "code_given_as_number",
       .group = "code",
       .input = Csv({"姓名,公民身份号码,性别,民族", "张伟," ZHANG_WEI ",1,1"}),
       .counts = {.imported = 1},
       .stored = {{ZHANG_WEI, "gender", "1"}, {ZHANG_WEI, "ethnicity", "01"}}},
      {.name = "unknown_ethnicity",
       .group = "code",
       .input = Csv({"姓名,公民身份号码,性别,民族", "张伟," ZHANG_WEI ",男,火星族",
                     "李娜," LI_NA ",女,汉族"}),
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{2, "D", ErrorCode::kBadCode, "火星族"}}},
      {.name = "unknown_relation",
       .group = "code",
       .input = Csv({"姓名,公民身份号码,与户主关系", "张伟," ZHANG_WEI ",干儿子"}),
       .counts = {.rejected = 1},
       .errors = {{2, "C", ErrorCode::kBadCode, "干儿子"}}},

      // ---- addresses -----------------------------------------------------------------------
      {.name = "address_canonical_form",
       .group = "address",
       .input = Csv({"姓名,公民身份号码,现居住地址", "张伟," ZHANG_WEI ",幸福里小区3栋2单元401室"}),
       .counts = {.imported = 1},
       .stored = {{ZHANG_WEI, "address", "幸福里小区3栋2单元401室"},
                  {ZHANG_WEI, "room", "幸福里小区3栋2单元401室"}},
       .tables = {{"places", 4}}},
      {.name = "address_forms",
       .group = "address",
       .input = Csv({"姓名,公民身份号码,现居住地址", "张伟," ZHANG_WEI ",幸福里小区3号楼2单元402",
                     "李娜," LI_NA ",幸福里小区5幢301室", "王芳," WANG_FANG ",幸福里小区3-2-403",
                     "刘洋," LIU_YANG ",幸福里小区３栋２单元４０４室",
                     "陈静," CHEN_JING ",幸福里小区03栋02单元0405室",
                     "黄丽," HUANG_LI ",阳光100小区3号楼2单元401"}),
       .counts = {.imported = 6},
       .notes = {{2, "address_format"},
                 {3, "address_format"},
                 {4, "address_format"},
                 {5, "address_format"},
                 {6, "address_format"},
                 {7, "address_format"}},
       .stored = {{ZHANG_WEI, "address", "幸福里小区3栋2单元402室"},
                  {LI_NA, "address", "幸福里小区5栋301室"},
                  {WANG_FANG, "address", "幸福里小区3栋2单元403室"},
                  {LIU_YANG, "address", "幸福里小区3栋2单元404室"},
                  {CHEN_JING, "address", "幸福里小区3栋2单元405室"},
                  {CHEN_JING, "room", "幸福里小区3栋2单元405室"},
                  {HUANG_LI, "address", "阳光100小区3栋2单元401室"}},
       .tables = {{"places", 13}}},
      {.name = "address_not_splittable",
       .group = "address",
       .input = Csv({"姓名,公民身份号码,现居住地址", "张伟," ZHANG_WEI ",幸福里小区",
                     "李娜," LI_NA ",幸福里小区3栋2单元", "王芳," WANG_FANG ",平房"}),
       .counts = {.rejected = 3},
       .errors = {{2, "C", ErrorCode::kImportAddress, "幸福里小区"},
                  {3, "C", ErrorCode::kImportAddress},
                  {4, "C", ErrorCode::kImportAddress, "平房"}},
       .tables = {{"places", 0}}},
      {.name = "address_shared_room",
       .group = "address",
       .input = Csv({"姓名,公民身份号码,现居住地址", "张伟," ZHANG_WEI ",幸福里小区3栋2单元401室",
                     "李娜," LI_NA ",幸福里小区3号楼2单元401室"}),
       .counts = {.imported = 2},
       .notes = {{3, "address_format"}},
       .stored = {{LI_NA, "room", "幸福里小区3栋2单元401室"}},
       .tables = {{"places", 4}}},
      {.name = "address_with_spaces",
       .group = "address",
       .input =
           Csv({"姓名,公民身份号码,现居住地址", "张伟," ZHANG_WEI ",幸福里小区 3栋 2单元 401室"}),
       .counts = {.imported = 1},
       .notes = {{2, "address_format"}},
       .stored = {{ZHANG_WEI, "address", "幸福里小区3栋2单元401室"}}},
      {.name = "address_grid_and_occupancy",
       .group = "address",
       .input = Csv({"姓名,公民身份号码,现居住地址,所属网格,房屋性质",
                     "张伟," ZHANG_WEI ",幸福里小区3栋2单元401室,第1网格,出租"}),
       .counts = {.imported = 1},
       .stored = {{ZHANG_WEI, "grid", "第1网格"}, {ZHANG_WEI, "occupancy", "rented"}},
       .tables = {{"org_units", 5}}},

      // ---- households ----------------------------------------------------------------------
      {.name = "household_with_two_heads",
       .group = "household",
       .input = Csv({"姓名,公民身份号码,户号,与户主关系", "张伟," ZHANG_WEI ",H001,户主",
                     "李娜," LI_NA ",H001,妻", "刘洋," LIU_YANG ",H001,户主"}),
       .counts = {.imported = 2, .rejected = 1},
       .errors = {{4, "D", ErrorCode::kImportHousehold, "H001"}},
       .stored = {{LI_NA, "head", "张伟"}, {LIU_YANG, "name", kAbsent}},
       .tables = {{"households", 1}}},
      {.name = "households_by_number",
       .group = "household",
       .input = Csv({"姓名,公民身份号码,户号,与户主关系", "张伟," ZHANG_WEI ",H001,户主",
                     "李娜," LI_NA ",H001,妻", "王芳," WANG_FANG ",H002,户主",
                     "刘洋," LIU_YANG ",H001,子"}),
       .counts = {.imported = 4},
       .stored = {{LIU_YANG, "household", "H001"},
                  {LIU_YANG, "head", "张伟"},
                  {LIU_YANG, "relation", "20"},
                  {WANG_FANG, "head", "王芳"}},
       .tables = {{"households", 2}}},
      {.name = "households_by_head_order",
       .group = "household",
       .input = Csv({"姓名,公民身份号码,与户主关系,现居住地址",
                     "张伟," ZHANG_WEI ",户主,幸福里小区3栋2单元401室",
                     "李娜," LI_NA ",妻,幸福里小区3栋2单元401室",
                     "王芳," WANG_FANG ",户主,幸福里小区3栋2单元402室", "刘洋," LIU_YANG ",子,"}),
       .counts = {.imported = 4},
       .stored = {{LI_NA, "head", "张伟"}, {LIU_YANG, "head", "王芳"}, {LIU_YANG, "room", ""}},
       .tables = {{"households", 2}}},
      {.name = "xlsx_household_number_merged_down",
       .group = "household",
       .input = Xlsx({{"居民",
                       false,
                       {T("A1", "户号"), T("B1", "姓名"), T("C1", "公民身份号码"),
                        T("D1", "与户主关系"), M("A2:A4", "H001"), T("B2", "张伟"),
                        T("C2", ZHANG_WEI), T("D2", "户主"), T("B3", "李娜"), T("C3", LI_NA),
                        T("D3", "妻"), T("B4", "刘洋"), T("C4", LIU_YANG), T("D4", "子"),
                        T("A5", "H002"), T("B5", "王芳"), T("C5", WANG_FANG), T("D5", "户主")}}}),
       .counts = {.imported = 4},
       .stored = {{LI_NA, "household", "H001"},
                  {LIU_YANG, "household", "H001"},
                  {LIU_YANG, "head", "张伟"},
                  {WANG_FANG, "household", "H002"}},
       .tables = {{"households", 2}}},

      // ---- re-imports ----------------------------------------------------------------------
      {.name = "reimport_unchanged",
       .group = "reimport",
       .input = Csv({H7, ROW_ZHANG, ROW_LI}),
       .preload = Csv({H7, ROW_ZHANG, ROW_LI}),
       .counts = {.unchanged = 2},
       .tables = {{"persons", 2}, {"person_events", 2}, {"places", 5}, {"imports", 2}}},
      {.name = "reimport_changed_phone_and_address",
       .group = "reimport",
       .input = Csv({"姓名,公民身份号码,联系电话,现居住地址",
                     "张伟," ZHANG_WEI ",13900139000,幸福里小区3栋2单元402室"}),
       .preload = Csv({"姓名,公民身份号码,联系电话,现居住地址",
                       "张伟," ZHANG_WEI ",13800138000,幸福里小区3栋2单元401室"}),
       .counts = {.updated = 1},
       .changes = {{2, "联系电话", "138****8000", "139****9000"},
                   {2, "现居住地址", "幸福里小区3栋2单元401室", "幸福里小区3栋2单元402室"}},
       .stored = {{ZHANG_WEI, "phone", "13900139000"},
                  {ZHANG_WEI, "room", "幸福里小区3栋2单元402室"}},
       .tables = {{"persons", 1}, {"person_events", 4}, {"places", 5}},
       .not_in_report = {"13800138000", "13900139000"}},
      {.name = "reimport_empty_cells_keep_values",
       .group = "reimport",
       .input = Csv({"姓名,公民身份号码,联系电话,民族", "张伟," ZHANG_WEI ",,"}),
       .preload = Csv({"姓名,公民身份号码,联系电话,民族", "张伟," ZHANG_WEI ",13800138000,汉族"}),
       .counts = {.unchanged = 1},
       .stored = {{ZHANG_WEI, "phone", "13800138000"}, {ZHANG_WEI, "ethnicity", "01"}}},
      {.name = "person_registered_in_another_community",
       .group = "reimport",
       .input = Csv({"姓名,公民身份号码,联系电话", "张伟," ZHANG_WEI ",13900139000",
                     "李娜," LI_NA ",13900139001"}),
       .preload = Csv({"姓名,公民身份号码,联系电话", "张伟," ZHANG_WEI ",13800138000"}),
       .preload_org = kCommunityB,
       .counts = {.imported = 1, .rejected = 1},
       .errors = {{2, "B", ErrorCode::kImportWrongOrg, "光明社区居委会"}},
       .stored = {{ZHANG_WEI, "community", kCommunityB},
                  {ZHANG_WEI, "phone", "13800138000"},
                  {LI_NA, "community", kCommunityA}}},
      {.name = "reimport_without_id",
       .group = "reimport",
       .input = Csv({"姓名,公民身份号码,出生日期,联系电话", "王小明,,2019.5.26,13900139000"}),
       .preload = Csv({"姓名,公民身份号码,出生日期,联系电话", "王小明,,2019-05-26,13800138000"}),
       .counts = {.updated = 1},
       .notes = {{2, "date_format"}},
       .changes = {{2, "联系电话", "138****8000", "139****9000"}},
       .stored = {{"王小明", "phone", "13900139000"}},
       .tables = {{"persons", 1}}},
      {.name = "reimport_person_moved_out",
       .group = "reimport",
       .input = Csv({"姓名,公民身份号码,户号,与户主关系,现居住地址",
                     "张伟," ZHANG_WEI ",H001,户主,幸福里小区3栋2单元402室"}),
       .preload = Csv({"姓名,公民身份号码,户号,与户主关系,现居住地址",
                       "张伟," ZHANG_WEI ",H001,户主,幸福里小区3栋2单元401室"}),
       .after_preload = EndZhangWei,
       .counts = {.rejected = 1},
       .errors = {{2, "A", ErrorCode::kPersonEnded, "迁出"}},
       .stored = {{ZHANG_WEI, "status", "moved_out"},
                  {ZHANG_WEI, "room", "幸福里小区3栋2单元401室"}},
       .tables = {{"households", 1}, {"places", 4}}},
      {.name = "reimport_with_15_digit_id",
       .group = "reimport",
       .input = Csv({"姓名,公民身份号码,联系电话", "张伟,110105850312123,13900139000"}),
       .preload = Csv({"姓名,公民身份号码,联系电话", "张伟," ZHANG_WEI ",13800138000"}),
       .counts = {.updated = 1},
       .notes = {{2, "id_15_to_18"}},
       .changes = {{2, "联系电话", "138****8000", "139****9000"}},
       .tables = {{"persons", 1}}},

      // ---- org -----------------------------------------------------------------------------
      {.name = "org_is_a_street",
       .group = "org",
       .input = Csv({H7, ROW_ZHANG}),
       .org = kStreet,
       .file_error = ErrorCode::kOrgNotCommunity},
      {.name = "org_unknown",
       .group = "org",
       .input = Csv({H7, ROW_ZHANG}),
       .org = "110105001999",
       .file_error = ErrorCode::kOrgNotFound},
  };
  return kCases;
}

// ---- Running a case ----------------------------------------------------------------------

std::string CatalogueDir() { return std::string(LINLI_SOURCE_DIR) + "/tests/import_catalogue"; }

// Applies text replacements to one part of a zip (an .xlsx). libxlsxwriter always writes a cached
// result after a formula and cannot write error cells; those two kinds are patched in this way.
Status PatchZipEntry(const std::string& path, const std::string& entry,
                     const std::vector<std::pair<std::string, std::string>>& replacements) {
  int err = 0;
  zip_t* zip = zip_open(path.c_str(), 0, &err);
  if (!zip) return Error(ErrorCode::kIo, {{"path", path}, {"detail", "zip_open"}});
  zip_stat_t st;
  zip_stat_init(&st);
  zip_file_t* file = zip_fopen(zip, entry.c_str(), 0);
  if (!file || zip_stat(zip, entry.c_str(), 0, &st) != 0) {
    zip_discard(zip);
    return Error(ErrorCode::kIo, {{"path", path}, {"detail", "no entry " + entry}});
  }
  std::string xml(st.size, '\0');
  zip_fread(file, xml.data(), st.size);
  zip_fclose(file);
  for (const auto& [from, to] : replacements) {
    size_t pos = xml.find(from);
    if (pos == std::string::npos) {
      zip_discard(zip);
      return Error(ErrorCode::kIo, {{"path", path}, {"detail", "patch target not found: " + from}});
    }
    xml.replace(pos, from.size(), to);
  }
  void* data = std::malloc(xml.size());
  std::memcpy(data, xml.data(), xml.size());
  zip_source_t* source = zip_source_buffer(zip, data, xml.size(), 1);
  if (!source || zip_file_add(zip, entry.c_str(), source, ZIP_FL_OVERWRITE) < 0) {
    if (source) zip_source_free(source);
    zip_discard(zip);
    return Error(ErrorCode::kIo, {{"path", path}, {"detail", "zip_file_add"}});
  }
  if (zip_close(zip) != 0) return Error(ErrorCode::kIo, {{"path", path}, {"detail", "zip_close"}});
  return Status::Ok();
}

Status WriteXlsx(const std::string& path, const std::vector<XSheet>& sheets) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) return Error(ErrorCode::kIo, {{"path", path}, {"detail", "workbook_new"}});
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  lxw_format* cn_date = workbook_add_format(wb);
  format_set_num_format(cn_date, "yyyy年m月d日");
  std::vector<lxw_worksheet*> worksheets;
  std::map<size_t, std::vector<std::pair<std::string, std::string>>> patches;
  for (const XSheet& sheet : sheets) worksheets.push_back(workbook_add_worksheet(wb, sheet.name));
  for (size_t sheet_idx = 0; sheet_idx < sheets.size(); ++sheet_idx) {
    if (!sheets[sheet_idx].hidden) {
      worksheet_activate(worksheets[sheet_idx]);
      break;
    }
  }
  for (size_t sheet_idx = 0; sheet_idx < sheets.size(); ++sheet_idx) {
    lxw_worksheet* ws = worksheets[sheet_idx];
    for (const XCell& cell : sheets[sheet_idx].cells) {
      lxw_row_t row = lxw_name_to_row(cell.ref);
      lxw_col_t col = lxw_name_to_col(cell.ref);
      switch (cell.kind) {
        case XKind::kText:
          worksheet_write_string(ws, row, col, cell.text, nullptr);
          break;
        case XKind::kNumber:
          worksheet_write_number(ws, row, col, cell.number, nullptr);
          break;
        case XKind::kDate:
          worksheet_write_number(ws, row, col, cell.number, date);
          break;
        case XKind::kDateCn:
          worksheet_write_number(ws, row, col, cell.number, cn_date);
          break;
        case XKind::kFormula:
          worksheet_write_formula_str(ws, row, col, cell.text, nullptr, cell.cached);
          break;
        case XKind::kFormulaNumber:
          worksheet_write_formula_num(ws, row, col, cell.text, nullptr, cell.number);
          break;
        case XKind::kFormulaNoValue: {
          worksheet_write_formula_num(ws, row, col, cell.text, nullptr, 0);
          std::string f = std::string("<f>") + (cell.text + 1) + "</f>";
          patches[sheet_idx].push_back({f + "<v>0</v>", f});
          break;
        }
        case XKind::kErrorNa: {
          worksheet_write_formula_str(ws, row, col, cell.text, nullptr, "#N/A");
          std::string ref = std::string("r=\"") + cell.ref + "\"";
          patches[sheet_idx].push_back({ref + " t=\"str\"", ref + " t=\"e\""});
          break;
        }
        case XKind::kMerge:
          worksheet_merge_range(ws, lxw_name_to_row(cell.ref), lxw_name_to_col(cell.ref),
                                lxw_name_to_row_2(cell.ref), lxw_name_to_col_2(cell.ref), cell.text,
                                nullptr);
          break;
      }
    }
    if (sheets[sheet_idx].hidden) worksheet_hide(ws);
  }
  if (workbook_close(wb) != LXW_NO_ERROR)
    return Error(ErrorCode::kIo, {{"path", path}, {"detail", "workbook_close"}});
  for (const auto& [sheet_idx, list] : patches) {
    RETURN_IF_ERROR(
        PatchZipEntry(path, "xl/worksheets/sheet" + std::to_string(sheet_idx + 1) + ".xml", list));
  }
  return Status::Ok();
}

// Writes the input to a file (or names the committed one) and returns its path.
Result<std::string> Materialize(const std::string& stem, const Input& input) {
  std::string dir = testing::TempDir() + "/catalogue";
  std::filesystem::create_directories(dir);
  switch (input.kind) {
    case Input::Kind::kNone:
      return Error(ErrorCode::kInvalidArgument, {{"detail", "no input"}});
    case Input::Kind::kFile:
      return CatalogueDir() + "/" + input.file;
    case Input::Kind::kBytes: {
      std::string path = dir + "/" + stem + input.extension;
      std::ofstream(path, std::ios::binary) << input.bytes;
      return path;
    }
    case Input::Kind::kXlsx: {
      std::string path = dir + "/" + stem + ".xlsx";
      std::filesystem::remove(path);
      RETURN_IF_ERROR(WriteXlsx(path, input.sheets));
      return path;
    }
  }
  return Error(ErrorCode::kInternal, {{"detail", "input kind"}});
}

Result<registry::ImportReport> Import(storage::Db& db, const std::string& path, const char* org,
                                      bool dry_run) {
  registry::ImportOptions options;
  options.org_code = org;
  options.dry_run = dry_run;
  return registry::ImportRegistryFile(db, path, options);
}

// A fresh store with the org tree, the case's earlier import and its extra setup.
std::unique_ptr<storage::Db> PrepareStore(const Case& c) {
  auto db = testing::OpenFreshDb();
  if (!db) return nullptr;
  auto district = org::UpsertOrgUnit(*db, "110105", "朝阳区", org::Level::kDistrict, 0);
  EXPECT_TRUE(district.ok()) << district.status().ToString();
  auto street = org::UpsertOrgUnit(*db, kStreet, "建外街道", org::Level::kStreet, *district);
  EXPECT_TRUE(street.ok()) << street.status().ToString();
  EXPECT_TRUE(
      org::UpsertOrgUnit(*db, kCommunityA, "幸福里社区居委会", org::Level::kCommunity, *street)
          .ok());
  EXPECT_TRUE(
      org::UpsertOrgUnit(*db, kCommunityB, "光明社区居委会", org::Level::kCommunity, *street).ok());
  if (c.preload.kind != Input::Kind::kNone) {
    auto path = Materialize(std::string(c.name) + "-preload", c.preload);
    EXPECT_TRUE(path.ok()) << path.status().ToString();
    if (!path.ok()) return nullptr;
    auto report = Import(*db, *path, c.preload_org, false);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (!report.ok()) return nullptr;
    EXPECT_EQ(report->rejected, 0) << registry::ReportToText(*report);
  }
  if (c.after_preload) c.after_preload(*db);
  return db;
}

constexpr const char* kTables[] = {"org_units",     "places",       "households", "persons",
                                   "person_events", "person_grams", "imports"};

// Every row of the registry tables, for "nothing was written" checks.
std::string Dump(storage::Db& db) {
  std::string out;
  for (const char* table : kTables) {
    out += std::string("## ") + table + "\n";
    auto rows = db.Query(std::string("SELECT * FROM ") + table + " ORDER BY 1, 2");
    if (!rows.ok()) return "error: " + rows.status().ToString();
    for (const auto& row : *rows) {
      for (size_t col = 0; col < row.size(); ++col) out += (col ? "|" : "") + row.Text(col);
      out += "\n";
    }
  }
  return out;
}

int64_t CountRows(storage::Db& db, const std::string& table) {
  auto n = db.QueryInt("SELECT count(*) FROM " + table);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? *n : -1;
}

bool IsIdNumber(const std::string& who) {
  if (who.size() != 18) return false;
  for (size_t idx = 0; idx < 17; ++idx)
    if (who[idx] < '0' || who[idx] > '9') return false;
  return true;
}

// The SQL that reads `field` of person ? (see Stored).
std::optional<std::string> FieldSql(const std::string& field) {
  static const std::map<std::string, std::string> kVirtual = {
      {"room",
       "SELECT pl.address FROM persons p LEFT JOIN places pl ON pl.id = p.room_id WHERE p.id = ?"},
      {"occupancy",
       "SELECT pl.occupancy FROM persons p LEFT JOIN places pl ON pl.id = p.room_id WHERE p.id = "
       "?"},
      {"grid",
       "SELECT g.name FROM persons p LEFT JOIN org_units g ON g.id = p.grid_id WHERE p.id = ?"},
      {"community",
       "SELECT c.code FROM persons p JOIN org_units c ON c.id = p.community_id WHERE p.id = ?"},
      {"household",
       "SELECT h.number FROM persons p LEFT JOIN households h ON h.id = p.household_id WHERE p.id "
       "= ?"},
      {"head",
       "SELECT hp.name FROM persons p LEFT JOIN households h ON h.id = p.household_id "
       "LEFT JOIN persons hp ON hp.id = h.head_person_id WHERE p.id = ?"},
      {"status", "SELECT status FROM persons WHERE id = ?"},
  };
  auto it = kVirtual.find(field);
  if (it != kVirtual.end()) return it->second;
  for (const auto& column : registry::RegistryColumns())
    if (column.key == field && registry::IsPersonColumn(column))
      return "SELECT " + field + " FROM persons WHERE id = ?";
  return std::nullopt;
}

void CheckStored(storage::Db& db, const Stored& s) {
  SCOPED_TRACE(std::string(s.who) + " " + s.field);
  std::string who = s.who;
  auto ids = IsIdNumber(who) ? db.Query("SELECT id FROM persons WHERE id_number_digest = ?",
                                        {(*db.Cipher())->BlindIndex("id_number", who)})
                             : db.Query("SELECT id FROM persons WHERE name = ?", {who});
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  if (std::string(s.value) == kAbsent) {
    EXPECT_TRUE(ids->empty()) << who << " should not be registered";
    return;
  }
  ASSERT_EQ(ids->size(), 1u) << who << " should be registered once";
  auto sql = FieldSql(s.field);
  ASSERT_TRUE(sql.has_value()) << "unknown field " << s.field;
  auto rows = db.Query(*sql, {(*ids)[0].Int(0)});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  std::string stored = (*rows)[0].Text(0);
  if (registry::IsSensitiveKey(s.field)) {  // stored encrypted
    auto clear = (*db.Cipher())->Decrypt(s.field, stored);
    ASSERT_TRUE(clear.ok()) << clear.status().ToString();
    stored = *clear;
  }
  EXPECT_EQ(stored, s.value);
}

std::vector<std::string> NotesOf(const registry::ImportReport& report) {
  std::vector<std::string> out;
  for (const auto& n : report.normalized) out.push_back(std::to_string(n.row) + " " + n.rule);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ExpectedNotes(const Case& c) {
  std::vector<std::string> out;
  for (const auto& n : c.notes) out.push_back(std::to_string(n.row) + " " + n.rule);
  std::sort(out.begin(), out.end());
  return out;
}

void CheckReport(const Case& c, const registry::ImportReport& report) {
  EXPECT_EQ(report.imported, c.counts.imported);
  EXPECT_EQ(report.updated, c.counts.updated);
  EXPECT_EQ(report.unchanged, c.counts.unchanged);
  EXPECT_EQ(report.rejected, c.counts.rejected);
  if (c.header_row) {
    EXPECT_EQ(report.header_row, c.header_row);
  }
  if (c.ignored) {
    EXPECT_EQ(report.ignored_columns, *c.ignored);
  }

  ASSERT_EQ(report.errors.size(), c.errors.size()) << registry::ReportToText(report);
  for (size_t idx = 0; idx < c.errors.size(); ++idx) {
    const Issue& want = c.errors[idx];
    const registry::ImportIssue& got = report.errors[idx];
    SCOPED_TRACE("error " + std::to_string(idx) + ": " + got.status.ToString());
    EXPECT_EQ(got.row, want.row);
    EXPECT_EQ(got.column_letter, want.column);
    EXPECT_EQ(got.status.code(), want.code)
        << LookupError(got.status.code()).name << " instead of " << LookupError(want.code).name;
    std::string message = got.status.Message();
    EXPECT_TRUE(HasHan(message)) << "reason not in Chinese: " << message;
    if (want.message_part) {
      EXPECT_NE(message.find(want.message_part), std::string::npos) << message;
    }
    if (want.header) {
      EXPECT_EQ(got.column, want.header);
    }
    if (*want.column) {
      EXPECT_FALSE(got.column.empty()) << "a column-level reason names its header";
    }
  }
  EXPECT_EQ(NotesOf(report), ExpectedNotes(c));

  ASSERT_EQ(report.changes.size(), c.changes.size());
  for (size_t idx = 0; idx < c.changes.size(); ++idx) {
    EXPECT_EQ(report.changes[idx].row, c.changes[idx].row);
    EXPECT_EQ(report.changes[idx].field, c.changes[idx].field);
    EXPECT_EQ(report.changes[idx].old_value, c.changes[idx].old_value);
    EXPECT_EQ(report.changes[idx].new_value, c.changes[idx].new_value);
  }

  nlohmann::json j = registry::ReportToJson(report);
  for (const char* key : {"imported", "updated", "rejected", "errors"})
    EXPECT_TRUE(j.contains(key)) << key;
  for (const auto& e : j["errors"])
    for (const char* key : {"row", "column", "code", "message"})
      EXPECT_TRUE(e.contains(key)) << key;
  std::string dumped = j.dump();
  for (const auto& secret : c.not_in_report)
    EXPECT_EQ(dumped.find(secret), std::string::npos) << secret;
}

void RunCase(const Case& c) {
  SCOPED_TRACE(std::string("case ") + c.name);
  auto path = Materialize(c.name, c.input);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  auto db = PrepareStore(c);
  ASSERT_TRUE(db);
  std::string before = Dump(*db);
  int64_t persons_before = CountRows(*db, "persons");

  auto dry = Import(*db, *path, c.org, true);
  EXPECT_EQ(Dump(*db), before) << "the dry run wrote to the store";
  auto real = Import(*db, *path, c.org, false);
  auto other_db = PrepareStore(c);
  ASSERT_TRUE(other_db);
  auto again = Import(*other_db, *path, c.org, false);

  if (c.file_error) {
    for (auto* r : {&dry, &real, &again}) {
      ASSERT_FALSE(r->ok()) << registry::ReportToText(**r);
      EXPECT_EQ(r->status().code(), *c.file_error) << r->status().ToString();
      EXPECT_TRUE(HasHan(r->status().Message()));
      if (c.file_error_part) {
        EXPECT_NE(r->status().Message().find(c.file_error_part), std::string::npos)
            << r->status().Message();
      }
    }
    EXPECT_EQ(Dump(*db), before) << "a refused file wrote to the store";
    return;
  }
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  ASSERT_TRUE(again.ok()) << again.status().ToString();

  nlohmann::json real_json = registry::ReportToJson(*real);
  nlohmann::json dry_json = registry::ReportToJson(*dry);
  EXPECT_TRUE(dry_json["dry_run"].get<bool>());
  dry_json["dry_run"] = false;
  EXPECT_EQ(dry_json.dump(), real_json.dump()) << "a dry run must report what the import does";
  EXPECT_EQ(registry::ReportToJson(*again).dump(), real_json.dump())
      << "the same file, a different report";

  CheckReport(c, *real);
  EXPECT_EQ(CountRows(*db, "persons"), persons_before + c.counts.imported);
  for (const auto& s : c.stored) CheckStored(*db, s);
  for (const auto& t : c.tables) EXPECT_EQ(CountRows(*db, t.table), t.count) << t.table;
}

// Restores LINLI_TODAY when the test ends.
class FixedToday {
 public:
  FixedToday() {
    const char* old = std::getenv("LINLI_TODAY");
    if (old) old_ = old;
    setenv("LINLI_TODAY", kToday, 1);
  }
  ~FixedToday() {
    if (old_)
      setenv("LINLI_TODAY", old_->c_str(), 1);
    else
      unsetenv("LINLI_TODAY");
  }

 private:
  std::optional<std::string> old_;
};

TEST(ImportCatalogueTest, EveryCaseEndsAsTheRulesSay) {
  FixedToday today;
  const auto& cases = Catalogue();
  ASSERT_GE(cases.size(), 60u) << "G14 asks for at least 60 catalogued cases";
  std::map<std::string, int> per_group;
  std::vector<std::string> failed;
  const ::testing::TestResult* result =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (const Case& c : cases) {
    int parts_before = result->total_part_count();
    RunCase(c);
    ++per_group[c.group];
    if (result->total_part_count() != parts_before) failed.push_back(c.name);
  }
  std::string groups;
  for (const auto& [group, n] : per_group) groups += " " + group + "=" + std::to_string(n);
  std::printf("import catalogue: %zu cases ran, %zu failed (%s )\n", cases.size(), failed.size(),
              groups.c_str());
  for (const auto& name : failed) std::printf("  failed: %s\n", name.c_str());
}

TEST(ImportCatalogueTest, CaseNamesAreUnique) {
  std::set<std::string> names;
  for (const Case& c : Catalogue()) EXPECT_TRUE(names.insert(c.name).second) << c.name;
}

// Row numbers are those Excel shows: with a CSV the line number, header = line 1, counting the
// lines inside quoted cells, blank lines and title lines.
TEST(ImportCatalogueTest, RowNumbersFollowTheFileLines) {
  FixedToday today;
  Case c{.name = "row_numbers", .group = "rows", .input = {}};
  auto db = PrepareStore(c);
  ASSERT_TRUE(db);
  auto path = Materialize(
      "row_numbers",
      Csv({"居民名册", "", "姓名,公民身份号码,户籍地址", "张伟,110105198503121235,",
           "李娜," LI_NA ",\"第一行\n第二行\n第三行\"", "", "王芳,110105196211300281,"}));
  ASSERT_TRUE(path.ok());
  auto report = Import(*db, *path, kCommunityA, false);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->header_row, 3);
  ASSERT_EQ(report->errors.size(), 2u) << registry::ReportToText(*report);
  EXPECT_EQ(report->errors[0].row, 4);
  EXPECT_EQ(report->errors[1].row, 9);
  EXPECT_EQ(report->imported, 1);
}

}  // namespace
}  // namespace linli
