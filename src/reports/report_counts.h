// How a report counts (docs/reports.md, "What is counted"): a request by its latest leaf up
// to the head, national security letters in bands, small by-country counts suppressed. Pure
// functions: safe from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "reports/report.h"

namespace custodian::reports {

inline constexpr std::string_view kNationalSecurityLetter = "national_security_letter";

// What counting takes from the standards' [reports].
struct CountSettings {
  int64_t nsl_band = 250;
  int64_t suppress_below = 0;
  bool publish_leaves = false;  // then the leaves ride along and nothing is suppressed
};
CountSettings CountSettingsOf(const Standards& standards);

// Everything but the tree heads and the signature, counted from `leaves` with the settings'
// NSL band width and suppression threshold; with publish_leaves, the disclosure leaves' bytes
// too, and a threshold of 0. The same leaves, period and settings always give the same report.
Report CountReport(const ReportLeaves& leaves, ReportPeriod period, const CountSettings& settings);
inline Report CountReport(const ReportLeaves& leaves, ReportPeriod period, const Standards& standards) {
  return CountReport(leaves, period, CountSettingsOf(standards));
}

// The band of `width` that holds `value` (>= 0; width >= 1): Band(249, 250) is "0-249",
// Band(250, 250) "250-499".
std::string Band(int64_t value, int64_t width);

// A by-country count as published: "<N" below the threshold N, the number otherwise.
bool IsSuppressed(int64_t count, int64_t suppress_below);
std::string PublishedCount(int64_t count, int64_t suppress_below);

// "2026-03": the calendar month of a date.
std::string MonthOf(Date date);

}  // namespace custodian::reports
