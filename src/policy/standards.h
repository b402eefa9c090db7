// A service's disclosure standards, as loaded from a TOML file (policies/us-default.toml is
// the default; docs/policy.md is the reference). Every number and table the rules use is
// here; the engine holds no policy of its own. Immutable once loaded: safe to share between
// threads.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/category.h"
#include "core/process_type.h"
#include "core/status.h"
#include "policy/request.h"
#include "policy/rule.h"

namespace custodian {

// When the user is told about a request that carries this process (other rows of the
// notice table — nondisclosure orders, investigation types — come first).
enum class ProcessNotice { kBeforeProduction, kAfterEmergency, kNever };

struct ProcessStandard {
  std::string label;                // "a subpoena": how messages name it
  CategorySet categories;           // what it may reach (empty for preservation)
  std::optional<int64_t> max_window_days;  // WINDOW_TOO_BROAD
  std::optional<int64_t> valid_for_days;   // WARRANT_STALE: receipt − issued_on limit
  bool legal_process = true;        // false: NOT_LEGAL_PROCESS
  bool preserves = false;           // a preservation type: preserves, discloses nothing
  bool emergency = false;           // emergency rules; the requester is always verified
  bool requires_signature = true;   // PROCESS_UNSIGNED
  bool foreign_requesters = false;  // FOREIGN_REQUIRES_MLAT does not apply
  bool judicial = false;            // satisfies CIVIL_IMMIGRATION_REQUIRES_JUDICIAL_PROCESS
  bool reverse_lookup = false;      // may name ip targets
  // The access log only at instants the request names (`times`), never over a window
  // (ACCESS_LOG_NEEDS_TIMES).
  bool access_log_needs_times = false;
  ProcessNotice notice = ProcessNotice::kBeforeProduction;
};

struct RuleStandard {
  Severity severity = Severity::kInfo;
  bool preservation = false;  // also applies to preservation types (the spec's "P")
  std::string message;        // may hold {placeholders} (rule.h)
  std::string citation;
};

// The attestation a requester makes when the standards say none of their own.
inline constexpr std::string_view kDefaultAttestation =
    "I attest that I am an officer or employee of the agency named in this request, acting in my "
    "official capacity and authorized to make this request on its behalf; that the legal process it "
    "describes and any document attached are genuine, were lawfully issued and are in force; and "
    "that the request is made under the statutes it cites, for the investigation it describes, and "
    "for no other purpose.";
inline constexpr size_t kMaxAttestationLength = 4000;  // characters

struct Standards {
  // Identity, printed in every decision.
  std::string name;
  std::string version;
  std::string sha256;  // of the file's exact bytes

  std::string home_country;
  std::array<ProcessStandard, kAllProcessTypes.size()> processes;
  std::array<RuleStandard, kRuleCount> rules;

  // Rule parameters.
  std::vector<std::string> specific_target_types;     // TARGET_NOT_SPECIFIC
  int64_t max_targets = 0;                            // TOO_MANY_TARGETS
  int64_t min_factual_basis_length = 0;               // MISSING_FACTUAL_BASIS
  int64_t min_danger_length = 0;                      // EMERGENCY_NOT_SUBSTANTIATED
  std::vector<InvestigationType> judicial_only_investigations;  // CIVIL_IMMIGRATION_…
  int64_t reverse_lookup_max_window_hours = 0;        // REVERSE_LOOKUP_WINDOW_TOO_BROAD
  int64_t emergency_max_window_days = 0;              // EMERGENCY_WINDOW_NARROWED

  // Notice.
  int64_t notice_wait_days = 0;          // before_production: wait after the notice is sent
  int64_t notice_after_emergency_days = 0;
  std::vector<InvestigationType> notice_withheld_for;

  // Settings the workflow, the vault and the reports read.
  int64_t emergency_response_hours = 0;
  int64_t reverse_lookup_max_accounts = 0;
  int64_t preservation_period_days = 0;
  int64_t preservation_extension_days = 0;
  int64_t preservation_max_extensions = 0;
  CategorySet preservation_default_categories;
  int64_t report_nsl_band = 0;
  int64_t report_suppress_below = 0;
  // [reports] publish_leaves: each report carries every disclosure leaf up to its head, and
  // suppresses nothing (docs/reports.md). Optional in the file; off by default.
  bool report_publish_leaves = false;

  // [point_in_time]: each instant a request names (`times`) reaches this far either side.
  int64_t point_in_time_minutes = 15;

  // [retention]: what the vault keeps, and how far back a request that names no window
  // reaches. Optional in the file; these are the defaults.
  int64_t access_log_retention_days = 90;
  int64_t subscriber_retention_days = 365;
  int64_t no_window_lookback_days = 90;

  // [attestation] text: what a requester attests at each submission on the portal, shown in
  // full and stored with the request it was made for. Optional in the file; this is the default.
  std::string attestation = std::string(kDefaultAttestation);

  const ProcessStandard& process(ProcessType t) const {
    return processes[static_cast<size_t>(t)];
  }
  const RuleStandard& rule(Rule r) const { return rules[static_cast<size_t>(r)]; }
};

// Loads standards from `text`; `source_name` names the file in messages. On failure the
// status holds one line per problem, each "source:line:column: what is wrong".
Result<Standards> LoadStandards(std::string_view text, std::string_view source_name);

// The us-default standards compiled into the binary.
std::string_view DefaultStandardsText();
inline constexpr std::string_view kDefaultStandardsName = "us-default.toml";
Result<Standards> LoadDefaultStandards();

}  // namespace custodian
