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

// Sensitive columns — ID numbers and phone numbers, by their declared type — are stored only
// encrypted, with keyed blind indexes <key>_digest and <key>_tail (crypto/field_cipher.h,
// storage/migrations.cc), and masked in reports.
bool IsSensitive(const ColumnDecl& column);
// True when `key` names a sensitive column ("" and unknown keys are not).
bool IsSensitiveKey(std::string_view key);
// The value as shown where clear values are not allowed (reports, messages): 110105********002X,
// 138****8000; other columns unchanged.
std::string MaskedValue(const ColumnDecl& column, std::string_view value);
// Index into RegistryColumns() of `key`; REQUIRES: key is declared.
size_t ColumnIndex(std::string_view key);

// Normalises a header cell for matching: NFKC, drops spaces, line breaks, '*', and bracketed
// notes such as （必填） or (选填).
std::string NormalizeHeader(std::string_view header);
// The column whose label or synonym equals the normalised header, if any.
std::optional<size_t> MatchHeader(std::string_view header);

}  // namespace linli::registry
