#include "core/time.h"

#include <cstdio>

namespace custodian {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days algorithms (public domain), which
// hold for every proleptic Gregorian date.
struct Civil {
  int64_t year;
  int month;
  int day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at text[pos..]; false if any is not a digit.
bool ReadDigits(std::string_view text, size_t pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(text[i])) return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// Parses the YYYY-MM-DD prefix shared by dates and date-times.
Status ParseDatePart(std::string_view text, const char* syntax, Date& out) {
  int year, month, day;
  if (!ReadDigits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day)) {
    return Status::InvalidArgument(syntax);
  }
  if (month < 1 || month > 12) return Status::InvalidArgument("(no such month)");
  if (day < 1 || day > DaysInMonth(year, month)) {
    return Status::InvalidArgument("(no such day in that month)");
  }
  out = Date{DaysFromCivil(year, month, day)};
  return Status::Ok();
}

std::string FormatClock(Timestamp ts, bool always_fraction) {
  const int64_t days = FloorDiv(ts.micros, kMicrosPerDay);
  const int64_t in_day = ts.micros - days * kMicrosPerDay;
  const Civil c = CivilFromDays(days);
  const int64_t secs = in_day / kMicrosPerSecond;
  const int64_t frac = in_day % kMicrosPerSecond;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lld",
                        static_cast<long long>(c.year), c.month, c.day,
                        static_cast<long long>(secs / 3600),
                        static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  if (always_fraction || frac != 0) {
    n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(frac));
  }
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool IsValidCivilDate(int64_t year, int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= DaysInMonth(year, month);
}

Date Timestamp::UtcDate() const { return Date{FloorDiv(micros, kMicrosPerDay)}; }

Result<Date> ParseDate(std::string_view text) {
  if (text.size() != 10) return Status::InvalidArgument("(YYYY-MM-DD)");
  Date date;
  if (Status s = ParseDatePart(text, "(YYYY-MM-DD)", date); !s.ok()) return s;
  return date;
}

Result<Timestamp> ParseDateTime(std::string_view text) {
  static constexpr char kSyntax[] = "(RFC 3339, e.g. 2026-03-12T15:04:05Z)";
  Date date;
  if (Status s = ParseDatePart(text, kSyntax, date); !s.ok()) return s;
  int hour, minute, second;
  if (text.size() < 19 || (text[10] != 'T' && text[10] != 't') ||
      !ReadDigits(text, 11, 2, hour) || text[13] != ':' || !ReadDigits(text, 14, 2, minute) ||
      text[16] != ':' || !ReadDigits(text, 17, 2, second)) {
    return Status::InvalidArgument(kSyntax);
  }
  size_t pos = 19;
  int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    size_t digits = 0;
    ++pos;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (++digits > 6) return Status::InvalidArgument("(more than 6 fractional digits)");
      fraction = fraction * 10 + (text[pos] - '0');
      ++pos;
    }
    if (digits == 0) return Status::InvalidArgument(kSyntax);
    for (size_t i = digits; i < 6; ++i) fraction *= 10;
  }
  int64_t offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!ReadDigits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, om)) {
      return Status::InvalidArgument(kSyntax);
    }
    if (oh > 23 || om > 59) return Status::InvalidArgument("(offset out of range)");
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return Status::InvalidArgument(kSyntax);
  }
  if (pos != text.size()) return Status::InvalidArgument(kSyntax);
  if (hour > 23) return Status::InvalidArgument("(hour out of range)");
  if (minute > 59) return Status::InvalidArgument("(minute out of range)");
  if (second == 60) return Status::InvalidArgument("(leap seconds are not accepted)");
  if (second > 59) return Status::InvalidArgument("(second out of range)");
  const int64_t local = date.days * kMicrosPerDay +
                        (hour * 3600 + minute * 60 + second) * kMicrosPerSecond + fraction;
  return Timestamp{local - offset_minutes * 60 * kMicrosPerSecond};
}

std::string FormatDate(Date date) {
  const Civil c = CivilFromDays(date.days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month,
                c.day);
  return buf;
}

std::string FormatDateTime(Timestamp ts) { return FormatClock(ts, false); }
std::string FormatDateTimeMicros(Timestamp ts) { return FormatClock(ts, true); }

}  // namespace custodian
