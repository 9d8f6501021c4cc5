// The registry's columns as declared in data/registry/columns.csv: key, canonical Chinese label,
// value type and header synonyms. The importer matches headers with it, the exporter writes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace linli::registry {

enum class ColumnType { kName, kIdNumber, kCode, kDate, kPhone, kText, kAddress, kGrid };

struct ColumnDecl {
  std::string key;    // e.g. "ethnicity"; equals the persons table column for stored fields
  std::string label;  // 民族
  ColumnType type = ColumnType::kText;
  std::string code_table;  // for kCode: the code table key
  std::vector<std::string> synonyms;
};

const std::vector<ColumnDecl>& RegistryColumns();
// Index into RegistryColumns() of `key`; REQUIRES: key is declared.
size_t ColumnIndex(std::string_view key);

// Normalises a header cell for matching: NFKC, drops spaces, line breaks, '*', and bracketed
// notes such as （必填） or (选填).
std::string NormalizeHeader(std::string_view header);
// The column whose label or synonym equals the normalised header, if any.
std::optional<size_t> MatchHeader(std::string_view header);

}  // namespace linli::registry
