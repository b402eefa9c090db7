// The report's definitions (docs/reports.md) on hand-made leaves, one rule at a time; the
// same rules through the real workflow on both stores are in report_test.cc.
#include "reports/report_counts.h"

#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace custodian::reports {
namespace {

using ledger::DisclosureKind;
using ledger::DisclosureLeaf;
using ::testing::ElementsAre;

Date D(const char* text) { return ParseDate(text).value(); }

const ReportPeriod kFirstHalf{D("2026-01-01"), D("2026-07-01")};

// Builds the leaves of one request, as the workflow would append them.
class Request {
 public:
  explicit Request(std::string pseudonym, const char* received = "2026-03-12") {
    base_.case_pseudonym = std::move(pseudonym);
    base_.received = D(received);
    base_.date = base_.received;
    base_.country = "US";
    base_.agency_type = "local";
    base_.process_type = "subpoena";
    base_.targets = 1;
  }
  Request& Set(const std::function<void(DisclosureLeaf&)>& change) {
    change(base_);
    return *this;
  }
  Request& Leaf(DisclosureKind kind, std::string outcome, std::optional<int64_t> accounts = {}) {
    DisclosureLeaf leaf = base_;
    leaf.kind = kind;
    leaf.outcome = std::move(outcome);
    if (kind == DisclosureKind::kProduction) {
      leaf.accounts_with_data = accounts.value_or(0);
      leaf.manifest_sha256 = std::string(64, 'a');
    }
    leaves_.push_back(leaf);
    return *this;
  }
  Request& Received(std::string recommendation) { return Leaf(DisclosureKind::kReceived, std::move(recommendation)); }
  Request& Decided(std::string outcome) { return Leaf(DisclosureKind::kDecision, std::move(outcome)); }
  Request& Produced(int64_t accounts, char manifest = 'a') {
    Leaf(DisclosureKind::kProduction, "produced", accounts);
    leaves_.back().manifest_sha256 = std::string(64, manifest);
    return *this;
  }
  // Staff ended the production with that manifest before its package was made.
  Request& Aborted(char manifest = 'a') {
    Leaf(DisclosureKind::kProduction, "aborted", 0);
    leaves_.back().manifest_sha256 = std::string(64, manifest);
    return *this;
  }
  Request& Notified() { return Leaf(DisclosureKind::kNotice, "notified"); }
  const std::vector<DisclosureLeaf>& leaves() const { return leaves_; }

