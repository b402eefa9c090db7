// The standards file: the shipped default loads and holds every number of
// spec/default-standards.md; an edited file with an unknown key, a wrong type or an
// impossible value is refused with its line and column.
#include "policy/standards.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace custodian {
namespace {

// The default text with the first `from` replaced by `to`.
std::string Edited(const std::string& from, const std::string& to) {
  std::string text(DefaultStandardsText());
  const size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("not in the default: " + from);
  text.replace(at, from.size(), to);
  return text;
}

// Line number (1-based) of the first occurrence of `needle` in the default text.
size_t LineOf(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  if (at == std::string::npos) throw std::runtime_error("not in the text: " + needle);
  return 1 + std::count(text.begin(), text.begin() + at, '\n');
}

std::string LoadError(const std::string& text) {
  auto r = LoadStandards(text, "edited.toml");
  return r.ok() ? "ok" : r.status().message();
}

TEST(StandardsTest, TheDefaultHoldsTheSpecsNumbers) {
  auto r = LoadDefaultStandards();
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Standards& s = *r;
  EXPECT_EQ(s.name, "us-default");
  EXPECT_EQ(s.version, "1");
  EXPECT_EQ(s.home_country, "US");
  EXPECT_EQ(s.sha256.size(), 64u);
  EXPECT_EQ(s.process(ProcessType::kSubpoena).max_window_days, 365);
  EXPECT_EQ(s.process(ProcessType::kAdministrativeSubpoena).max_window_days, 365);
  EXPECT_EQ(s.process(ProcessType::kCivilSubpoena).max_window_days, 365);
  EXPECT_EQ(s.process(ProcessType::kNationalSecurityLetter).max_window_days, 365);
  EXPECT_EQ(s.process(ProcessType::kCourtOrder).max_window_days, 730);
  EXPECT_EQ(s.process(ProcessType::kSearchWarrant).max_window_days, 730);
  EXPECT_EQ(s.process(ProcessType::kMlat).max_window_days, 730);
  EXPECT_FALSE(s.process(ProcessType::kEmergency).max_window_days);
  EXPECT_EQ(s.process(ProcessType::kSearchWarrant).valid_for_days, 14);
  EXPECT_EQ(s.max_targets, 25);
  EXPECT_EQ(s.min_factual_basis_length, 40);
  EXPECT_EQ(s.min_danger_length, 40);
  EXPECT_EQ(s.reverse_lookup_max_window_hours, 48);
  EXPECT_EQ(s.emergency_max_window_days, 7);
  EXPECT_EQ(s.notice_wait_days, 10);
  EXPECT_EQ(s.notice_after_emergency_days, 90);
  EXPECT_EQ(s.emergency_response_hours, 1);
  EXPECT_EQ(s.reverse_lookup_max_accounts, 10);
  EXPECT_EQ(s.preservation_period_days, 90);
  EXPECT_EQ(s.preservation_extension_days, 90);
  EXPECT_EQ(s.preservation_max_extensions, 1);
  EXPECT_EQ(s.report_nsl_band, 250);
  EXPECT_EQ(s.report_suppress_below, 0);
  EXPECT_EQ(s.specific_target_types,
            (std::vector<std::string>{"account_id", "username", "email", "phone", "ip"}));
}

TEST(StandardsTest, TheCategoryTableMatchesTheSpec) {
  const Standards s = LoadDefaultStandards().value();
  const auto row = [&](ProcessType t) {
    std::string out;
    s.process(t).categories.ForEach([&](Category c) { out += std::string(CategoryName(c)) + " "; });
    return out;
  };
  EXPECT_EQ(row(ProcessType::kSubpoena), "basic_subscriber access_log ");
  EXPECT_EQ(row(ProcessType::kAdministrativeSubpoena), "basic_subscriber access_log ");
  EXPECT_EQ(row(ProcessType::kCourtOrder), "basic_subscriber access_log location device ");
  EXPECT_EQ(row(ProcessType::kMlat), "basic_subscriber access_log location device ");
  EXPECT_EQ(row(ProcessType::kSearchWarrant),
            "basic_subscriber access_log location device content ");
  EXPECT_EQ(row(ProcessType::kEmergency), "basic_subscriber access_log location ");
  EXPECT_EQ(row(ProcessType::kNationalSecurityLetter), "basic_subscriber ");
  EXPECT_EQ(row(ProcessType::kCivilSubpoena), "basic_subscriber ");
  EXPECT_EQ(row(ProcessType::kLetter), "");
  EXPECT_TRUE(s.process(ProcessType::kPreservation).preserves);
  EXPECT_TRUE(s.process(ProcessType::kPreservationExtension).preserves);
}

TEST(StandardsTest, SeveritiesAndReachMatchTheRulesTable) {
  const Standards s = LoadDefaultStandards().value();
  // code: severity and whether it reaches preservation, as spec/default-standards.md says.
  const std::vector<std::tuple<Rule, Severity, bool>> table = {
      {Rule::kNotLegalProcess, Severity::kReject, false},
      {Rule::kNoTargets, Severity::kReject, true},
      {Rule::kTargetNotSpecific, Severity::kReject, true},
      {Rule::kWarrantStale, Severity::kReject, false},
      {Rule::kProcessUnsigned, Severity::kPushback, false},
      {Rule::kProcessFutureDated, Severity::kPushback, true},
      {Rule::kMissingLegalBasis, Severity::kPushback, false},
      {Rule::kMissingFactualBasis, Severity::kPushback, false},
      {Rule::kTooManyTargets, Severity::kPushback, true},
      {Rule::kWindowMissing, Severity::kPushback, false},
      {Rule::kWindowInvalid, Severity::kPushback, true},
      {Rule::kWindowTooBroad, Severity::kPushback, false},
      {Rule::kForeignRequiresMlat, Severity::kPushback, false},
      {Rule::kEmergencyNotSubstantiated, Severity::kPushback, false},
      {Rule::kCivilImmigrationRequiresJudicialProcess, Severity::kPushback, true},
      {Rule::kReverseLookupRequiresWarrant, Severity::kPushback, true},
      {Rule::kReverseLookupWindowTooBroad, Severity::kPushback, true},
      {Rule::kNdoWithoutEnd, Severity::kPushback, true},
      {Rule::kNothingAuthorized, Severity::kPushback, false},
      {Rule::kRequesterUnverified, Severity::kVerify, true},
      {Rule::kCategoryNotAuthorized, Severity::kNarrow, false},
      {Rule::kWindowClampedToReceipt, Severity::kNarrow, true},
      {Rule::kEmergencyWindowNarrowed, Severity::kNarrow, false},
      {Rule::kNdoNotBinding, Severity::kWarn, true},
      {Rule::kContentOutsideVault, Severity::kInfo, false},
      {Rule::kAccessLogNeedsTimes, Severity::kNarrow, false},
  };
  ASSERT_EQ(table.size(), kRuleCount);
  for (const auto& [rule, severity, preservation] : table) {
    SCOPED_TRACE(InfoOf(rule).code);
    EXPECT_EQ(s.rule(rule).severity, severity);
    EXPECT_EQ(s.rule(rule).preservation, preservation);
    EXPECT_FALSE(s.rule(rule).citation.empty());
  }
}

TEST(StandardsTest, UnknownKeysAreRefusedWithASuggestion) {
  const std::string text = Edited("max_window_days = 365", "max_windw_days = 365");
  EXPECT_EQ(LoadError(text),
            "edited.toml:" + std::to_string(LineOf(text, "max_windw_days")) +
                ":1: unknown key 'process.subpoena.max_windw_days' (did you mean "
                "'max_window_days'?)");
  const std::string rule = Edited("[rules.WARRANT_STALE]", "[rules.WARANT_STALE]");
  const size_t line = LineOf(rule, "[rules.WARANT_STALE]");
  EXPECT_EQ(LoadError(rule),
            "edited.toml:" + std::to_string(line) +
                ":8: unknown key 'rules.WARANT_STALE' (did you mean 'WARRANT_STALE'?)\n"
                "edited.toml:" + std::to_string(LineOf(rule, "[rules.NOT_LEGAL_PROCESS]")) +
                ":1: missing table [rules.WARRANT_STALE]");
  EXPECT_EQ(LoadError(Edited("home_country = \"US\"", "home_country = \"US\"\ncolour = 1")),
            "edited.toml:" + std::to_string(LineOf(text, "home_country") + 1) +
                ":1: unknown key 'colour'");
}

TEST(StandardsTest, WrongTypesAreRefused) {
  std::string text = Edited("max_targets = 25", "max_targets = \"25\"");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "max_targets")) +
                                 ":15: 'rules.TOO_MANY_TARGETS.max_targets' must be an integer, "
                                 "not a string");
  text = Edited("wait_days = 10", "wait_days = 10.5");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "wait_days")) +
                                 ":13: 'notice.wait_days' must be an integer, not a "
                                 "floating-point number");
  text = Edited("judicial = true", "judicial = \"yes\"");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "judicial = \"yes\"")) +
                                 ":12: 'process.court_order.judicial' must be true or false, "
                                 "not a string");
  text = Edited("categories = [\"basic_subscriber\", \"access_log\"]",
                "categories = \"basic_subscriber\"");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "categories = \"")) +
                                 ":14: 'process.subpoena.categories' must be an array of "
                                 "strings, not a string");
}

