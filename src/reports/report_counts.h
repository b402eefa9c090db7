// How a report counts (docs/reports.md, "What is counted"): a request by its latest leaf up
// to the head, national security letters in bands, small by-country counts suppressed. Pure
// functions: safe from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "reports/report.h"

namespace custodian::reports {

inline constexpr std::string_view kNationalSecurityLetter = "national_security_letter";

// Everything but the tree heads, counted from `leaves` with the standards' NSL band width and
// suppression threshold. The same leaves, period and standards always give the same report.
Report CountReport(const ReportLeaves& leaves, ReportPeriod period, const Standards& standards);

// The band of `width` that holds `value` (>= 0; width >= 1): Band(249, 250) is "0-249",
// Band(250, 250) "250-499".
std::string Band(int64_t value, int64_t width);

// A by-country count as published: "<N" below the threshold N, the number otherwise.
bool IsSuppressed(int64_t count, int64_t suppress_below);
std::string PublishedCount(int64_t count, int64_t suppress_below);

// "2026-03": the calendar month of a date.
std::string MonthOf(Date date);

}  // namespace custodian::reports
