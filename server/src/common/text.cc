// Chinese text utilities on top of ICU and OpenCC, with a lock-free per-character pinyin cache.
#include "common/text.h"

#include <opencc/opencc.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/ucnv.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace linli {
namespace {

constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes the code point at s[*pos] and advances *pos. Strict UTF-8: no overlong forms, no
// surrogates, nothing above U+10FFFF. An invalid sequence yields kInvalidCodePoint and advances by
// one byte.
char32_t NextCodePoint(std::string_view s, size_t* pos) {
  size_t i = *pos;
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  int len;
  char32_t cp;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    *pos = i + 1;
    return kInvalidCodePoint;
  }
  if (i + len > s.size()) {
    *pos = i + 1;
    return kInvalidCodePoint;
  }
  for (int k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      *pos = i + 1;
      return kInvalidCodePoint;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *pos = i + 1;
    return kInvalidCodePoint;
  }
  *pos = i + len;
  return cp;
}

size_t FirstInvalidUtf8(std::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    size_t start = pos;
    if (NextCodePoint(s, &pos) == kInvalidCodePoint) return start;
  }
  return std::string_view::npos;
}

// Characters removed by NormalizeText at either end (after NFKC, which already maps U+3000 and
// U+00A0 to U+0020): ASCII whitespace, zero-width space and a stray BOM.
bool IsTrimmable(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
         cp == 0x3000 || cp == 0x200B || cp == 0xFEFF;
}

std::string_view Trim(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t pos = begin;
    if (!IsTrimmable(NextCodePoint(s, &pos))) break;
    begin = pos;
  }
  size_t end = s.size();
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t pos = start;
    if (!IsTrimmable(NextCodePoint(s, &pos)) || pos != end) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

bool IsAsciiAlnum(char32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

char AsciiLower(char32_t cp) {
  return static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
}

// ---------------------------------------------------------------------------------------------
// Pinyin.
//
// Readings come from ICU's Han-Latin (common reading) and Han-Latin/Names (surname reading)
// transliterators, one character at a time, and are cached. For the CJK Unified Ideographs and
// Extension A (U+3400–U+9FFF) the cache is a pair of arrays of atomic 64-bit cells: bytes 0–5
// hold the toneless ASCII reading (every reading ICU 72 gives there is one syllable of at most six
// letters), the top byte marks the cell as computed. A miss computes the reading under a mutex
// (transliterators are not thread-safe) and publishes it with a release store, so hits never lock.
// Han characters elsewhere (supplementary planes, U+3007) go through a mutex-protected map.

constexpr char32_t kTableFirst = 0x3400;
constexpr char32_t kTableLast = 0x9FFF;
constexpr size_t kTableSize = kTableLast - kTableFirst + 1;
constexpr uint64_t kComputed = uint64_t{1} << 63;

struct Reading {
  std::string full;      // "zhang", "moqi"
  std::string initials;  // "z", "mq"
};

// Surname readings that differ from Han-Latin/Names in ICU 72 (checked one by one against its
// output; the others, such as 单 shan, 曾 zeng, 解 xie, 仇 qiu, 区 ou, 查 zha, 盖 ge, 乐 yue, 员
// yun, 翟 zhai, 召 shao, 繁 po, 秘 bi and 任 ren, ICU already reads as surnames).
struct SurnameOverride {
  const char* surname;
  const char* full;
  const char* initials;
};
constexpr SurnameOverride kSurnameOverrides[] = {
    {"覃", "qin", "q"},  {"朴", "piao", "p"},      {"缪", "miao", "m"}, {"尉", "wei", "w"},
    {"莘", "shen", "s"}, {"阚", "kan", "k"},       {"黑", "he", "h"},   {"句", "gou", "g"},
    {"洗", "xian", "x"}, {"藏", "zang", "z"},      {"都", "du", "d"},   {"能", "nai", "n"},
    {"祭", "zhai", "z"}, {"单于", "chanyu", "cy"},
};

// Compound surnames (复姓) of the 百家姓 and a few others in current use.
constexpr const char* kCompoundSurnames[] = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "单于", "万俟", "澹台", "南宫", "端木", "闻人", "赫连", "公羊", "公冶",
    "宗政", "濮阳", "淳于", "太叔", "申屠", "仲孙", "钟离", "鲜于", "闾丘", "司空", "亓官", "司寇",
    "仉督", "子车", "颛孙", "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父",
    "谷梁", "段干", "百里", "东郭", "南门", "呼延", "羊舌", "微生", "梁丘", "左丘", "东门", "西门",
    "第五", "公仪", "太史", "叔孙", "呼衍", "独孤", "贺兰"};