TEST(StandardsTest, ImpossibleValuesAreRefused) {
  std::string text = Edited("max_window_days = 365", "max_window_days = 0");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "max_window_days = 0")) +
                                 ":19: 'process.subpoena.max_window_days' must be between 1 and "
                                 "36500");
  text = Edited("severity = \"reject\"", "severity = \"fatal\"");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "\"fatal\"")) +
                                 ":12: 'rules.NOT_LEGAL_PROCESS.severity' must be one of: "
                                 "reject, pushback, verify, narrow, warn, info");
  text = Edited("categories = [\"basic_subscriber\", \"access_log\"]",
                "categories = [\"basic_subscriber\", \"acess_log\"]");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "acess_log")) +
                                 ":35: unknown category 'acess_log' in "
                                 "'process.subpoena.categories' (did you mean 'access_log'?)");
  text = Edited("categories = [\"basic_subscriber\", \"access_log\"]",
                "categories = [\"access_log\", \"access_log\"]");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "[\"access_log\", ")) +
                                 ":29: 'access_log' appears twice in 'process.subpoena.categories'");
  text = Edited("home_country = \"US\"", "home_country = \"U1\"");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "\"U1\"")) +
                                 ":16: 'home_country' must be two capital letters (ISO 3166-1 "
                                 "alpha-2)");
  text = Edited("version = \"1\"", "version = \"  \"");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "version")) +
                                 ":11: 'version' must not be empty");
  text = Edited("label = \"a preservation request\"",
                "label = \"a preservation request\"\ncategories = []");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "categories = []\npreserves")) +
                                 ":14: 'process.preservation.categories' must not be set: a "
                                 "preservation discloses nothing");
  text = Edited("notice = \"never\"", "notice = \"later\"");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "\"later\"")) +
                                 ":10: 'process.national_security_letter.notice' must be one of: "
                                 "before_production, after_emergency, never");
}

