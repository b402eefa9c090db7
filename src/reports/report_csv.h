// The report's long CSV form (spec/report.md): a header row, then one row per
// (dimension, key, metric, value), in the JSON form's order, with the same published values
// (by-country counts below the threshold as "<N"). RFC 4180: CRLF line ends, cells quoted
// when they hold a comma, a quote or a line break. A cell that begins with = + - @, a tab or
// a carriage return is neutralised by a leading apostrophe, so that no spreadsheet reads it
// as a formula (this may touch a tree head's base64; the JSON form is the one to verify).
// Pure functions: safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "reports/report.h"

namespace custodian::reports {

std::string ReportToCsv(const Report& report);

}  // namespace custodian::reports
