// MakeReport over both stores: a scripted history through the real workflow, every count of
// its report asserted; national security letters at their band's boundary; the heads the
// report carries.
#include "reports/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/ledgers/audit_log.h"
#include "cases/ledgers/ledger_store.h"
#include "reports/report_fixture.h"
#include "reports/report_json.h"

namespace custodian::reports {
namespace {

using nlohmann::json;

// The report's JSON without its heads (checked on their own).
json Counts(const Report& r) {
  json j = json::parse(ReportToJson(r).dump());
  j.erase("tree_head");
  j.erase("audit_tree_head");
  j.erase("signature");  // report_signature_test.cc
  return j;
}

TEST_P(ReportStoreTest, EveryCountOfAScriptedHistory) {
  History();
  Standards standards = instance_->default_standards;
  standards.report_suppress_below = 3;
  auto report = Make("2026-01-01", "2026-07-01", standards);
  ASSERT_TRUE(report.ok()) << report.status().message();
  const json expected = json::parse(R"({
    "period": {"from": "2026-01-01", "to": "2026-07-01"},
    "totals": {"requests": 17, "accounts_specified": 18, "with_data_produced": 3,
               "produced_narrowed": 1, "no_data": 1, "pushed_back": 2, "rejected": 1,
               "withdrawn": 1, "preservation": 1, "emergency": 1, "under_nondisclosure": 1, "user_notified": 1},
    "by_country": [
      {"country": "DE", "requests": "<3", "accounts_specified": "<3", "with_data_produced": "<3"},
      {"country": "FR", "requests": 3, "accounts_specified": 3, "with_data_produced": "<3"},
      {"country": "GB", "requests": "<3", "accounts_specified": "<3", "with_data_produced": "<3"},
      {"country": "US", "requests": 11, "accounts_specified": 12, "with_data_produced": 3}],
    "by_process_type": [
      {"type": "court_order", "requests": 2, "with_data_produced": 0},
      {"type": "emergency", "requests": 1, "with_data_produced": 1},
      {"type": "letter", "requests": 1, "with_data_produced": 0},
      {"type": "preservation", "requests": 1, "with_data_produced": 0},
      {"type": "search_warrant", "requests": 2, "with_data_produced": 1},
      {"type": "subpoena", "requests": 10, "with_data_produced": 1}],
    "by_agency_type": [
      {"type": "federal", "requests": 4, "with_data_produced": 1},
      {"type": "foreign", "requests": 6, "with_data_produced": 0},
      {"type": "local", "requests": 7, "with_data_produced": 2}],
    "by_month": [
      {"month": "2026-01", "requests": 1}, {"month": "2026-02", "requests": 0},
      {"month": "2026-03", "requests": 14}, {"month": "2026-04", "requests": 1},
      {"month": "2026-05", "requests": 0}, {"month": "2026-06", "requests": 1}],
    "national_security": {"letters": "0-249", "accounts": "0-249"},
    "suppressed_below": 3,
    "leaves_published": false
  })");
  EXPECT_EQ(Counts(*report), expected) << Counts(*report).dump(2);

  // Without suppression the small countries show, and no total moves.
  auto exact = Make();
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->totals, report->totals);
  EXPECT_THAT(exact->by_country,
              ::testing::ElementsAre(CountryCounts{"DE", 2, 2, 0}, CountryCounts{"FR", 3, 3, 0},
                                     CountryCounts{"GB", 1, 1, 0}, CountryCounts{"US", 11, 12, 3}));
  EXPECT_EQ(ReportToJson(*exact)["suppressed_below"], 0);

  // Another period sees only its own requests: the two just outside this one.
  auto before = Make("2025-07-01", "2026-01-01");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->totals.requests, 1);
  EXPECT_EQ(before->by_month.back(), (MonthCounts{"2025-12", 1}));
  auto after = Make("2026-07-01", "2027-01-01");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->totals.requests, 1);
  EXPECT_EQ(after->national_security.letters, "0-249");
}