uint64_t PairKey(char32_t a, char32_t b) { return (uint64_t{a} << 32) | b; }

// The compound surnames as code-point pairs (no ICU involved, used by MaskName too).
const std::unordered_map<uint64_t, const char*>& CompoundSurnamePairs() {
  static const auto* kPairs = [] {
    auto* pairs = new std::unordered_map<uint64_t, const char*>();
    for (const char* surname : kCompoundSurnames) {
      std::string_view s(surname);
      size_t pos = 0;
      char32_t a = NextCodePoint(s, &pos);
      if (pos >= s.size()) continue;
      char32_t b = NextCodePoint(s, &pos);
      if (pos != s.size()) continue;  // not exactly two characters
      pairs->emplace(PairKey(a, b), surname);
    }
    return pairs;
  }();
  return *kPairs;
}

// Converts transliterator output to toneless lower-case ASCII with ü written as v; syllables are
// separated by spaces in ICU output and give one initial each.
Reading AsciiReading(const icu::UnicodeString& latin) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  icu::UnicodeString decomposed = U_SUCCESS(status) ? nfd->normalize(latin, status) : latin;
  Reading reading;
  bool syllable_start = true;
  for (int32_t idx = 0; idx < decomposed.length();) {
    UChar32 cp = decomposed.char32At(idx);
    idx += U16_LENGTH(cp);
    if (IsAsciiAlnum(cp)) {
      char c = AsciiLower(cp);
      reading.full.push_back(c);
      if (syllable_start) reading.initials.push_back(c);
      syllable_start = false;
    } else if (cp == 0x0308 && !reading.full.empty() && reading.full.back() == 'u') {
      reading.full.back() = 'v';
    } else if (cp == ' ') {
      syllable_start = true;
    }
    // Other combining marks (tones, the circumflex of ê) are dropped; anything else means ICU
    // had no reading and left the character as it was.
  }
  return reading;
}

class PinyinCache {
 public:
  static PinyinCache& Get() {
    static PinyinCache* cache = new PinyinCache();
    return *cache;
  }

