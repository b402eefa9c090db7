// An instance's own standards: installed into the case store, deciding every new case and
// every re-decision, while stored decisions and the steps that follow them keep the standards
// they were taken under. Both stores.
#include "cases/instance_standards.h"
#include "cases/store/sealed_columns.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/case_store.h"
#include "cases/store/sql_rows.h"
#include "core/sha256.h"
#include "instance/test_instance.h"

namespace custodian::cases {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;


// The built-in file with `from` replaced by `to` (each must be there).
std::string Edited(std::vector<std::pair<std::string, std::string>> edits) {
  std::string text(DefaultStandardsText());
  for (const auto& [from, to] : edits) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  return text;
}

// Subpoenas reach subscriber records only, and the notice wait is 3 days.
std::string Stricter() {
  return Edited({{"name = \"us-default\"", "name = \"stricter\""},
                 {"label = \"a subpoena\"\ncategories = [\"basic_subscriber\", \"access_log\"]",
                  "label = \"a subpoena\"\ncategories = [\"basic_subscriber\"]"},
                 {"wait_days = 10", "wait_days = 3"}});
}

class InstanceStandardsTest : public WorkflowStoreTest {
 protected:
  Workflow& workflow() { return *instance_->workflow; }
  InstanceStandards& standards() { return *instance_->standards; }

  CaseView Submit() {
    auto v = workflow().Submit({Example("lcpd-subpoena"), Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? *v : CaseView{};
  }
  std::string Install(const std::string& text, const std::string& actor = "admin-1") {
    auto installed = workflow().InstallStandards(text, "stricter.toml", {actor});
    EXPECT_TRUE(installed.ok()) << installed.status().message();
    return installed.ok() ? installed->sha256 : "";
  }
  StandardsOverview Overview() { return standards().Overview(*instance_->db).value(); }
  // The details of every audit entry with this action, oldest first.
  std::vector<nlohmann::json> AuditDetails(const std::string& action) {
    std::vector<nlohmann::json> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT a.seq, d.detail FROM audit a JOIN audit_details d ON d.seq = a.seq "
                          "WHERE a.action = :a ORDER BY a.seq",
           soci::use(action));
      for (const soci::row& r : rows) {
        const std::string seq = std::to_string(Int(r, 0));
        out.push_back(nlohmann::json::parse(Opened(sql, "audit_details.detail", seq, Text(r, 1))));
      }
      return Status::Ok();
    }).ok());
    return out;
  }
  std::vector<std::string> Categories(const DecisionRecord& d) {
    return nlohmann::json::parse(d.document)["authorized"]["categories"];
  }

};

TEST_P(InstanceStandardsTest, TheBuiltInStandardsStandUntilAFileIsInstalled) {
  const StandardsOverview o = Overview();
  EXPECT_EQ(o.current->sha256, Sha256Hex(DefaultStandardsText()));
  EXPECT_EQ(o.document, DefaultStandardsText());
  EXPECT_TRUE(o.history.empty());
  EXPECT_EQ(Submit().decision.standards_sha256, Sha256Hex(DefaultStandardsText()));
}

TEST_P(InstanceStandardsTest, ABadFileIsRefusedWithItsLineAndNothingChanges) {
  const std::string bad = Edited({{"wait_days = 10", "wait_days = \"ten\""}});
  auto installed = workflow().InstallStandards(bad, "stricter.toml", {"admin-1"});
  ASSERT_FALSE(installed.ok());
  EXPECT_EQ(installed.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(installed.status().message(), StartsWith("stricter.toml:"));
  EXPECT_THAT(installed.status().message(), HasSubstr("wait_days"));
  EXPECT_TRUE(Overview().history.empty());
  EXPECT_TRUE(AuditDetails("install_standards").empty());
  EXPECT_EQ(Submit().decision.standards_sha256, Sha256Hex(DefaultStandardsText()));
}

TEST_P(InstanceStandardsTest, InstalledStandardsDecideNewCasesAndStoredDecisionsKeepTheirs) {
  const CaseView before = Submit();
  EXPECT_THAT(Categories(before.decision), ElementsAre("basic_subscriber", "access_log"));
  const std::string sha = Install(Stricter());
  EXPECT_EQ(sha, Sha256Hex(Stricter()));

  const StandardsOverview o = Overview();
  EXPECT_EQ(o.current->name, "stricter");
  EXPECT_EQ(o.document, Stricter());
  ASSERT_EQ(o.history.size(), 1u);
  EXPECT_EQ(o.history[0].installed_by, "admin-1");
  const auto audit = AuditDetails("install_standards");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["from"], Sha256Hex(DefaultStandardsText()));
  EXPECT_EQ(audit[0]["to"], sha);

  const CaseView after = Submit();
  EXPECT_EQ(after.decision.standards_sha256, sha);
  EXPECT_EQ(after.decision.action, "produce_narrowed");
  EXPECT_THAT(Categories(after.decision), ElementsAre("basic_subscriber"));
  EXPECT_EQ(nlohmann::json::parse(after.decision.document)["standards"]["sha256"], sha);

  // The first case's decision is as it was taken, and its steps keep to its standards: its
  // notice wait is the built-in 10 days, the second case's the installed 3.
  auto decisions = workflow().Decisions(before.record.id, {"auditor-1"});
  ASSERT_TRUE(decisions.ok());
  ASSERT_EQ(decisions->size(), 1u);
  EXPECT_EQ(decisions->front().document, before.decision.document);
  for (const auto& [id, days] : {std::pair(before.record.id, 10), std::pair(after.record.id, 3)}) {
    ASSERT_TRUE(workflow().ReviewCase(id, {"reviewer-1"}, {}).ok()) << id;
    auto approved = workflow().Approve(id, {"approver-1"});
    ASSERT_TRUE(approved.ok()) << approved.status().message();
    ASSERT_TRUE(approved->record.notice_wait_until) << id;
    EXPECT_EQ(approved->record.notice_wait_until->micros, clock_.Now().micros + days * kMicrosPerDay)
        << id;
  }
}