 private:
  DisclosureLeaf base_;
  std::vector<DisclosureLeaf> leaves_;
};

Standards Bands(int64_t nsl_band = 250, int64_t suppress_below = 0) {
  Standards s;
  s.report_nsl_band = nsl_band;
  s.report_suppress_below = suppress_below;
  return s;
}

// The report of the given requests' leaves, interleaved as listed (one request after another).
Report Count(const std::vector<Request>& requests, ReportPeriod period = kFirstHalf,
             const Standards& standards = Bands()) {
  ReportLeaves leaves;
  for (const Request& r : requests) {
    leaves.disclosures.insert(leaves.disclosures.end(), r.leaves().begin(), r.leaves().end());
  }
  return CountReport(leaves, period, standards);
}

TEST(BandTest, BandsOfTheStandardsWidthEndOneBelowTheNext) {
  EXPECT_EQ(Band(0, 250), "0-249");
  EXPECT_EQ(Band(1, 250), "0-249");
  EXPECT_EQ(Band(249, 250), "0-249");
  EXPECT_EQ(Band(250, 250), "250-499");
  EXPECT_EQ(Band(499, 250), "250-499");
  EXPECT_EQ(Band(500, 250), "500-749");
  EXPECT_EQ(Band(1000, 500), "1000-1499");
  EXPECT_EQ(Band(7, 1), "7-7");
}

TEST(SuppressionTest, CountsBelowTheThresholdArePublishedAsLessThanIt) {
  EXPECT_EQ(PublishedCount(2, 3), "<3");
  EXPECT_EQ(PublishedCount(0, 3), "<3");
  EXPECT_EQ(PublishedCount(3, 3), "3");
  EXPECT_EQ(PublishedCount(0, 0), "0") << "the default suppresses nothing";
  EXPECT_FALSE(IsSuppressed(0, 0));
}

TEST(MonthsTest, ThePeriodsMonthsAreEveryMonthItTouches) {
  const auto months = [](const char* from, const char* to) {
    std::vector<std::string> out;
    for (const MonthCounts& m : Count({}, {D(from), D(to)}).by_month) out.push_back(m.month);
    return out;
  };
  EXPECT_THAT(months("2026-01-01", "2026-07-01"),
              ElementsAre("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"));
  EXPECT_THAT(months("2026-01-15", "2026-02-01"), ElementsAre("2026-01"));
  EXPECT_THAT(months("2025-12-31", "2026-01-02"), ElementsAre("2025-12", "2026-01"));
  EXPECT_THAT(months("2026-03-12", "2026-03-13"), ElementsAre("2026-03"));
  EXPECT_EQ(months("2025-01-01", "2027-01-01").size(), 24u);
}

TEST(CountReportTest, ARequestBelongsToThePeriodOfItsLatestReceiptDate) {
  const Report r = Count({
      Request("a", "2026-01-01").Received("produce"),                     // first day: in
      Request("b", "2026-06-30").Received("produce"),                     // last day: in
      Request("c", "2025-12-31").Received("produce"),                     // the day before: out
      Request("d", "2026-07-01").Received("produce"),                     // the end: out
      Request("e", "2025-12-20").Received("pushback").Decided("pushed_back")
          .Set([](DisclosureLeaf& l) { l.received = D("2026-01-05"); })
          .Received("produce"),                                            // amended into it
  });
  EXPECT_EQ(r.totals.requests, 3);
  EXPECT_EQ(r.by_month[0].requests, 2);  // a and e
  EXPECT_EQ(r.by_month[5].requests, 1);  // b
  EXPECT_EQ(r.totals.pushed_back, 1) << "e's latest outcome a person set is still pushed_back";
}

TEST(CountReportTest, ARequestCountsOnceByItsLatestLeaf) {
  const Report r = Count({
      Request("a").Received("pushback").Decided("pushed_back")
          .Set([](DisclosureLeaf& l) {
            l.country = "CA";
            l.targets = 3;
          })
          .Received("produce").Decided("approved"),
  });
  EXPECT_EQ(r.totals.requests, 1);
  EXPECT_EQ(r.totals.accounts_specified, 3);
  EXPECT_EQ(r.totals.pushed_back, 0) << "approved after the amendment";
  ASSERT_EQ(r.by_country.size(), 1u);
  EXPECT_EQ(r.by_country[0], (CountryCounts{"CA", 1, 3, 0}));
}

TEST(CountReportTest, OnlyAPersonsOutcomeIsAPushbackOrARejection) {
  const Report r = Count({
      Request("a").Received("pushback"),
      Request("b").Received("reject"),
      Request("c").Received("produce").Decided("pushed_back"),
      Request("d").Received("produce").Decided("rejected"),
      Request("e").Received("reject").Decided("rejected"),
      Request("f").Received("pushback").Decided("pushed_back").Decided("approved"),
  });
  EXPECT_EQ(r.totals.requests, 6);
  EXPECT_EQ(r.totals.pushed_back, 1);
  EXPECT_EQ(r.totals.rejected, 2);
}

TEST(CountReportTest, AWithdrawalCountsAsWithdrawnUnlessItsPushbackStood) {
  const Report r = Count({
      Request("a").Received("produce").Decided("withdrawn"),
      Request("b").Received("produce").Decided("approved").Decided("withdrawn"),
      Request("c").Received("pushback").Decided("pushed_back").Decided("withdrawn"),
      // Amended after the pushback, withdrawn before anyone decided again: still pushed back.
      Request("d").Received("pushback").Decided("pushed_back").Received("produce").Decided("withdrawn"),
      // Decided again after the amendment: the pushback no longer stands.
      Request("e").Received("pushback").Decided("pushed_back").Received("produce").Decided("approved")
          .Decided("withdrawn"),
      Request("f").Received("preserve").Decided("preserved").Decided("withdrawn"),
  });
  EXPECT_EQ(r.totals.requests, 6);
  EXPECT_EQ(r.totals.withdrawn, 4);  // a, b, e, f
  EXPECT_EQ(r.totals.pushed_back, 2);  // c, d
  EXPECT_EQ(r.totals.rejected, 0);
  EXPECT_EQ(r.totals.no_data, 0) << "b was approved, then withdrawn before any production";
}

TEST(CountReportTest, ProductionsDecideWithDataNoDataAndNarrowed) {
  const auto narrowed = [](DisclosureLeaf& l) { l.narrowed = true; };
  const auto wide = [](DisclosureLeaf& l) { l.narrowed = false; };
  const Report r = Count({
      Request("data").Received("produce").Decided("approved").Produced(2),
      Request("data-after-none").Received("produce").Decided("approved").Produced(0).Produced(1),
      Request("none").Received("produce").Decided("approved").Produced(0).Produced(0),
      Request("approved-unproduced").Received("produce").Decided("approved"),
      Request("narrowed").Set(narrowed).Received("produce_narrowed").Decided("approved").Produced(1),
      // Narrowed only in a production that held nothing: not produced narrowed.
      Request("narrowed-empty").Set(narrowed).Received("produce_narrowed").Decided("approved")
          .Produced(0).Set(wide).Produced(3),
      // No longer approved: nothing produced is not "no data".
      Request("none-then-rejected").Received("produce").Decided("approved").Produced(0)
          .Decided("rejected"),
  });
  EXPECT_EQ(r.totals.requests, 7);
  EXPECT_EQ(r.totals.with_data_produced, 4);
  EXPECT_EQ(r.totals.produced_narrowed, 1);
  EXPECT_EQ(r.totals.no_data, 1);
  EXPECT_EQ(r.totals.rejected, 1);
  EXPECT_EQ(r.totals.accounts_specified, 7);
}

// An aborted production's package never went out: the request counts as if it had not been.
TEST(CountReportTest, AnAbortedProductionCountsAsNone) {
  const Report r = Count({
      Request("aborted").Received("produce").Decided("approved").Produced(2).Aborted(),
      Request("aborted-then-made").Received("produce").Decided("approved").Produced(2, 'a').Aborted('a')
          .Produced(0, 'b'),
      Request("other-aborted").Received("produce").Decided("approved").Produced(1, 'a').Produced(0, 'b')
          .Aborted('b'),
  });
  EXPECT_EQ(r.totals.requests, 3);
  EXPECT_EQ(r.totals.with_data_produced, 1) << "only the production that was not aborted";
  EXPECT_EQ(r.totals.no_data, 1) << "produced again, with nothing";
}

TEST(CountReportTest, FlagsComeFromTheLatestLeafAndNoticesFromAnyNoticeLeaf) {
  const Report r = Count({
      Request("a").Set([](DisclosureLeaf& l) { l.nondisclosure = true; })
          .Received("produce").Decided("approved")
          .Set([](DisclosureLeaf& l) { l.nondisclosure = false; }).Notified(),
      Request("b").Set([](DisclosureLeaf& l) {
        l.emergency = true;
        l.nondisclosure = true;
      }).Received("verify_requester"),
      Request("c").Set([](DisclosureLeaf& l) { l.preservation = true; })
          .Received("preserve").Decided("preserved"),
  });
  EXPECT_EQ(r.totals.under_nondisclosure, 1) << "a's order had ended by its notice";
  EXPECT_EQ(r.totals.emergency, 1);
  EXPECT_EQ(r.totals.preservation, 1);
  EXPECT_EQ(r.totals.user_notified, 1);
}

TEST(CountReportTest, RowsAreSortedByKeyAndCountOnlyThePeriod) {
  const auto from = [](const char* country, const char* agency, const char* process) {
    return [=](DisclosureLeaf& l) {
      l.country = country;
      l.agency_type = agency;
      l.process_type = process;
    };
  };
  const Report r = Count({
      Request("a").Set(from("US", "local", "subpoena")).Received("produce").Decided("approved").Produced(1),
      Request("b").Set(from("GB", "foreign", "court_order")).Received("pushback"),
      Request("c").Set(from("US", "federal", "search_warrant")).Received("produce"),
      Request("d", "2025-01-01").Set(from("FR", "foreign", "letter")).Received("reject"),
  });
  ASSERT_EQ(r.by_country.size(), 2u);
  EXPECT_EQ(r.by_country[0], (CountryCounts{"GB", 1, 1, 0}));
  EXPECT_EQ(r.by_country[1], (CountryCounts{"US", 2, 2, 1}));
  EXPECT_THAT(r.by_process_type, ElementsAre(TypeCounts{"court_order", 1, 0}, TypeCounts{"search_warrant", 1, 0},
                                             TypeCounts{"subpoena", 1, 1}));
  EXPECT_THAT(r.by_agency_type, ElementsAre(TypeCounts{"federal", 1, 0}, TypeCounts{"foreign", 1, 0},
                                            TypeCounts{"local", 1, 1}));
}

TEST(CountReportTest, NationalSecurityLettersAreCountedOnlyInBandsFromTheAuditLog) {
  ReportLeaves leaves;
  // A letter in the disclosure log (it never is) would still not be counted there.
  Request nsl("n");
  nsl.Set([](DisclosureLeaf& l) { l.process_type = "national_security_letter"; }).Received("produce");
  leaves.disclosures = nsl.leaves();
  const int64_t in_period = ParseDateTime("2026-02-01T10:00:00Z")->micros;
  const auto entry = [&](std::string action, std::optional<std::string> type, int64_t targets,
                         int64_t at) {
    ledger::AuditLeaf leaf;
    leaf.at_micros = at;
    leaf.action = std::move(action);
    leaf.process_type = std::move(type);
    leaf.targets = targets;
    return leaf;
  };
  for (int i = 0; i < 249; ++i) {
    leaves.typed_audit.push_back(entry("submit", "national_security_letter", 1, in_period));
  }
  leaves.typed_audit.push_back(entry("submit", "subpoena", 400, in_period));
  leaves.typed_audit.push_back(entry("review", "national_security_letter", 400, in_period));
  leaves.typed_audit.push_back(
      entry("submit", "national_security_letter", 400, ParseDateTime("2025-12-31T23:59:59Z")->micros));
  leaves.typed_audit.push_back(
      entry("submit", "national_security_letter", 400, ParseDateTime("2026-07-01T00:00:00Z")->micros));

  Report r = CountReport(leaves, kFirstHalf, Bands());
  EXPECT_EQ(r.national_security, (NationalSecurityBands{"0-249", "0-249"}));
  EXPECT_EQ(r.totals, ReportTotals{});
  EXPECT_TRUE(r.by_process_type.empty());

  leaves.typed_audit.push_back(entry("submit", "national_security_letter", 1,
                                     ParseDateTime("2026-06-30T23:59:59Z")->micros));
  r = CountReport(leaves, kFirstHalf, Bands());
  EXPECT_EQ(r.national_security, (NationalSecurityBands{"250-499", "250-499"}));
  r = CountReport(leaves, kFirstHalf, Bands(100));
  EXPECT_EQ(r.national_security, (NationalSecurityBands{"200-299", "200-299"}));
}

}  // namespace
}  // namespace custodian::reports
