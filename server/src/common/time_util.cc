// Calendar arithmetic (civil-from-days) and the clock.
#include "common/time_util.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

namespace linli {

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

bool Date::valid() const { return year >= 1800 && year <= 9999 && day >= 1 && day <= DaysInMonth(year, month); }

std::string Date::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

// Howard Hinnant's days_from_civil / civil_from_days.
int Date::DaysSinceEpoch() const {
  int y = year - (month <= 2);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

Date Date::FromDays(int z) {
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = static_cast<int>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{y + (m <= 2), static_cast<int>(m), static_cast<int>(d)};
}

Date Today() {
  if (const char* fixed = std::getenv("LINLI_TODAY")) {
    Date d;
    if (std::sscanf(fixed, "%d-%d-%d", &d.year, &d.month, &d.day) == 3 && d.valid()) return d;
  }
  std::time_t now = std::time(nullptr) + 8 * 3600;  // China Standard Time, no DST
  return Date::FromDays(static_cast<int>(now / 86400));
}

std::string NowIso() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace linli

namespace linli {

std::optional<ParsedDate> ParseDateText(std::string_view text) {
  // Collect up to three numbers separated by - / . 年 月 日 or spaces.
  std::vector<std::string> nums;
  std::string cur;
  bool has_sep = false;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= '0' && c <= '9') {
      cur += static_cast<char>(c);
      ++i;
      continue;
    }
    if (!cur.empty()) {
      nums.push_back(cur);
      cur.clear();
    }
    std::string_view rest = text.substr(i);
    size_t len = 0;
    for (std::string_view sep : {"-", "/", ".", " ", "年", "月", "日", "号"}) {
      if (rest.substr(0, sep.size()) == sep) {
        len = sep.size();
        break;
      }
    }
    if (len == 0) return std::nullopt;  // letters or other text
    has_sep = true;
    i += len;
  }
  if (!cur.empty()) nums.push_back(cur);
  ParsedDate out;
  if (nums.size() == 1 && !has_sep && nums[0].size() == 8) {  // 20190526
    nums = {nums[0].substr(0, 4), nums[0].substr(4, 2), nums[0].substr(6, 2)};
  }
  if (nums.size() < 2 || nums.size() > 3 || nums[0].size() != 4) return std::nullopt;
  for (size_t k = 1; k < nums.size(); ++k)
    if (nums[k].size() > 2) return std::nullopt;
  out.date.year = std::stoi(nums[0]);
  out.date.month = std::stoi(nums[1]);
  if (nums.size() == 2) {
    out.partial = true;
    if (out.date.month < 1 || out.date.month > 12 || out.date.year < 1800) return std::nullopt;
  } else {
    out.date.day = std::stoi(nums[2]);
    if (!out.date.valid()) return std::nullopt;
  }
  std::string iso = out.partial ? out.date.ToString().substr(0, 7) : out.date.ToString();
  out.normalised = text != iso;
  return out;
}

}  // namespace linli
