// The national code tables of STANDARDS.md §3 (GB/T 2261.x, 3304, 4658, 4762, 4761) and linli's own
// tables (人户状态, person status, occupancy), shipped as data in data/code_tables/*.csv and
// compiled into the program. Lookups accept a code or a label (and common synonyms).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace linli {

struct CodeTableSource {
  const char* key;  // file name without extension, e.g. "ethnicity"
  const char* csv;  // "code,label[,aliases separated by |]" lines after a header line
};
const std::vector<CodeTableSource>& EmbeddedCodeTables();  // generated
// Other shipped data files by path under data/ (e.g. "registry/columns.csv"); nullptr if absent.
const char* EmbeddedDataFile(const char* path);  // generated
struct EmbeddedFile {
  const char* path;  // under ledgers/, e.g. "dibao/ledger.json"
  const char* content;
};
// The built-in ledger declarations (ledgers/*/ledger.json, ledgers/*/codes/*.csv), sorted by path.
const std::vector<EmbeddedFile>& EmbeddedLedgerFiles();  // generated

struct CodeItem {
  std::string code;
  std::string label;
  std::vector<std::string> aliases;
};

class CodeTable {
 public:
  // Parses "# title: <名称> | <标准>", "code,label,aliases" and one line per item; nullopt with
  // "line N: what" in *error when malformed.
  static std::optional<CodeTable> Parse(std::string key, std::string_view csv, std::string* error);
  const std::string& key() const { return key_; }
  const std::string& title() const { return title_; }    // Chinese name, e.g. "民族"
  const std::string& source() const { return source_; }  // standard, e.g. "GB/T 3304-1991"
  const std::vector<CodeItem>& items() const { return items_; }
  // Finds by code ("01"), label ("汉族") or alias ("汉"); input NFKC-normalised and trimmed, Latin
  // letters matched case-insensitively ("ha" finds 汉族). Numeric codes given without their leading
  // zero ("1"), with extra zeros ("001") or as Excel floats ("1.0") match too. nullptr if unknown.
  const CodeItem* Find(std::string_view code_or_label) const;
  // Finds by code only (with the same numeric leniency), never by label or alias.
  const CodeItem* FindCode(std::string_view code) const;
  std::string LabelOf(std::string_view code) const;  // "" when unknown

 private:
  friend class CodeTables;
  const CodeItem* FindIn(const std::unordered_map<std::string, size_t>& index,
                         std::string_view input) const;

  std::string key_, title_, source_;
  std::vector<CodeItem> items_;
  size_t code_width_ = 0;  // width of the codes when all are digits of one width, else 0
  std::unordered_map<std::string, size_t> codes_;  // lookup key of each code -> item index
  std::unordered_map<std::string, size_t> terms_;  // codes, labels and aliases -> item index
};

// All tables, immutable after construction, so safe to share between threads.
class CodeTables {
 public:
  // Parsed once from the embedded data. Malformed embedded data is a build defect: the process
  // aborts with the table and line (code_tables_test loads every table).
  static const CodeTables& Get();
  const CodeTable* Find(std::string_view key) const;
  const std::vector<CodeTable>& all() const { return tables_; }

 private:
  std::vector<CodeTable> tables_;
};

}  // namespace linli
