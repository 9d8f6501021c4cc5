// Loads the registry column declarations and matches spreadsheet headers against them.
#include "registry/columns.h"

#include <cstdlib>
#include <sstream>

#include "common/code_tables.h"
#include "common/id_number.h"
#include "common/text.h"

namespace linli::registry {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

std::vector<ColumnDecl> Load() {
  const char* csv = EmbeddedDataFile("registry/columns.csv");
  if (!csv) std::abort();  // the build embeds it; its absence is a build error
  std::vector<ColumnDecl> out;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = Split(line, ',');
    if (f.size() < 3) std::abort();
    ColumnDecl c;
    c.key = f[0];
    c.label = f[1];
    const std::string& t = f[2];
    if (t == "name") c.type = ColumnType::kName;
    else if (t == "id_number") c.type = ColumnType::kIdNumber;
    else if (t == "date") c.type = ColumnType::kDate;
    else if (t == "phone") c.type = ColumnType::kPhone;
    else if (t == "address") c.type = ColumnType::kAddress;
    else if (t == "grid") c.type = ColumnType::kGrid;
    else if (t.rfind("code:", 0) == 0) {
      c.type = ColumnType::kCode;
      c.code_table = t.substr(5);
      if (!CodeTables::Get().Find(c.code_table)) std::abort();  // declared table must exist
    } else {
      c.type = ColumnType::kText;
    }
    if (f.size() > 3 && !f[3].empty()) c.synonyms = Split(f[3], '|');
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

const std::vector<ColumnDecl>& RegistryColumns() {
  static const std::vector<ColumnDecl> kColumns = Load();
  return kColumns;
}

bool IsSensitive(const ColumnDecl& column) {
  return column.type == ColumnType::kIdNumber || column.type == ColumnType::kPhone;
}

bool IsSensitiveKey(std::string_view key) {
  for (const auto& c : RegistryColumns())
    if (c.key == key) return IsSensitive(c);
  return false;
}

std::string MaskedValue(const ColumnDecl& column, std::string_view value) {
  if (value.empty()) return std::string();
  if (column.type == ColumnType::kIdNumber) return MaskIdNumber(value);
  if (column.type == ColumnType::kPhone) return MaskPhone(value);
  return std::string(value);
}

size_t ColumnIndex(std::string_view key) {
  const auto& cols = RegistryColumns();
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i].key == key) return i;
  std::abort();
}

std::string NormalizeHeader(std::string_view header) {
  std::string s = NormalizeText(header);
  std::string out;
  int depth = 0;
  for (const std::string& ch : Utf8Chars(s)) {
    if (ch == "(" || ch == "（" || ch == "[" || ch == "【") { ++depth; continue; }
    if (ch == ")" || ch == "）" || ch == "]" || ch == "】") { if (depth) --depth; continue; }
    if (depth) continue;
    if (ch == " " || ch == "\n" || ch == "\r" || ch == "\t" || ch == "*" || ch == "　" || ch == ":" || ch == "：") continue;
    out += ch;
  }
  return out;
}

std::optional<size_t> MatchHeader(std::string_view header) {
  std::string h = NormalizeHeader(header);
  if (h.empty()) return std::nullopt;
  const auto& cols = RegistryColumns();
  for (size_t i = 0; i < cols.size(); ++i) {
    if (h == cols[i].label) return i;
    for (const auto& s : cols[i].synonyms)
      if (h == s) return i;
  }
  return std::nullopt;
}

}  // namespace linli::registry
