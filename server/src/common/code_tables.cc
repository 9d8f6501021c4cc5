// Parses the embedded code tables once and answers lookups by code, label or alias.
#include "common/code_tables.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "common/text.h"

namespace linli {
namespace {

[[noreturn]] void BadTable(std::string_view key, const std::string& what) {
  std::fprintf(stderr, "linli: data/code_tables/%.*s.csv %s\n", static_cast<int>(key.size()),
               key.data(), what.c_str());
  std::abort();
}

// Display text as written in the file (full-width brackets stay), without surrounding spaces.
std::string Trimmed(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

// Lookup form of a term: NFKC, trimmed, ASCII letters lower-cased.
std::string LookupKey(std::string_view text) {
  std::string key = NormalizeText(text);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "0012" -> "12", "1.0" -> "1", "0" -> "0"; empty when `key` is not a whole number.
std::string CanonicalNumber(std::string_view key) {
  size_t dot = key.find('.');
  if (dot != std::string_view::npos) {
    std::string_view fraction = key.substr(dot + 1);
    if (!std::all_of(fraction.begin(), fraction.end(), [](char c) { return c == '0'; })) return "";
    key = key.substr(0, dot);
  }
  if (!AllDigits(key)) return "";
  size_t first = key.find_first_not_of('0');
  return first == std::string_view::npos ? "0" : std::string(key.substr(first));
}

// Splits one CSV line into fields (RFC 4180 quoting, no embedded line breaks).
bool SplitCsvLine(std::string_view line, std::vector<std::string>* fields) {
  fields->assign(1, "");
  bool quoted = false;
  for (size_t idx = 0; idx < line.size(); ++idx) {
    char c = line[idx];
    if (quoted) {
      if (c == '"' && idx + 1 < line.size() && line[idx + 1] == '"') {
        fields->back().push_back('"');
        ++idx;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields->back().push_back(c);
      }
    } else if (c == '"' && fields->back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields->emplace_back();
    } else {
      fields->back().push_back(c);
    }
  }
  return !quoted;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace

const CodeItem* CodeTable::FindIn(const std::unordered_map<std::string, size_t>& index,
                                  std::string_view input) const {
  std::string key = LookupKey(input);
  if (key.empty()) return nullptr;
  if (auto it = index.find(key); it != index.end()) return &items_[it->second];
  std::string number = CanonicalNumber(key);
  if (number.empty()) return nullptr;
  std::string padded = number;
  if (code_width_ > padded.size()) padded.insert(0, code_width_ - padded.size(), '0');
  for (const std::string* candidate : {&padded, &number}) {
    if (auto it = index.find(*candidate); it != index.end()) return &items_[it->second];
  }
  return nullptr;
}

const CodeItem* CodeTable::Find(std::string_view code_or_label) const {
  return FindIn(terms_, code_or_label);
}

const CodeItem* CodeTable::FindCode(std::string_view code) const { return FindIn(codes_, code); }

std::string CodeTable::LabelOf(std::string_view code) const {
  const CodeItem* item = FindCode(code);
  return item ? item->label : std::string();
}

std::optional<CodeTable> CodeTable::Parse(std::string key, std::string_view csv, std::string* error) {
  CodeTable table;
  table.key_ = std::move(key);
  auto fail = [&](int line, std::string_view what) -> std::optional<CodeTable> {
    *error = "line " + std::to_string(line) + ": " + std::string(what);
    return std::nullopt;
  };
  std::vector<std::string_view> lines = Lines(csv);
  constexpr std::string_view kTitlePrefix = "# title: ";
  if (lines.empty() || !lines[0].starts_with(kTitlePrefix)) {
    return fail(1, "must start with \"# title: <名称> | <标准>\"");
  }
  std::string_view title = lines[0].substr(kTitlePrefix.size());
  size_t bar = title.find(" | ");
  table.title_ = Trimmed(title.substr(0, bar));
  if (bar != std::string_view::npos) table.source_ = Trimmed(title.substr(bar + 3));
  if (table.title_.empty()) return fail(1, "empty title");
  if (lines.size() < 2 || (lines[1] != "code,label,aliases" && lines[1] != "code,label")) {
    return fail(2, "header must be \"code,label,aliases\"");
  }

  std::vector<std::string> fields;
  bool numeric = true;
  for (size_t line_idx = 2; line_idx < lines.size(); ++line_idx) {
    int line_no = static_cast<int>(line_idx) + 1;
    if (lines[line_idx].empty()) continue;
    if (!SplitCsvLine(lines[line_idx], &fields) || fields.size() < 2 || fields.size() > 3) {
      return fail(line_no, "expected code,label[,aliases]");
    }
    CodeItem item;
    item.code = Trimmed(fields[0]);
    item.label = Trimmed(fields[1]);
    if (item.code.empty() || item.label.empty()) return fail(line_no, "empty field");
    if (fields.size() == 3) {
      std::string_view aliases = fields[2];
      while (!aliases.empty()) {
        size_t bar_pos = aliases.find('|');
        std::string alias = Trimmed(aliases.substr(0, bar_pos));
        if (!alias.empty()) item.aliases.push_back(std::move(alias));
        if (bar_pos == std::string_view::npos) break;
        aliases.remove_prefix(bar_pos + 1);
      }
    }
    size_t item_idx = table.items_.size();
    if (!table.codes_.emplace(LookupKey(item.code), item_idx).second) {
      return fail(line_no, "duplicate code " + item.code);
    }
    for (const std::string* term : {&item.code, &item.label}) {
      if (!table.terms_.emplace(LookupKey(*term), item_idx).second) {
        return fail(line_no, "duplicate term " + *term);
      }
    }
    for (const std::string& alias : item.aliases) {
      if (!table.terms_.emplace(LookupKey(alias), item_idx).second) {
        return fail(line_no, "duplicate term " + alias);
      }
    }
    numeric = numeric && AllDigits(item.code) &&
              (table.items_.empty() || item.code.size() == table.items_[0].code.size());
    table.items_.push_back(std::move(item));
  }
  if (table.items_.empty()) return fail(3, "no items");
  table.code_width_ = numeric ? table.items_[0].code.size() : 0;
  return table;
}

const CodeTables& CodeTables::Get() {
  static const CodeTables* tables = [] {
    auto* result = new CodeTables();
    for (const CodeTableSource& source : EmbeddedCodeTables()) {
      std::string error;
      std::optional<CodeTable> table = CodeTable::Parse(source.key, source.csv, &error);
      if (!table) BadTable(source.key, error);
      result->tables_.push_back(std::move(*table));
    }
    return result;
  }();
  return *tables;
}

const CodeTable* CodeTables::Find(std::string_view key) const {
  for (const CodeTable& table : tables_) {
    if (table.key() == key) return &table;
  }
  return nullptr;
}

}  // namespace linli
