// Chinese text utilities: Unicode normalisation, encoding detection and conversion, pinyin with
// surname readings, Simplified/Traditional conversion, phone numbers and masking.
//
// Converters are created lazily once per process and are thread-safe after creation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace linli {

// NFKC normalisation (full-width digits/letters to ASCII, compatibility forms); trims ASCII and
// ideographic spaces (and zero-width spaces or a stray BOM) at both ends. Invalid UTF-8 is
// returned unchanged.
std::string NormalizeText(std::string_view utf8);

bool IsValidUtf8(std::string_view bytes);

// Converts bytes of a CSV file to UTF-8: strips a UTF-8 BOM; if the bytes are not valid UTF-8,
// decodes them as GB18030 (a superset of GBK and GB2312). Fails with kImportEncoding when neither
// decoding is clean; `bad_line` then receives the 1-based line of the first bad byte (0 on
// success). Bytes that are clearly UTF-8 (eight or more valid multi-byte characters before the
// first bad byte) are reported as damaged UTF-8 rather than decoded as GB18030 mojibake.
Result<std::string> DecodeToUtf8(std::string_view bytes, int* bad_line = nullptr);

// Appends the UTF-8 encoding of code point `cp` (REQUIRES: cp <= 0x10FFFF).
void AppendUtf8(char32_t cp, std::string* out);

// Percent-encodes every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~), as an
// otpauth:// URI parameter and a Content-Disposition filename* (RFC 5987) need it.
std::string PercentEncode(std::string_view bytes);

// Splits UTF-8 into code points as strings ("张三" -> {"张","三"}).
std::vector<std::string> Utf8Chars(std::string_view utf8);
// The same characters as views into `utf8` (no allocation per character).
std::vector<std::string_view> Utf8CharViews(std::string_view utf8);
// Every distinct 1- and 2-character substring of `utf8`, sorted bytewise, as views into it: the
// grams of the name and address indexes for 1–2 character search.
std::vector<std::string_view> Utf8Grams(std::string_view utf8);

struct NamePinyin {
  std::string full;      // "zhujinmei", "shanlin" (单林), ü written as v: "lvxiaoming"
  std::string initials;  // "zjm"
};
// Pinyin of a personal name: the surname (including compound surnames such as 欧阳, 司马, 尉迟,
// 单于) is read with its surname pronunciation, the given name with the common reading.
// Non-Han characters are kept as lower-case ASCII where possible and dropped otherwise.
// Readings are per character (no word context: 长 is always zhang in a given name); a compound
// surname is recognised only when at least one character follows it. Readings are cached per
// character, so after the first sight of each character a call costs well under a microsecond;
// safe to call from any number of threads.
NamePinyin NamePinyinOf(std::string_view name);
// Number of characters of the surname at the start of `name`: 2 for a compound surname (欧阳, 司马,
// 尉迟, 单于 …) followed by at least one more character, 1 otherwise, 0 for an empty name.
size_t SurnameLength(std::string_view name);
// Pinyin of ordinary text (not a name), syllables concatenated, no tones.
std::string TextPinyin(std::string_view text);

// Simplified <-> Traditional (OpenCC t2s and s2t; not s2twp, which swaps vocabulary).
std::string ToSimplified(std::string_view utf8);
std::string ToTraditional(std::string_view utf8);

// True if the string contains any Han character.
bool HasHan(std::string_view utf8);

// Mobile (1[3-9]x, 11 digits) or fixed line (0 + area code + 7–8 digits, with optional '-' and
// extension). Returns the normalised digits ("13800138000", "010-12345678") or kPhoneInvalid.
Result<std::string> NormalizePhone(std::string_view input);
// 138****8000; fixed lines keep the area code and the last 4 digits.
std::string MaskPhone(std::string_view normalised);
// 张* / 欧阳** : first character kept (two for compound surnames).
std::string MaskName(std::string_view name);

}  // namespace linli
