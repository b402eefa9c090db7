// Time in custodian: UTC instants in microseconds since the Unix epoch, and calendar dates.
// Parsing is strict RFC 3339 (date-time with any offset, converted to UTC) and YYYY-MM-DD;
// formatting always writes UTC with `Z`. Leap seconds are refused rather than smeared.
// Pure functions and values: safe from any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace custodian {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// A calendar date, as days since 1970-01-01.
struct Date {
  int64_t days = 0;
  auto operator<=>(const Date&) const = default;
  Date PlusDays(int64_t n) const { return Date{days + n}; }
};

// A UTC instant, as microseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
  int64_t micros = 0;
  auto operator<=>(const Timestamp&) const = default;
  // The UTC calendar date this instant falls on.
  Date UtcDate() const;
};

// Days since the epoch of a proleptic Gregorian date; no range check.
int64_t DaysFromCivil(int64_t year, int month, int day);
bool IsValidCivilDate(int64_t year, int month, int day);

// Parses YYYY-MM-DD. On failure the status message is the reason, to be put after
// "not a date": "(YYYY-MM-DD)", "(no such month)" or "(no such day in that month)".
Result<Date> ParseDate(std::string_view text);

// Parses an RFC 3339 date-time (`T`/`Z` in either case, up to 6 fractional digits,
// offset `Z` or ±HH:MM) and converts it to UTC. On failure the message is the reason,
// in parentheses, to be put after "not a date-time".
Result<Timestamp> ParseDateTime(std::string_view text);

// "2026-03-12".
std::string FormatDate(Date date);
// "2026-03-12T15:04:05Z", with ".ffffff" only when the fraction is not zero.
std::string FormatDateTime(Timestamp ts);
// "2026-03-12T15:04:05.000000Z": always six fractional digits (records, CSV).
std::string FormatDateTimeMicros(Timestamp ts);

}  // namespace custodian
