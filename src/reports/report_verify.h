// Checking a published report against the instance that made it (docs/reports.md, "Checking
// a report"): its heads' signatures with the instance's ledger keys, their consistency with
// the logs' latest heads, and every count recomputed from the leaves up to the heads, as
// MakeReport counts them, under the instance's standards. Reads only.
// Thread-safe: the store serializes its transactions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/ledgers/ledgers.h"
#include "cases/ledgers/signing_keys.h"
#include "cases/store/database.h"
#include "core/status.h"
#include "ledger/public_keys.h"
#include "policy/standards.h"
#include "reports/report.h"

namespace custodian::reports {

// One thing the report says that the instance does not: where (a JSON pointer into the
// report), what the report says, and what the instance finds (both as JSON text, or a
// sentence where there is no value to show).
struct ReportDifference {
  std::string path;
  std::string reported;
  std::string recomputed;
  bool operator==(const ReportDifference&) const = default;
};

struct ReportCheck {
  std::vector<ReportDifference> differences;  // in the report's order; none when it holds
  bool holds() const { return differences.empty(); }
};

// Adds a difference for every value of `recomputed` (ReportToJson's form, less what the caller
// took out) that `reported` (a report ParseReport accepted) does not hold alike, and for every
// row one has and the other has not.
void CompareReports(const nlohmann::ordered_json& recomputed, const nlohmann::json& reported,
                    std::vector<ReportDifference>& out);

// Adds a difference at /signature/key_id when none of `keys` (whose: "of this instance")
// has the key `signature` names, at /signature/value when it does not verify.
void CheckReportSignature(const nlohmann::json& report, const ReportSignature& signature,
                          std::span<const ledger::TrustedKey> keys, std::string_view whose,
                          std::vector<ReportDifference>& out);

// InvalidArgument (naming the field) for a report that is not one (ParseReport); otherwise
// every difference found, the report's own signature checked with the instance's ledger keys
// included. The store's and the keys' failures are passed on.
Result<ReportCheck> VerifyReport(const nlohmann::json& report, cases::Database& db,
                                 cases::Ledgers& ledgers, cases::SigningKeys& keys,
                                 const Standards& standards);

}  // namespace custodian::reports
