// Checking a published report with no instance (docs/reports.md, Checking a report offline):
// what an outside auditor does with the report, the ledger's public keys and the disclosure
// leaves (pages of GET /api/v1/ledger/disclosures/entries, or the leaves a report publishes).
// The report's signature and its heads' are checked with the keys; every leaf's proof against
// its page's head; the leaves up to the report's head must rebuild that head's root; and every
// count is recomputed from them as the instance counts (CountReport), under the threshold the
// report states. The national security bands are counted from the audit log, whose leaves no
// outsider gets (their exact number may not be published): they are signed, not recounted.
// Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/public_keys.h"
#include "reports/disclosure_pages.h"
#include "reports/report_verify.h"

namespace custodian::reports {

struct OfflineReportCheck {
  // Where a difference lies in the pages rather than the report, its path names the page
  // ("page 2 (line 40)/entries/3/proof") and `reported` is empty.
  ReportCheck check;
  uint64_t leaves = 0;     // the leaves the head holds that were given
  bool recounted = false;  // false when some were missing: then no count was recomputed
};

// `pages`: the leaves from the API; none: the report's own "leaves". InvalidArgument for a
// report that is not one (ParseReport, naming the field), or one that publishes no leaves
// when no pages are given; otherwise every difference found.
Result<OfflineReportCheck> VerifyReportOffline(const nlohmann::json& report,
                                               std::span<const ledger::TrustedKey> keys,
                                               const std::optional<std::vector<DisclosurePage>>& pages);

}  // namespace custodian::reports
