// Normalises and validates 公民身份号码 and the numbers that share their layout (GB 11643-1999).
#include "common/id_number.h"

#include <array>

#include "common/text.h"

namespace linli {
namespace {

// Province-level codes of GB/T 2260 in use, plus 71 (Taiwan) and 81–83 (居住证).
bool IsProvinceCode(int code) {
  return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
         (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
         code == 71 || code == 81 || code == 82 || code == 83;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int ParseDigits(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// Excel's rendering of a long number as a float: 1.10101E+17, 1.1E17, 4.40524E+17.
bool IsScientific(std::string_view s) {
  size_t pos = 0;
  auto digits = [&] {
    size_t start = pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    return pos - start;
  };
  if (digits() == 0) return false;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    digits();
  }
  if (pos >= s.size() || (s[pos] != 'E' && s[pos] != 'e')) return false;
  ++pos;
  if (pos < s.size() && s[pos] == '+') ++pos;
  return digits() > 0 && pos == s.size();
}

}  // namespace

char IdCheckChar(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr char kCheckChars[] = "10X98765432";
  int sum = 0;
  for (size_t idx = 0; idx < kWeights.size(); ++idx) sum += (first17[idx] - '0') * kWeights[idx];
  return kCheckChars[sum % 11];
}

Result<IdNumber> ParseIdNumber(std::string_view input, Date today) {
  std::string text = NormalizeText(input);
  // Spaces inside the number (grouped for reading) and Excel's leading apostrophe are noise.
  std::string compact;
  compact.reserve(text.size());
  for (size_t idx = 0; idx < text.size(); ++idx) {
    char c = text[idx];
    if (c == ' ' || c == '\t' || (c == '\'' && compact.empty())) continue;
    compact.push_back(c);
  }
  if (compact.empty()) return Error(ErrorCode::kIdEmpty);
  if (IsScientific(compact)) return Error(ErrorCode::kIdScientific, {{"value", compact}});

  std::vector<std::string> chars = Utf8Chars(compact);
  for (size_t idx = 0; idx < chars.size(); ++idx) {
    const std::string& ch = chars[idx];
    bool ok = ch.size() == 1 && (IsDigit(ch[0]) || (idx == 17 && (ch[0] == 'X' || ch[0] == 'x')));
    if (!ok) return Error(ErrorCode::kIdChars, {{"char", IsValidUtf8(ch) ? ch : "\uFFFD"}});
  }
  if (compact.size() != 18 && compact.size() != 15) {
    return Error(ErrorCode::kIdLength, {{"length", std::to_string(chars.size())}});
  }

  IdNumber id;
  if (compact.size() == 15) {
    id.number = compact.substr(0, 6) + "19" + compact.substr(6);
    id.number.push_back(IdCheckChar(id.number));
    id.upgraded_from_15 = true;
  } else {
    id.number = compact;
    if (id.number[17] == 'x') id.number[17] = 'X';
  }

  if (id.number[0] == '9') {
    // 外国人永久居留身份证 (2023): 9, 受理地 province, nationality, birth date, sequence, check.
    id.kind = IdKind::kPermanentResidence;
  } else {
    int province = ParseDigits(std::string_view(id.number).substr(0, 2));
    if (!IsProvinceCode(province)) {
      return Error(ErrorCode::kIdProvince, {{"code", id.number.substr(0, 2)}});
    }
    id.kind = province >= 81 ? IdKind::kResidencePermit : IdKind::kResident;
  }

  std::string_view number(id.number);
  id.birth_date = Date{ParseDigits(number.substr(6, 4)), ParseDigits(number.substr(10, 2)),
                       ParseDigits(number.substr(12, 2))};
  std::string shown_date = std::string(number.substr(6, 4)) + "-" +
                           std::string(number.substr(10, 2)) + "-" +
                           std::string(number.substr(12, 2));
  if (!id.birth_date.valid()) return Error(ErrorCode::kIdBirthDate, {{"date", shown_date}});
  if (id.birth_date > today) return Error(ErrorCode::kIdBirthFuture, {{"date", shown_date}});

  char expected = IdCheckChar(number.substr(0, 17));
  if (number[17] != expected) {
    return Error(ErrorCode::kIdChecksum, {{"expected", std::string(1, expected)}});
  }

  id.gender = (number[16] - '0') % 2 == 1 ? "1" : "2";
  id.normalised = id.number != input;
  return id;
}

std::string MaskIdNumber(std::string_view normalised) {
  std::vector<std::string> chars = Utf8Chars(normalised);
  if (chars.size() <= 10) return std::string(chars.size(), '*');
  std::string out;
  for (size_t idx = 0; idx < chars.size(); ++idx) {
    out += idx < 6 || idx + 4 >= chars.size() ? chars[idx] : "*";
  }
  return out;
}

}  // namespace linli
