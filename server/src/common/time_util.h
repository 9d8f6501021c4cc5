// Time helpers: ISO 8601 timestamps and calendar dates as 'YYYY-MM-DD' text. A test clock can be
// installed so that outputs that mention "today" are reproducible.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace linli {

struct Date {
  int year = 0, month = 0, day = 0;
  bool valid() const;
  std::string ToString() const;  // YYYY-MM-DD
  int DaysSinceEpoch() const;    // days since 1970-01-01
  static Date FromDays(int days);
  bool operator==(const Date&) const = default;
  auto operator<=>(const Date&) const = default;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

// Today in China Standard Time (UTC+8), or LINLI_TODAY=YYYY-MM-DD when set (tests, reports).
Date Today();
// UTC timestamp, e.g. 2026-11-22T19:47:29Z.
std::string NowIso();

}  // namespace linli

namespace linli {

// A date as offices write it: 2019-05-26, 2019/5/26, 2019.5.26, 2019年5月26日, 20190526. A month
// alone (1949.12, 1949年12月) gives day 0 and `partial` true. nullopt when not a real date.
struct ParsedDate {
  Date date;
  bool partial = false;
  bool normalised = false;  // written in another form than YYYY-MM-DD
};
std::optional<ParsedDate> ParseDateText(std::string_view text);

}  // namespace linli