TEST(StandardsTest, RetentionIsReadWithItsDefaults) {
  const Standards shipped = LoadDefaultStandards().value();
  EXPECT_EQ(shipped.access_log_retention_days, 90);
  EXPECT_EQ(shipped.subscriber_retention_days, 365);
  EXPECT_EQ(shipped.no_window_lookback_days, 90);

  std::string text = Edited("access_log_days = 90", "access_log_days = 30");
  text.replace(text.find("no_window_lookback_days = 90"), 28, "no_window_lookback_days = 14");
  auto edited = LoadStandards(text, "edited.toml");
  ASSERT_TRUE(edited.ok()) << edited.status().message();
  EXPECT_EQ(edited->access_log_retention_days, 30);
  EXPECT_EQ(edited->subscriber_retention_days, 365);
  EXPECT_EQ(edited->no_window_lookback_days, 14);

  // The table is optional: without it, the defaults.
  const size_t start = text.find("[retention]");
  const size_t end = text.find("[reports]");
  auto without = LoadStandards(text.substr(0, start) + text.substr(end), "edited.toml");
  ASSERT_TRUE(without.ok()) << without.status().message();
  EXPECT_EQ(without->access_log_retention_days, 90);
  EXPECT_EQ(without->subscriber_retention_days, 365);
  EXPECT_EQ(without->no_window_lookback_days, 90);

  text = Edited("subscriber_days = 365", "subscriber_days = 0");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "subscriber_days = 0")) +
                                 ":19: 'retention.subscriber_days' must be between 1 and 36500");
  text = Edited("subscriber_days = 365", "subscriber_dayz = 365");
  EXPECT_THAT(LoadError(text), ::testing::HasSubstr("subscriber_dayz"));
}