TEST_P(ReportStoreTest, CarriesTheSignedHeadsItCountedAsOf) {
  History();
  auto report = Make();
  ASSERT_TRUE(report.ok()) << report.status().message();
  for (const auto& [log, head] : {std::pair{cases::kDisclosureLog, report->tree_head},
                                  std::pair{cases::kAuditLog, report->audit_tree_head}}) {
    SCOPED_TRACE(log);
    EXPECT_EQ(head.log, log);
    auto latest = ledgers_->LatestHead(log);
    ASSERT_TRUE(latest.ok());
    EXPECT_EQ(latest->signature, head.signature) << "signed for the report, and stored";
    const auto keys = keys_->Keys(cases::kLedgerKey).value();
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_TRUE(ledger::Verify(head, keys[0].public_key).ok());
  }
  EXPECT_EQ(report->tree_head.size, 36u) << "a leaf for each step of the history";
  // Nothing appended since: the same heads again.
  auto again = Make();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->tree_head.signature, report->tree_head.signature);
  EXPECT_EQ(again->audit_tree_head.signature, report->audit_tree_head.signature);

  // Leaves appended after the head are not counted by a report made as of it.
  Submit(Example("lcpd-subpoena"));
  auto leaves = ReadReportLeaves(*instance_->db, report->tree_head.size, report->audit_tree_head.size);
  ASSERT_TRUE(leaves.ok());
  EXPECT_EQ(leaves->disclosures.size(), report->tree_head.size);
  EXPECT_EQ(leaves->disclosures_root, report->tree_head.root);
  EXPECT_EQ(leaves->audit_root, report->audit_tree_head.root);
  auto later = Make();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->tree_head.size, report->tree_head.size + 1);
  EXPECT_EQ(later->totals.requests, report->totals.requests + 1);
}

TEST_P(ReportStoreTest, NationalSecurityLettersAreBandedAtTheBoundaryAndNowhereElse) {
  // One letter through the workflow, 248 more as their submission entries. A letter counts in
  // the period of its entry into custodian: the audit log knows no other date of it.
  clock_.Set(ParseDateTime("2026-05-01T12:00:00Z").value());
  Submit(With(Example("fbi-warrant-content"), "/process/type", "national_security_letter"));
  clock_.Set(ParseDateTime("2026-07-02T09:00:00Z").value());
  Submit(With(Example("fbi-warrant-content"), "/process/type", "national_security_letter"));
  const auto letters = [&](int n, const char* at, const char* action = "submit") {
    ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) -> Status {
      for (int i = 0; i < n; ++i) {
        auto seq = cases::AppendAudit(sql, ParseDateTime(at).value(), "intake-1", std::nullopt, action, "{}",
                                      cases::AuditSubject{std::nullopt, "national_security_letter", 1});
        if (!seq.ok()) return seq.status();
      }
      return Status::Ok();
    }).ok());
  };
  letters(248, "2026-05-01T12:00:00Z");
  letters(3, "2025-12-31T23:59:59Z");                  // before the period
  letters(3, "2026-07-01T00:00:00Z");                  // after it
  letters(3, "2026-05-01T12:00:00Z", "view_case");     // not a submission
  auto report = Make();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->national_security, (NationalSecurityBands{"0-249", "0-249"}));
  EXPECT_EQ(report->totals, ReportTotals{}) << "no other count holds a letter";
  EXPECT_TRUE(report->by_country.empty());
  EXPECT_TRUE(report->by_process_type.empty());
  EXPECT_EQ(report->tree_head.size, 0u) << "letters never enter the disclosure log";

  letters(1, "2026-06-30T23:59:59Z");
  report = Make();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->national_security, (NationalSecurityBands{"250-499", "250-499"}));
  auto next = Make("2026-07-01", "2027-01-01");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->national_security, (NationalSecurityBands{"0-249", "0-249"}));
  Standards wide = instance_->default_standards;
  wide.report_nsl_band = 1000;
  report = Make("2026-01-01", "2026-07-01", wide);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->national_security, (NationalSecurityBands{"0-999", "0-999"}));
}

TEST_P(ReportStoreTest, RefusesAPeriodThatEndsBeforeItBegins) {
  for (const auto& [from, to] : {std::pair{"2026-07-01", "2026-01-01"}, std::pair{"2026-01-01", "2026-01-01"}}) {
    auto report = Make(from, to);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.status().code(), Status::Code::kInvalidArgument);
  }
  EXPECT_EQ(Make("2026-07-01", "2026-01-01").status().message(),
            "period: the end (2026-01-01) is not after the start (2026-07-01)");
  EXPECT_TRUE(Make("2026-01-01", "2026-01-02").ok()) << "one day is a period";
}

TEST_P(ReportStoreTest, RefusesToCountLeavesChangedBehindItsBack) {
  History();
  ASSERT_TRUE(instance_->store().ExecuteOutside(
      "UPDATE disclosures SET leaf = replace(leaf, '\"approved\"', '\"rejected\"')"));
  auto report = Make();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(report.status().message(),
            "disclosures: the stored leaves do not make the root just signed; the store was "
            "changed outside custodian");
}

INSTANTIATE_TEST_SUITE_P(Stores, ReportStoreTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::reports
