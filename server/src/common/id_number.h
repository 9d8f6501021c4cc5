// 公民身份号码 (GB 11643-1999) parsing and validation, also covering 港澳台居民居住证 (81/82/83)
// and the 2023 外国人永久居留身份证 (first digit 9). Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time_util.h"

namespace linli {

enum class IdKind {
  kResident,           // 居民身份证, province code 11–65 or 71
  kResidencePermit,    // 港澳台居民居住证, 81/82/83
  kPermanentResidence  // 外国人永久居留身份证 (2023), first digit 9
};

struct IdNumber {
  std::string number;  // normalised: 18 characters, upper-case X
  IdKind kind = IdKind::kResident;
  Date birth_date;
  std::string gender;  // GB/T 2261.1 code: "1" male, "2" female
  bool upgraded_from_15 = false;
  // Input differed from `number` (full-width, lower-case x, spaces, 15-digit).
  bool normalised = false;
};

// ISO 7064 MOD 11-2 check character for the first 17 digits. REQUIRES: 17 ASCII digits.
char IdCheckChar(std::string_view first17);

// Normalises (NFKC full-width digits, trims spaces, x→X, upgrades 15 digits) and validates.
// `today` bounds the birth date. Errors: kIdEmpty, kIdLength, kIdChars, kIdChecksum, kIdBirthDate,
// kIdBirthFuture, kIdProvince, kIdScientific (Excel's 1.10101E+17 form). Spaces inside the number
// and a leading apostrophe (Excel's text marker) are removed too. Checks run in the order
// characters, length, province, birth date, check digit, so a mistyped date digit is reported as
// a bad date rather than as a checksum error. For 9-prefixed numbers the province digits are not
// checked (their layout is known only from public validators, STANDARDS.md §1); the birth date
// (positions 7–14) and the check digit are.
Result<IdNumber> ParseIdNumber(std::string_view input, Date today);

// Masks for display: 110105********002X.
std::string MaskIdNumber(std::string_view normalised);

}  // namespace linli