TEST(StandardsTest, TheAttestationIsTheFilesOrTheDefault) {
  const Standards shipped = LoadDefaultStandards().value();
  EXPECT_EQ(shipped.attestation, kDefaultAttestation) << "the shipped file says the default, in full";

  std::string text = Edited("for no other purpose.", "for no other purpose. Signed under penalty.");
  auto edited = LoadStandards(text, "edited.toml");
  ASSERT_TRUE(edited.ok()) << edited.status().message();
  EXPECT_TRUE(edited->attestation.ends_with("for no other purpose. Signed under penalty."));

  // Optional: a file without the table attests the default.
  const size_t start = text.find("[attestation]");
  const size_t end = text.find("[retention]");
  auto without = LoadStandards(text.substr(0, start) + text.substr(end), "edited.toml");
  ASSERT_TRUE(without.ok()) << without.status().message();
  EXPECT_EQ(without->attestation, kDefaultAttestation);

  const size_t opening = text.find("text = \"\"\"");
  const size_t closing = text.find("\"\"\"", opening + 10) + 3;
  std::string blank = text;
  blank.replace(opening, closing - opening, "text = \"  \"");
  EXPECT_EQ(LoadError(blank), "edited.toml:" + std::to_string(LineOf(blank, "text = \"  \"")) +
                                  ":8: 'attestation.text' must not be empty");
  std::string long_one = text;
  long_one.replace(opening, closing - opening, "text = \"" + std::string(4001, 'a') + "\"");
  EXPECT_THAT(LoadError(long_one), ::testing::HasSubstr("'attestation.text' must be at most 4000 characters"));
  std::string unknown = text;
  unknown.replace(opening, 4, "texts");
  EXPECT_THAT(LoadError(unknown), ::testing::HasSubstr("texts"));
}

TEST(StandardsTest, MessagePlaceholdersAreChecked) {
  std::string text = Edited("{process} cannot reach '{category}'", "{proces} cannot reach '{category}'");
  EXPECT_EQ(LoadError(text),
            "edited.toml:" + std::to_string(LineOf(text, "{proces}")) +
                ":11: unknown placeholder '{proces}' in 'rules.CATEGORY_NOT_AUTHORIZED.message' "
                "(this rule's message may use: {category}, {process})");
  text = Edited("Content is produced separately", "{x} Content is produced separately");
  EXPECT_EQ(LoadError(text),
            "edited.toml:" + std::to_string(LineOf(text, "{x}")) +
                ":11: unknown placeholder '{x}' in 'rules.CONTENT_OUTSIDE_VAULT.message' (this "
                "rule's message may use: none)");
  text = Edited("{process} cannot reach", "{process cannot reach");
  EXPECT_NE(LoadError(text).find("unknown placeholder '{process cannot reach '{category}'"),
            std::string::npos);
}

TEST(StandardsTest, MissingKeysAndTablesAreNamed) {
  std::string text = Edited("[reports]\n", "[reprts]\n");
  EXPECT_EQ(LoadError(text),
            "edited.toml:" + std::to_string(LineOf(text, "[reprts]")) +
                ":2: unknown key 'reprts' (did you mean 'reports'?)\n"
                "edited.toml:1:1: missing table [reports]");
  text = Edited("severity = \"warn\"\n", "");
  EXPECT_EQ(LoadError(text), "edited.toml:" + std::to_string(LineOf(text, "[rules.NDO_NOT_BINDING]")) +
                                 ":1: missing key 'rules.NDO_NOT_BINDING.severity'");
}

TEST(StandardsTest, TomlSyntaxErrorsCarryLineAndColumn) {
  EXPECT_EQ(LoadError("name = \"x\"\nversion = [1, 2\nhome_country = \"US\""),
            "edited.toml:3:1: Error while parsing array: expected comma or closing ']', saw 'h'");
  EXPECT_EQ(LoadError("name = 'a'\nname = 'b'\n").substr(0, 14), "edited.toml:2:");
}

TEST(StandardsTest, FilesOver1MiBAreRefused) {
  EXPECT_EQ(LoadError(std::string(1 << 20, '#') + "\n"), "edited.toml: the file is larger than 1 MiB");
}

}  // namespace
}  // namespace custodian
