// The report's HTML form (spec/report.md): one self-contained page, readable on screen and on
// paper, with the JSON form's published numbers, bar charts (SVG) by country and by process
// type, and a timeline of the requests received each month. Inline CSS only: no scripts, no
// fonts, images or styles from elsewhere. Every value that came from the ledgers is escaped.
// Pure functions: safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "reports/report.h"

namespace custodian::reports {

std::string ReportToHtml(const Report& report);

// `text` with & < > " ' escaped, for HTML text and quoted attribute values alike.
std::string EscapeHtml(std::string_view text);

}  // namespace custodian::reports