  // Common or surname reading of one Han character; empty when ICU has none.
  void Lookup(char32_t cp, bool surname, Reading* out) {
    if (cp >= kTableFirst && cp <= kTableLast) {
      auto& cell = (surname ? surname_ : common_)[cp - kTableFirst];
      uint64_t v = cell.load(std::memory_order_acquire);
      if (!(v & kComputed)) v = Fill(cp, surname, &cell);
      Unpack(v, out);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto& map = surname ? other_surname_ : other_common_;
    auto it = map.find(cp);
    if (it == map.end()) {
      icu::UnicodeString s(static_cast<UChar32>(cp));
      it = map.emplace(cp, Transliterate(surname, s)).first;
    }
    *out = it->second;
  }

  // Reading of a compound surname, or nullptr if `key` is not one.
  const Reading* Compound(uint64_t key) {
    std::call_once(compound_once_, [this] {
      for (const auto& [pair_key, surname] : CompoundSurnamePairs()) {
        Reading reading;
        if (!ApplyOverride(surname, &reading)) {
          std::lock_guard<std::mutex> lock(mu_);
          reading = Transliterate(true, icu::UnicodeString::fromUTF8(surname));
        }
        compound_.emplace(pair_key, std::move(reading));
      }
    });
    auto it = compound_.find(key);
    return it == compound_.end() ? nullptr : &it->second;
  }

 private:
  PinyinCache() = default;

  static bool ApplyOverride(std::string_view surname, Reading* out) {
    for (const auto& entry : kSurnameOverrides) {
      if (surname == entry.surname) {
        *out = {entry.full, entry.initials};
        return true;
      }
    }
    return false;
  }

  // REQUIRES: mu_ held.
  Reading Transliterate(bool surname, icu::UnicodeString text) {
    if (!common_translit_) {
      UErrorCode status = U_ZERO_ERROR;
      common_translit_.reset(
          icu::Transliterator::createInstance("Han-Latin", UTRANS_FORWARD, status));
      status = U_ZERO_ERROR;
      names_translit_.reset(
          icu::Transliterator::createInstance("Han-Latin/Names", UTRANS_FORWARD, status));
      if (!common_translit_ || !names_translit_) {
        std::fprintf(stderr, "linli: ICU Han-Latin transliterator unavailable; no pinyin\n");
      }
    }
    icu::Transliterator* translit = surname ? names_translit_.get() : common_translit_.get();
    if (!translit) return {};
    translit->transliterate(text);
    return AsciiReading(text);
  }

  uint64_t Fill(char32_t cp, bool surname, std::atomic<uint64_t>* cell) {
    Reading reading;
    std::string utf8;
    AppendUtf8(cp, &utf8);
    if (!(surname && ApplyOverride(utf8, &reading))) {
      std::lock_guard<std::mutex> lock(mu_);
      uint64_t v = cell->load(std::memory_order_acquire);
      if (v & kComputed) return v;
      reading = Transliterate(surname, icu::UnicodeString(static_cast<UChar32>(cp)));
    }
    uint64_t v = kComputed;
    if (reading.full.size() <= 6 && reading.initials.size() <= 1) {
      for (size_t idx = 0; idx < reading.full.size(); ++idx) {
        v |= uint64_t{static_cast<unsigned char>(reading.full[idx])} << (8 * idx);
      }
    }
    cell->store(v, std::memory_order_release);
    return v;
  }

  static void Unpack(uint64_t v, Reading* out) {
    out->full.clear();
    out->initials.clear();
    for (int idx = 0; idx < 6; ++idx) {
      char c = static_cast<char>((v >> (8 * idx)) & 0xFF);
      if (!c) break;
      out->full.push_back(c);
    }
    if (!out->full.empty()) out->initials.push_back(out->full[0]);
  }

  std::array<std::atomic<uint64_t>, kTableSize> common_{};
  std::array<std::atomic<uint64_t>, kTableSize> surname_{};
  std::mutex mu_;  // guards the transliterators and the two maps below
  std::unique_ptr<icu::Transliterator> common_translit_, names_translit_;
  std::unordered_map<char32_t, Reading> other_common_, other_surname_;
  std::once_flag compound_once_;
  std::unordered_map<uint64_t, Reading> compound_;  // read-only after compound_once_
};

bool IsHan(char32_t cp) {
  if (cp >= kTableFirst && cp <= kTableLast) return true;
  if (cp < 0x2E80) return false;
  UErrorCode status = U_ZERO_ERROR;
  return uscript_getScript(static_cast<UChar32>(cp), &status) == USCRIPT_HAN && U_SUCCESS(status);
}

// True when NFKC could change the text: anything other than ASCII and U+3400–U+9FFF.
bool NeedsNfkc(std::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    if (static_cast<unsigned char>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    char32_t cp = NextCodePoint(s, &pos);
    if (cp < kTableFirst || cp > kTableLast) return true;
  }
  return false;
}

// ASCII letters and digits of a non-Han character's compatibility decomposition ("é" -> "e").
std::string AsciiFold(char32_t cp) {
  if (IsAsciiAlnum(cp)) return std::string(1, AsciiLower(cp));
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  icu::UnicodeString decomposition;
  std::string out;
  if (U_FAILURE(status) || !nfkd->getDecomposition(static_cast<UChar32>(cp), decomposition)) {
    return out;
  }
  for (int32_t idx = 0; idx < decomposition.length(); ++idx) {
    UChar c = decomposition.charAt(idx);
    if (IsAsciiAlnum(c)) out.push_back(AsciiLower(c));
  }
  return out;
}

// Shared body of NamePinyinOf and TextPinyin.
NamePinyin PinyinOf(std::string_view input, bool as_name) {
  std::string normalised;
  std::string_view text = input;
  if (NeedsNfkc(text)) {
    normalised = NormalizeText(text);
    text = normalised;
  } else {
    text = Trim(text);  // the surname must be the first character
  }
  NamePinyin result;
  result.full.reserve(text.size() * 2);
  PinyinCache& cache = PinyinCache::Get();
  Reading reading;
  size_t pos = 0;
  bool in_word = false;  // inside a run of Latin letters/digits

  if (as_name) {
    // Surname: a compound surname needs at least one more character after it.
    size_t first_end = 0;
    char32_t first = text.empty() ? 0 : NextCodePoint(text, &first_end);
    if (IsHan(first)) {
      size_t second_end = first_end;
      const Reading* compound = nullptr;
      if (second_end < text.size()) {
        char32_t second = NextCodePoint(text, &second_end);
        if (second_end < text.size()) compound = cache.Compound(PairKey(first, second));
      }
      if (compound) {
        result.full += compound->full;
        result.initials += compound->initials;
        pos = second_end;
      } else {
        cache.Lookup(first, true, &reading);
        result.full += reading.full;
        result.initials += reading.initials;
        pos = first_end;
      }
    }
  }

  while (pos < text.size()) {
    char32_t cp = NextCodePoint(text, &pos);
    if (cp == kInvalidCodePoint) {
      in_word = false;
      continue;
    }
    if (IsHan(cp)) {
      in_word = false;
      cache.Lookup(cp, false, &reading);
      result.full += reading.full;
      result.initials += reading.initials;
      continue;
    }
    std::string folded =
        cp < 0x80 ? (IsAsciiAlnum(cp) ? std::string(1, AsciiLower(cp)) : "") : AsciiFold(cp);
    if (folded.empty()) {
      in_word = false;
      continue;
    }
    if (!in_word) result.initials.push_back(folded[0]);
    in_word = true;
    result.full += folded;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// OpenCC.

const opencc::SimpleConverter* OpenccConverter(const char* config) {
  try {
    return new opencc::SimpleConverter(config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "linli: OpenCC configuration %s unavailable: %s\n", config, e.what());
    return nullptr;
  }
}

std::string Convert(const opencc::SimpleConverter* converter, std::string_view utf8) {
  if (!converter || utf8.empty() || !IsValidUtf8(utf8)) return std::string(utf8);
  try {
    return converter->Convert(utf8.data(), utf8.size());
  } catch (const std::exception&) {
    return std::string(utf8);
  }
}

int LineOf(std::string_view bytes, size_t offset) {
  return 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + offset, '\n'));
}

// Decodes GB18030; on failure returns false with *error_offset at the first bad byte.
bool DecodeGb18030(std::string_view bytes, std::string* out, size_t* error_offset) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* conv = ucnv_open("GB18030", &status);
  if (U_FAILURE(status)) {
    *error_offset = 0;
    return false;
  }
  ucnv_setToUCallBack(conv, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  // GB18030 never needs more UTF-16 units than it has bytes.
  std::u16string buffer(bytes.size() + 1, u'\0');
  UChar* target = reinterpret_cast<UChar*>(buffer.data());
  UChar* const target_begin = target;
  const char* source = bytes.data();
  ucnv_toUnicode(conv, &target, target + buffer.size(), &source, bytes.data() + bytes.size(),
                 nullptr, true, &status);
  bool ok = U_SUCCESS(status);
  if (!ok) {
    char invalid[32];
    int8_t invalid_len = sizeof invalid;
    UErrorCode ignored = U_ZERO_ERROR;
    ucnv_getInvalidChars(conv, invalid, &invalid_len, &ignored);
    size_t consumed = static_cast<size_t>(source - bytes.data());
    *error_offset = consumed >= static_cast<size_t>(invalid_len) ? consumed - invalid_len : 0;
  }
  ucnv_close(conv);
  if (!ok) return false;
  icu::UnicodeString decoded(target_begin, static_cast<int32_t>(target - target_begin));
  out->clear();
  decoded.toUTF8String(*out);
  return true;
}

std::string_view DigitsOnly(std::string_view s, std::string* buf) {
  buf->clear();
  for (char c : s)
    if (c >= '0' && c <= '9') buf->push_back(c);
  return *buf;
}

}  // namespace

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string NormalizeText(std::string_view utf8) {
  if (!IsValidUtf8(utf8)) return std::string(utf8);
  bool ascii = std::all_of(utf8.begin(), utf8.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(Trim(utf8));
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) return std::string(Trim(utf8));
  icu::StringPiece piece(utf8.data(), static_cast<int32_t>(utf8.size()));
  if (nfkc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return std::string(Trim(utf8));
  status = U_ZERO_ERROR;
  std::string out;
  icu::StringByteSink<std::string> sink(&out);
  nfkc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return std::string(Trim(utf8));
  return std::string(Trim(out));
}

bool IsValidUtf8(std::string_view bytes) {
  return FirstInvalidUtf8(bytes) == std::string_view::npos;
}

Result<std::string> DecodeToUtf8(std::string_view bytes, int* bad_line) {
  if (bad_line) *bad_line = 0;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  size_t utf8_error = FirstInvalidUtf8(bytes);
  if (utf8_error == std::string_view::npos) return std::string(bytes);

  // Many valid multi-byte sequences before the first bad byte mean a UTF-8 file with a damaged
  // byte; GBK text rarely forms even a few (and would decode as GB18030 into mojibake).
  int multibyte = 0;
  for (size_t pos = 0; pos < utf8_error;) {
    bool lead = static_cast<unsigned char>(bytes[pos]) >= 0x80;
    NextCodePoint(bytes, &pos);
    multibyte += lead;
  }
  constexpr int kUtf8Evidence = 8;
  size_t error_offset = utf8_error;
  if (multibyte < kUtf8Evidence) {
    std::string decoded;
    size_t gb_error = 0;
    if (DecodeGb18030(bytes, &decoded, &gb_error)) return decoded;
    error_offset = std::max(utf8_error, gb_error);  // the encoding that got further
  }
  int line = LineOf(bytes, error_offset);
  if (bad_line) *bad_line = line;
  return Error(ErrorCode::kImportEncoding, {{"row", std::to_string(line)}});
}

std::string PercentEncode(std::string_view bytes) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::vector<std::string> Utf8Chars(std::string_view utf8) {
  std::vector<std::string> chars;
  for (std::string_view c : Utf8CharViews(utf8)) chars.emplace_back(c);
  return chars;
}

std::vector<std::string_view> Utf8CharViews(std::string_view utf8) {
  std::vector<std::string_view> chars;
  for (size_t pos = 0; pos < utf8.size();) {
    size_t start = pos;
    NextCodePoint(utf8, &pos);
    chars.push_back(utf8.substr(start, pos - start));
  }
  return chars;
}

std::vector<std::string_view> Utf8Grams(std::string_view utf8) {
  std::vector<std::string_view> chars = Utf8CharViews(utf8);
  std::vector<std::string_view> grams;
  grams.reserve(2 * chars.size());
  for (size_t i = 0; i < chars.size(); ++i) {
    grams.push_back(chars[i]);
    // Adjacent views of one string: the bigram is the span of both.
    if (i + 1 < chars.size())
      grams.push_back(std::string_view(chars[i].data(), chars[i].size() + chars[i + 1].size()));
  }
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

NamePinyin NamePinyinOf(std::string_view name) { return PinyinOf(name, true); }

std::string TextPinyin(std::string_view text) { return PinyinOf(text, false).full; }

std::string ToSimplified(std::string_view utf8) {
  static const opencc::SimpleConverter* converter = OpenccConverter("t2s.json");
  return Convert(converter, utf8);
}

std::string ToTraditional(std::string_view utf8) {
  static const opencc::SimpleConverter* converter = OpenccConverter("s2t.json");
  return Convert(converter, utf8);
}

bool HasHan(std::string_view utf8) {
  for (size_t pos = 0; pos < utf8.size();) {
    if (static_cast<unsigned char>(utf8[pos]) < 0x80) {
      ++pos;
      continue;
    }
    char32_t cp = NextCodePoint(utf8, &pos);
    if (cp != kInvalidCodePoint && IsHan(cp)) return true;
  }
  return false;
}

size_t SurnameLength(std::string_view name) {
  size_t pos = 0;
  if (name.empty()) return 0;
  char32_t first = NextCodePoint(name, &pos);
  if (pos >= name.size()) return 1;
  char32_t second = NextCodePoint(name, &pos);
  if (pos >= name.size()) return 1;  // a two-character name has a one-character surname
  return CompoundSurnamePairs().count(PairKey(first, second)) ? 2 : 1;
}

Result<std::string> NormalizePhone(std::string_view input) {
  std::string text = NormalizeText(input);
  Status invalid = Error(ErrorCode::kPhoneInvalid, {{"value", text}});
  // Extension markers: 转, 分机, ext, x, #.
  std::string main_part, ext_part;
  bool has_ext = false;
  for (size_t pos = 0; pos < text.size();) {
    std::string_view rest = std::string_view(text).substr(pos);
    size_t marker = 0;
    if (rest.starts_with("转")) {
      marker = std::string_view("转").size();
    } else if (rest.starts_with("分机")) {
      marker = std::string_view("分机").size();
    } else if (rest.size() >= 3 && (rest[0] | 0x20) == 'e' && (rest[1] | 0x20) == 'x' &&
               (rest[2] | 0x20) == 't') {
      marker = rest.size() > 3 && rest[3] == '.' ? 4 : 3;
    } else if (rest[0] == 'x' || rest[0] == 'X' || rest[0] == '#') {
      marker = 1;
    }
    if (marker) {
      if (has_ext) return invalid;
      has_ext = true;
      pos += marker;
      continue;
    }
    (has_ext ? ext_part : main_part).push_back(text[pos++]);
  }

  // The main part: digits with spaces, '-', '.', brackets and a leading '+'.
  std::vector<std::string> groups;
  bool plus = false, in_group = false;
  for (size_t idx = 0; idx < main_part.size(); ++idx) {
    char c = main_part[idx];
    if (c >= '0' && c <= '9') {
      if (!in_group) groups.emplace_back();
      groups.back().push_back(c);
      in_group = true;
    } else if (c == '+' && groups.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') {
      in_group = false;
    } else {
      return invalid;
    }
  }
  std::string ext;
  for (char c : ext_part) {
    if (c >= '0' && c <= '9') {
      ext.push_back(c);
    } else if (c != ' ' && c != '-' && c != '.') {
      return invalid;
    }
  }
  if (has_ext && (ext.empty() || ext.size() > 6)) return invalid;

  std::string digits;
  for (const auto& group : groups) digits += group;
  bool international = false;
  if (plus) {
    if (!digits.starts_with("86")) return invalid;
    digits.erase(0, 2);
    international = true;
  } else if (digits.starts_with("0086")) {
    digits.erase(0, 4);
    international = true;
  } else if (digits.size() == 13 && digits.starts_with("861")) {
    digits.erase(0, 2);
    international = true;
  }
  // Drop the prefix digits from the first groups so that groups keep matching `digits`.
  size_t prefix = 0;
  for (const auto& group : groups) prefix += group.size();
  prefix -= digits.size();
  while (prefix > 0 && !groups.empty()) {
    size_t take = std::min(prefix, groups.front().size());
    groups.front().erase(0, take);
    if (groups.front().empty()) groups.erase(groups.begin());
    prefix -= take;
  }

  if (digits.size() == 11 && digits[0] == '1') {
    if (digits[1] < '3' || has_ext) return invalid;
    return digits;
  }
  if (international) {
    digits.insert(0, "0");
    if (!groups.empty()) groups.front().insert(0, "0");
  }
  if (digits.size() < 3 || digits[0] != '0') return invalid;
  size_t area_len;
  if (digits[1] == '2' || digits.starts_with("010")) {
    area_len = 3;
  } else if (digits[1] >= '3' && digits[1] <= '9') {
    area_len = 4;
  } else {
    return invalid;
  }
  std::string local = digits.substr(std::min(area_len, digits.size()));
  if (!has_ext && local.size() > 8 && groups.size() >= 3 && groups.back().size() <= 6) {
    // 010-12345678-123: the last group is an extension.
    ext = groups.back();
    local.resize(local.size() - ext.size());
    has_ext = true;
  }
  if (local.size() < 7 || local.size() > 8 || local[0] == '0') return invalid;
  std::string out = digits.substr(0, area_len) + "-" + local;
  if (has_ext) out += "-" + ext;
  return out;
}

std::string MaskPhone(std::string_view normalised) {
  std::string buf;
  if (normalised.size() == 11 && DigitsOnly(normalised, &buf).size() == 11) {
    return std::string(normalised.substr(0, 3)) + "****" + std::string(normalised.substr(7));
  }
  size_t dash = normalised.find('-');
  if (dash != std::string_view::npos) {
    std::string_view area = normalised.substr(0, dash);
    std::string_view local = normalised.substr(dash + 1);
    local = local.substr(0, local.find('-'));  // the extension is not shown
    if (local.size() > 4) {
      return std::string(area) + "-" + std::string(local.size() - 4, '*') +
             std::string(local.substr(local.size() - 4));
    }
  }
  // Anything else: keep the last four characters.
  std::vector<std::string> chars = Utf8Chars(normalised);
  std::string out;
  for (size_t idx = 0; idx < chars.size(); ++idx) out += idx + 4 < chars.size() ? "*" : chars[idx];
  return out;
}

std::string MaskName(std::string_view name) {
  std::vector<std::string> chars = Utf8Chars(name);
  if (chars.empty()) return "";
  if (chars.size() == 1) return "*";
  size_t keep = SurnameLength(name);
  std::string out;
  for (size_t idx = 0; idx < keep; ++idx) out += chars[idx];
  out.append(chars.size() - keep, '*');
  return out;
}

}  // namespace linli