TEST_P(InstanceStandardsTest, DecideAgainTakesTheCurrentStandardsAndKeepsBothDecisions) {
  const CaseView v = Submit();
  ASSERT_TRUE(workflow().ReviewCase(v.record.id, {"reviewer-1"}, {}).ok());
  const std::string sha = Install(Stricter());

  auto again = workflow().DecideAgain(v.record.id, {"reviewer-2"});
  ASSERT_TRUE(again.ok()) << again.status().message();
  // Back to review as a new intake would go, the earlier review undone.
  EXPECT_EQ(again->record.state, CaseState::kInReview);
  EXPECT_FALSE(again->record.reviewer);
  EXPECT_EQ(again->decision.reason, "decided again");
  EXPECT_EQ(again->decision.standards_sha256, sha);
  EXPECT_THAT(Categories(again->decision), ElementsAre("basic_subscriber"));
  auto decisions = workflow().Decisions(v.record.id, {"auditor-1"});
  ASSERT_TRUE(decisions.ok());
  ASSERT_EQ(decisions->size(), 2u);
  EXPECT_EQ((*decisions)[0].standards_sha256, Sha256Hex(DefaultStandardsText()));
  EXPECT_EQ((*decisions)[1].standards_sha256, sha);
  const auto audit = AuditDetails("decide_again");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["from"], "reviewed");
  EXPECT_EQ(audit[0]["to"], "received");
  EXPECT_EQ(audit[0]["standards"]["from"], Sha256Hex(DefaultStandardsText()));
  EXPECT_EQ(audit[0]["standards"]["to"], sha);

  // An approved case is not decided again, and nothing changes.
  ASSERT_TRUE(workflow().ReviewCase(v.record.id, {"reviewer-2"}, {}).ok());
  ASSERT_TRUE(workflow().Approve(v.record.id, {"approver-1"}).ok());
  auto refused = workflow().DecideAgain(v.record.id, {"reviewer-2"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(workflow().Decisions(v.record.id, {"auditor-1"})->size(), 2u);
}

TEST_P(InstanceStandardsTest, ReinstallingAnEarlierFileMakesItCurrentAgain) {
  const std::string first = Install(Stricter());
  const std::string second = Install(Edited({{"wait_days = 10", "wait_days = 5"}}));
  EXPECT_EQ(Install(Stricter()), first);
  const StandardsOverview o = Overview();
  EXPECT_EQ(o.current->sha256, first);
  ASSERT_EQ(o.history.size(), 3u);
  EXPECT_EQ(o.history[1].sha256, second);
  // Every version stays readable by its hash, from a fresh cache too (another server).
  InstanceStandards fresh(*LoadDefaultStandards(), std::string(DefaultStandardsText()));
  EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) -> Status {
    auto found = fresh.Find(sql, second);
    if (!found.ok()) return found.status();
    EXPECT_EQ((*found)->notice_wait_days, 5);
    EXPECT_EQ(fresh.Find(sql, std::string(64, '0')).status().code(), Status::Code::kNotFound);
    return Status::Ok();
  }).ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, InstanceStandardsTest, ::testing::ValuesIn(TestBackends()),
                         BackendName);

}  // namespace
}  // namespace custodian::cases
