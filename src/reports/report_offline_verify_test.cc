// A report checked with no instance, over both stores: the leaves come as the API hands them
// out (pages of the disclosure log, LogPageToJson, one after another in one text) or inside a
// report that publishes them; the keys as GET /api/v1/keys gives them. An untouched report
// holds; a raised count, a dropped or altered leaf, another key, and pages that are not pages
// are each found, naming where.
#include "reports/report_offline_verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/ledgers/leaf_proof_json.h"
#include "cases/ledgers/ledger_store.h"
#include "reports/report_fixture.h"
#include "reports/report_json.h"

namespace custodian::reports {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;

class ReportOfflineVerifyTest : public ReportStoreTest {
 protected:
  void SetUp() override {
    ReportStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    History();
    standards_ = instance_->default_standards;
    standards_.report_suppress_below = 3;
    auto report = Make("2026-01-01", "2026-07-01", standards_);
    ASSERT_TRUE(report.ok()) << report.status().message();
    report_ = json::parse(ReportToJson(*report).dump());
    size_ = report->tree_head.size;
    const std::vector<cases::PublicSigningKey> keys = keys_->Keys(cases::kLedgerKey).value();
    for (const cases::PublicSigningKey& k : keys) keys_given_.push_back({k.key_id, k.public_key});
  }
  // Pages of `count` entries from `start` on, as the API writes them, one after another.
  std::string Pages(uint64_t count, uint64_t start = 0) {
    std::string text;
    for (uint64_t at = start; at < size_; at += count) {
      auto page = ledgers_->ProveEntries(cases::kDisclosureLog, at, count, "external_auditor:test");
      EXPECT_TRUE(page.ok()) << page.status().message();
      if (page.ok()) text += cases::LogPageToJson(*page).dump(2) + "\n";
    }
    return text;
  }
  OfflineReportCheck Check(const json& report, const std::string& pages) {
    auto parsed = ParseDisclosurePages(pages);
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    auto check = VerifyReportOffline(report, keys_given_, parsed.ok() ? std::optional(*parsed) : std::nullopt);
    EXPECT_TRUE(check.ok()) << check.status().message();
    return check.ok() ? *check : OfflineReportCheck{};
  }
  static std::vector<std::string> Paths(const OfflineReportCheck& check) {
    std::vector<std::string> paths;
    for (const ReportDifference& d : check.check.differences) paths.push_back(d.path);
    return paths;
  }

  Standards standards_;
  json report_;
  uint64_t size_ = 0;
  std::vector<ledger::TrustedKey> keys_given_;
};

TEST_P(ReportOfflineVerifyTest, HoldsWithTheLeavesFromTheApiInPagesOfAnySize) {
  ASSERT_GT(size_, 20u);
  for (uint64_t count : {uint64_t{500}, uint64_t{7}, uint64_t{1}}) {
    SCOPED_TRACE(count);
    const OfflineReportCheck check = Check(report_, Pages(count));
    EXPECT_TRUE(check.check.holds()) << ::testing::PrintToString(Paths(check));
    EXPECT_TRUE(check.recounted);
    EXPECT_EQ(check.leaves, size_);
  }
  // Pages read after the log grew (their heads are later) and overlapping ones do too.
  Submit(Example("lcpd-subpoena"));
  ASSERT_TRUE(ledgers_->SignHead(cases::kDisclosureLog, "test").ok());
  size_ += 1;
  const OfflineReportCheck later = Check(report_, Pages(10) + Pages(10, 5));
  EXPECT_TRUE(later.check.holds()) << ::testing::PrintToString(Paths(later));
}

TEST_P(ReportOfflineVerifyTest, ARaisedCountIsRefused) {
  json raised = report_;
  raised["totals"]["requests"] = raised["totals"]["requests"].get<int>() + 1;
  const OfflineReportCheck check = Check(raised, Pages(100));
  EXPECT_EQ(Paths(check), (std::vector<std::string>{"/totals/requests", "/signature/value"}));
  EXPECT_EQ(check.check.differences[0].reported, "18");
  EXPECT_EQ(check.check.differences[0].recomputed, "17");
  // A band cannot be recounted offline, but it is signed.
  json banded = report_;
  banded["national_security"]["letters"] = "250-499";
  EXPECT_EQ(Paths(Check(banded, Pages(100))), (std::vector<std::string>{"/signature/value"}));
}

TEST_P(ReportOfflineVerifyTest, ADroppedLeafIsFound) {
  json page = json::parse(Pages(500));
  page["entries"].erase(3);
  const OfflineReportCheck check = Check(report_, page.dump());
  EXPECT_FALSE(check.check.holds());
  EXPECT_FALSE(check.recounted);
  ASSERT_EQ(Paths(check), (std::vector<std::string>{"/tree_head/size"}));
  EXPECT_EQ(check.check.differences[0].recomputed,
            "the leaves given lack 1 of them (3): no count was recomputed");
}

TEST_P(ReportOfflineVerifyTest, AnAlteredLeafIsFound) {
  json page = json::parse(Pages(500));
  std::string leaf = page["entries"][0]["leaf"];
  ASSERT_THAT(leaf, HasSubstr("\"kind\":\"received\""));
  leaf.replace(leaf.find("\"kind\":\"received\""), 17, "\"kind\":\"decision\"");
  page["entries"][0]["leaf"] = leaf;
  const OfflineReportCheck check = Check(report_, page.dump());
  EXPECT_EQ(Paths(check), (std::vector<std::string>{"page 1 (line 1)/entries/0/proof", "/tree_head/size"}));
  EXPECT_EQ(check.check.differences[0].recomputed,
            "leaf 0 is not in the page's head of " + std::to_string(size_) +
                " leaves: its proof does not lead to the head's root");
}

TEST_P(ReportOfflineVerifyTest, KeysOfAnotherInstanceVerifyNothing) {
  TestInstance other(GetParam(), clock_);
  ASSERT_TRUE(other.Start().ok());
  ASSERT_TRUE(other.ledgers->SignHead(cases::kDisclosureLog, "test").ok());
  keys_given_.clear();
  const std::vector<cases::PublicSigningKey> theirs = other.signing_keys->Keys(cases::kLedgerKey).value();
  for (const cases::PublicSigningKey& k : theirs) keys_given_.push_back({k.key_id, k.public_key});
  const OfflineReportCheck check = Check(report_, Pages(500));
  EXPECT_THAT(Paths(check), ::testing::IsSupersetOf({"page 1 (line 1)/tree_head/key_id", "/tree_head/key_id",
                                                     "/audit_tree_head/key_id", "/signature/key_id"}));
  EXPECT_TRUE(check.recounted) << "the counts hold; whose they are does not";
}

TEST_P(ReportOfflineVerifyTest, AReportThatPublishesItsLeavesVerifiesFromItselfAlone) {
  standards_.report_publish_leaves = true;
  auto made = Make("2026-01-01", "2026-07-01", standards_);
  ASSERT_TRUE(made.ok()) << made.status().message();
  const json published = json::parse(ReportToJson(*made).dump());
  auto alone = VerifyReportOffline(published, keys_given_, std::nullopt);
  ASSERT_TRUE(alone.ok()) << alone.status().message();
  EXPECT_TRUE(alone->check.holds()) << ::testing::PrintToString(Paths(*alone));
  EXPECT_EQ(alone->leaves, made->tree_head.size);
  // And with the API's pages, which must be the leaves it carries.
  EXPECT_TRUE(Check(published, Pages(50)).check.holds());

  json changed = published;
  changed["by_country"][0]["requests"] = changed["by_country"][0]["requests"].get<int>() + 1;
  EXPECT_THAT(Paths(*VerifyReportOffline(changed, keys_given_, std::nullopt)),
              Contains("/by_country/0/requests"));
  json dropped = published;
  dropped["leaves"].erase(0);
  const auto short_of_one = VerifyReportOffline(dropped, keys_given_, std::nullopt);
  EXPECT_THAT(Paths(*short_of_one), Contains("/tree_head/size"));
  EXPECT_THAT(Paths(*short_of_one), Contains("/signature/value"));
  json altered = published;
  std::string leaf = altered["leaves"][0];
  leaf.replace(leaf.find("\"kind\":\"received\""), 17, "\"kind\":\"decision\"");
  altered["leaves"][0] = leaf;
  EXPECT_THAT(Paths(*VerifyReportOffline(altered, keys_given_, std::nullopt)),
              ::testing::IsSupersetOf({"/tree_head/root", "/signature/value"}));

  // A report that publishes none needs the pages.
  auto none = VerifyReportOffline(report_, keys_given_, std::nullopt);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "/leaves_published: false: the report carries no leaves; give the disclosure log's entries (--leaves)");
}

