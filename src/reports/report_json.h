// The report's JSON form (spec/report.md; docs/reports.md): the form that is published and
// verified. Writing it, and reading one strictly. Pure functions: safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "reports/report.h"

namespace custodian::reports {

// {"period", "totals", "by_country", "by_process_type", "by_agency_type", "by_month",
//  "national_security", "suppressed_below", "leaves_published", "tree_head", "audit_tree_head",
//  "leaves" (when published), "signature" (once signed)}, in spec/report.md's order (by_month,
// the timeline, is ours). By-country counts below suppressed_below are the string "<N"; the
// heads' keys are in the spec's order too; "leaves" are the leaves' bytes as JSON strings.
nlohmann::ordered_json ReportToJson(const Report& report);

// What a published report says of its own making: the period it counts, the settings it
// counts under, the heads it counts as of, the leaves it carries and its signature.
struct ReportBasis {
  ReportPeriod period;
  int64_t suppressed_below = 0;
  bool leaves_published = false;
  ledger::SignedTreeHead tree_head;
  ledger::SignedTreeHead audit_tree_head;
  std::optional<std::vector<std::string>> leaves;  // when published
  ReportSignature signature;
};

// Reads a report strictly: ReportToJson's fields, each with its type and form, and no other
// (a signed one: "signature" is required; "leaves" exactly when "leaves_published" is true,
// and then "suppressed_below" is 0); counts are integers from 0 to 2^53 (by-country ones may
// be "<N"). InvalidArgument names the field as a JSON pointer: "/totals/requests: not a count
// but a string". Only the form is checked here; whether the counts and the signature hold is
// VerifyReport's question (report_verify.h, report_offline_verify.h).
Result<ReportBasis> ParseReport(const nlohmann::json& report);

}  // namespace custodian::reports
