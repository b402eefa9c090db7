#include "policy/rule.h"

namespace custodian {
namespace {

using P = std::string_view;
constexpr P kProcess[] = {"process"};
constexpr P kSpecificTypes[] = {"specific_types"};
constexpr P kMaxDays[] = {"max_days"};
constexpr P kMinLength[] = {"min_length"};
constexpr P kTargetCount[] = {"count", "max_targets"};
constexpr P kWindowLimit[] = {"max_days", "process"};
constexpr P kHomeCountry[] = {"home_country"};
constexpr P kMaxHours[] = {"max_hours"};
constexpr P kCategory[] = {"category", "process"};
constexpr P kReceivedAt[] = {"received_at"};

const RuleInfo kRules[] = {
    {Rule::kNotLegalProcess, "NOT_LEGAL_PROCESS", kProcess},
    {Rule::kNoTargets, "NO_TARGETS", {}},
    {Rule::kTargetNotSpecific, "TARGET_NOT_SPECIFIC", kSpecificTypes},
    {Rule::kWarrantStale, "WARRANT_STALE", kMaxDays},
    {Rule::kProcessUnsigned, "PROCESS_UNSIGNED", kProcess},
    {Rule::kProcessFutureDated, "PROCESS_FUTURE_DATED", {}},
    {Rule::kMissingLegalBasis, "MISSING_LEGAL_BASIS", {}},
    {Rule::kMissingFactualBasis, "MISSING_FACTUAL_BASIS", kMinLength},
    {Rule::kTooManyTargets, "TOO_MANY_TARGETS", kTargetCount},
    {Rule::kWindowMissing, "WINDOW_MISSING", {}},
    {Rule::kWindowInvalid, "WINDOW_INVALID", {}},
    {Rule::kWindowTooBroad, "WINDOW_TOO_BROAD", kWindowLimit},
    {Rule::kForeignRequiresMlat, "FOREIGN_REQUIRES_MLAT", kHomeCountry},
    {Rule::kEmergencyNotSubstantiated, "EMERGENCY_NOT_SUBSTANTIATED", kMinLength},
    {Rule::kCivilImmigrationRequiresJudicialProcess, "CIVIL_IMMIGRATION_REQUIRES_JUDICIAL_PROCESS",
     kProcess},
    {Rule::kReverseLookupRequiresWarrant, "REVERSE_LOOKUP_REQUIRES_WARRANT", kProcess},
    {Rule::kReverseLookupWindowTooBroad, "REVERSE_LOOKUP_WINDOW_TOO_BROAD", kMaxHours},
    {Rule::kNdoWithoutEnd, "NDO_WITHOUT_END", {}},
    {Rule::kNothingAuthorized, "NOTHING_AUTHORIZED", kProcess},
    {Rule::kRequesterUnverified, "REQUESTER_UNVERIFIED", {}},
    {Rule::kCategoryNotAuthorized, "CATEGORY_NOT_AUTHORIZED", kCategory},
    {Rule::kWindowClampedToReceipt, "WINDOW_CLAMPED_TO_RECEIPT", kReceivedAt},
    {Rule::kEmergencyWindowNarrowed, "EMERGENCY_WINDOW_NARROWED", kMaxDays},
    {Rule::kNdoNotBinding, "NDO_NOT_BINDING", {}},
    {Rule::kContentOutsideVault, "CONTENT_OUTSIDE_VAULT", {}},
    {Rule::kAccessLogNeedsTimes, "ACCESS_LOG_NEEDS_TIMES", kProcess},
};
static_assert(std::size(kRules) == kRuleCount);

}  // namespace

std::span<const RuleInfo> AllRules() { return kRules; }

const RuleInfo& InfoOf(Rule rule) { return kRules[static_cast<size_t>(rule)]; }

std::optional<Rule> ParseRuleCode(std::string_view code) {
  for (const RuleInfo& r : kRules) {
    if (r.code == code) return r.rule;
  }
  return std::nullopt;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kReject: return "reject";
    case Severity::kPushback: return "pushback";
    case Severity::kVerify: return "verify";
    case Severity::kNarrow: return "narrow";
    case Severity::kWarn: return "warn";
    case Severity::kInfo: return "info";
  }
  return "?";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (Severity s : kAllSeverities) {
    if (SeverityName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace custodian
