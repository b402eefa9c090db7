// The rules the engine knows how to evaluate (spec/default-standards.md, Rules). Only the
// rule's identity lives in code: its code name, which placeholders its message may use and
// the parameters it reads. Its severity, message, citation and reach come from the
// standards file (standards.h). Values: safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>

namespace custodian {

enum class Rule {
  kNotLegalProcess,
  kNoTargets,
  kTargetNotSpecific,
  kWarrantStale,
  kProcessUnsigned,
  kProcessFutureDated,
  kMissingLegalBasis,
  kMissingFactualBasis,
  kTooManyTargets,
  kWindowMissing,
  kWindowInvalid,
  kWindowTooBroad,
  kForeignRequiresMlat,
  kEmergencyNotSubstantiated,
  kCivilImmigrationRequiresJudicialProcess,
  kReverseLookupRequiresWarrant,
  kReverseLookupWindowTooBroad,
  kNdoWithoutEnd,
  kNothingAuthorized,
  kRequesterUnverified,
  kCategoryNotAuthorized,
  kWindowClampedToReceipt,
  kEmergencyWindowNarrowed,
  kNdoNotBinding,
  kContentOutsideVault,
  kAccessLogNeedsTimes,
};
inline constexpr size_t kRuleCount = 26;

// Severities, strongest first; the order decides the action and the order of findings.
enum class Severity { kReject, kPushback, kVerify, kNarrow, kWarn, kInfo };
inline constexpr std::array<Severity, 6> kAllSeverities = {
    Severity::kReject, Severity::kPushback, Severity::kVerify,
    Severity::kNarrow, Severity::kWarn,     Severity::kInfo};

struct RuleInfo {
  Rule rule;
  std::string_view code;                        // "WINDOW_TOO_BROAD"
  std::span<const std::string_view> placeholders;  // what its message may say: "max_days", …
};

// Every rule, in the order of the enum.
std::span<const RuleInfo> AllRules();
const RuleInfo& InfoOf(Rule rule);
std::optional<Rule> ParseRuleCode(std::string_view code);

std::string_view SeverityName(Severity s);
std::optional<Severity> ParseSeverity(std::string_view name);

}  // namespace custodian