TEST(DisclosurePagesTest, RefusesWhatIsNotPagesNamingWhere) {
  const std::string head =
      R"({"log":"disclosures","size":1,"root":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",)"
      R"("timestamp":"2026-07-01T00:00:00Z","key_id":"0123456789abcdef","signature":")" +
      std::string(86, 'A') + "==\"}";
  const std::string good = R"({"tree_head":)" + head + R"(,"entries":[{"index":0,"leaf":"{}","proof":[]}]})";
  auto pages = ParseDisclosurePages(good + "\n\n  " + good + "\n");
  ASSERT_TRUE(pages.ok()) << pages.status().message();
  ASSERT_EQ(pages->size(), 2u);
  EXPECT_EQ(PageName((*pages)[1]), "page 2 (line 3)");
  EXPECT_EQ((*pages)[1].entries[0].leaf, "{}");

  const auto refused = [](const std::string& text) { return ParseDisclosurePages(text).status().message(); };
  // The audit log's entries, or the old form whose leaf was an object.
  std::string audit = good;
  audit.replace(audit.find("disclosures"), 11, "audit");
  EXPECT_EQ(refused(good + "\n" + audit), "page 2 (line 2): /tree_head/log: not the disclosure log");
  std::string object_leaf = good;
  object_leaf.replace(object_leaf.find(R"("leaf":"{}")"), 11, R"("leaf":{})");
  EXPECT_EQ(refused(object_leaf),
            "page 1 (line 1): /entries/0/leaf: not the leaf's bytes as a string but an object");
  EXPECT_EQ(refused(R"({"head":)" + head + R"(,"entries":[]})"),
            "page 1 (line 1): /head: not a field of a page of disclosure entries");
  std::string short_proof = good;
  short_proof.replace(short_proof.find(R"("proof":[])"), 10, R"("proof":["AAAA"])");
  EXPECT_EQ(refused(short_proof), "page 1 (line 1): /entries/0/proof/0: 3 bytes, not 32");
  EXPECT_EQ(refused(good + "\n[]"), "line 2: not a page (a JSON object)");
  EXPECT_EQ(refused("\n \n"), "line 1: no page (the file is empty)");
  EXPECT_THAT(refused(good + "\n{\"tree_head\": \n  nope}"),
              HasSubstr("page 2 (line 2): /tree_head: not valid JSON at 3:3"));
  std::string no_index = good;
  no_index.replace(no_index.find(R"("index":0,)"), 10, "");
  EXPECT_EQ(refused(no_index), "page 1 (line 1): /entries/0/index: required");
}

INSTANTIATE_TEST_SUITE_P(Stores, ReportOfflineVerifyTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::reports
