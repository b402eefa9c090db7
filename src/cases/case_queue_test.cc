// What the console's queue and case page stand on, against both stores: a case's assignee,
// staff's internal comments (sealed, audited), the queue's filters and its search by the keyed
// index (which never shows another target), the index built for cases written before it, and
// a hold extended on a renewed request within the standards' limits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/case_index.h"
#include "cases/migrations.h"
#include "cases/store/sealed_columns.h"
#include "instance/test_instance.h"

namespace custodian::cases {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const Actor kReader{"auditor-1"};

class CaseQueueTest : public WorkflowStoreTest {
 protected:
  void SetUp() override {
    WorkflowStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(instance_->AddStaff("intake-1", "intake").ok());
    ASSERT_TRUE(instance_->AddStaff("reviewer-1", "reviewer").ok());
    ASSERT_TRUE(instance_->AddStaff("approver-1", "approver").ok());
    ASSERT_TRUE(instance_->AddStaff("auditor-1", "auditor").ok());
    ASSERT_TRUE(instance_->AddStaff("gone-1", "reviewer", /*disabled=*/true).ok());
  }
  Workflow& workflow() { return *instance_->workflow; }
  std::string Submit(const std::string& document) {
    auto v = workflow().Submit({document, Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  std::vector<std::string> Ids(const CaseFilter& filter) {
    auto list = workflow().List(filter, kReader);
    EXPECT_TRUE(list.ok()) << list.status().message();
    std::vector<std::string> out;
    for (const CaseView& v : list.ok() ? *list : std::vector<CaseView>{}) out.push_back(v.record.id);
    return out;
  }
  std::vector<std::string> Search(const std::string& q) {
    CaseFilter filter;
    filter.query = q;
    return Ids(filter);
  }
  // Audit entries of `action` (any case or none), as "actor detail".
  std::vector<std::string> Audited(const std::string& action) {
    std::vector<std::string> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT a.seq, a.actor, d.detail FROM audit a JOIN audit_details d ON "
                          "d.seq = a.seq WHERE a.action = :a ORDER BY a.seq",
           soci::use(action));
      for (const soci::row& r : rows) {
        out.push_back(Text(r, 1) + " " +
                      Opened(sql, "audit_details.detail", std::to_string(Int(r, 0)), Text(r, 2)));
      }
      return Status::Ok();
    }).ok());
    return out;
  }
  // Every value of `column` in `table`, as stored.
  std::vector<std::string> Stored(const std::string& table, const std::string& column) {
    std::vector<std::string> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      soci::rowset<soci::row> rows = (sql.prepare << "SELECT " + column + " FROM " + table);
      for (const soci::row& r : rows) out.push_back(IsNull(r, 0) ? "" : Text(r, 0));
      return Status::Ok();
    }).ok());
    return out;
  }
};

TEST_P(CaseQueueTest, ACaseIsAssignedToAnEnabledStaffUserWhoWorksCasesAndTheListFiltersByIt) {
  const std::string id = Submit(Example("lcpd-subpoena"));
  const std::string other = Submit(Example("hsi-child-safety-court-order"));
  auto assigned = workflow().Assign(id, {"reviewer-1"}, "approver-1");
  ASSERT_TRUE(assigned.ok()) << assigned.status().message();
  EXPECT_EQ(assigned->record.assignee, "approver-1");
  EXPECT_EQ(workflow().Show(id, kReader)->record.assignee, "approver-1");

  for (const auto& [name, why] : std::vector<std::pair<std::string, std::string>>{
           {"nobody-1", "no staff user"}, {"gone-1", "disabled"}, {"auditor-1", "holds none of"}}) {
    auto refused = workflow().Assign(id, {"reviewer-1"}, name);
    ASSERT_EQ(refused.status().code(), Status::Code::kInvalidArgument) << name;
    EXPECT_THAT(refused.status().message(), ::testing::StartsWith("assignee: "));
    EXPECT_THAT(refused.status().message(), HasSubstr(why));
  }
  EXPECT_EQ(workflow().Show(id, kReader)->record.assignee, "approver-1") << "a refusal changes nothing";
  EXPECT_EQ(workflow().Assign("C-2026-999999", {"reviewer-1"}, "approver-1").status().code(),
            Status::Code::kNotFound);

  CaseFilter mine;
  mine.assignee = "approver-1";
  EXPECT_THAT(Ids(mine), ElementsAre(id));
  CaseFilter unassigned;
  unassigned.assignee = "";
  EXPECT_THAT(Ids(unassigned), ElementsAre(other));
  CaseFilter unknown;
  unknown.assignee = "nobody-1";
  auto refused = workflow().List(unknown, kReader);
  ASSERT_EQ(refused.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), ::testing::StartsWith("assignee: "));

  ASSERT_TRUE(workflow().Assign(id, {"intake-1"}, std::nullopt).ok());
  EXPECT_FALSE(workflow().Show(id, kReader)->record.assignee);
  EXPECT_THAT(Audited("assign"), ElementsAre("reviewer-1 {\"from\":null,\"to\":\"approver-1\"}",
                                             "intake-1 {\"from\":\"approver-1\",\"to\":null}"));
}

TEST_P(CaseQueueTest, CommentsAreSealedAtRestAuditedAndTheirReadIsARead) {
  const std::string id = Submit(Example("lcpd-subpoena"));
  const std::string text = "Called the detective: the subscriber is Jane Roe, 555-0199.";
  auto added = workflow().AddComment(id, {"reviewer-1"}, text);
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_EQ(added->seq, 1);
  EXPECT_EQ(added->author, "reviewer-1");
  clock_.Advance(kMicrosPerHour);
  ASSERT_TRUE(workflow().AddComment(id, {"approver-1"}, "Second look: fine.").ok());

  auto all = workflow().Comments(id, kReader);
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].text, text);
  EXPECT_EQ(FormatDateTime((*all)[0].at), "2026-03-12T16:00:00Z");
  EXPECT_EQ((*all)[1].seq, 2);
  EXPECT_EQ((*all)[1].author, "approver-1");

  for (const std::string& stored : Stored("comments", "text")) {
    EXPECT_TRUE(StoreKeys::IsSealed(stored)) << "a comment's text is sealed";
    EXPECT_THAT(stored, ::testing::Not(HasSubstr("Jane")));
  }
  EXPECT_THAT(Audited("add_comment"), ElementsAre("reviewer-1 {\"comment\":1}", "approver-1 {\"comment\":2}"))
      << "the text stays out of the audit detail";
  EXPECT_THAT(Audited("view_comments"), ElementsAre("auditor-1 {}"));
}

TEST_P(CaseQueueTest, ABadCommentIsRefusedNamingTheTextAndNothingIsStored) {
  const std::string id = Submit(Example("lcpd-subpoena"));
  for (const std::string& text : {std::string(), std::string(" \n\t "), std::string(4001, 'x'),
                                  std::string("\xff\xfe")}) {
    auto refused = workflow().AddComment(id, {"reviewer-1"}, text);
    ASSERT_EQ(refused.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(refused.status().message(), ::testing::StartsWith("text: "));
  }
  // 4,000 characters, some of them two bytes long, are one comment.
  std::string longest;
  for (int i = 0; i < 2000; ++i) longest += "é";
  longest += std::string(2000, 'x');
  EXPECT_TRUE(workflow().AddComment(id, {"reviewer-1"}, longest).ok());
  EXPECT_EQ(workflow().AddComment("C-2026-999999", {"reviewer-1"}, "hi").status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(Stored("comments", "author").size(), 1u);
  EXPECT_THAT(Audited("add_comment"), ElementsAre("reviewer-1 {\"comment\":1}"));
}

TEST_P(CaseQueueTest, TheQueueFiltersByProcessTypeEmergencyAndOverdue) {
  const std::string subpoena = Submit(Example("lcpd-subpoena"));  // due 2026-04-10
  const std::string emergency = Submit(Example("emergency-unverified"));  // due 16:04:05 today
  CaseFilter by_type;
  by_type.process_type = "emergency";
  EXPECT_THAT(Ids(by_type), ElementsAre(emergency));
  CaseFilter emergencies;
  emergencies.emergency = true;
  EXPECT_THAT(Ids(emergencies), ElementsAre(emergency));
  emergencies.emergency = false;
  EXPECT_THAT(Ids(emergencies), ElementsAre(subpoena));
  CaseFilter overdue;
  overdue.overdue = true;
  EXPECT_THAT(Ids(overdue), IsEmpty());
  clock_.Set(ParseDateTime("2026-03-12T17:00:00Z").value());
  EXPECT_THAT(Ids(overdue), ElementsAre(emergency));
  overdue.overdue = false;
  EXPECT_THAT(Ids(overdue), ElementsAre(subpoena));
  EXPECT_EQ(Audited("list_cases").back(), "auditor-1 {\"cases\":1,\"overdue\":false}");
  // The default order stands: overdue first, then due soon, then by deadline.
  EXPECT_THAT(Ids({}), ElementsAre(emergency, subpoena));
}

TEST_P(CaseQueueTest, ASearchFindsCasesByTheKeyedIndexAndIsAuditedByItsTagAlone) {
  const std::string lcpd = Submit(Example("lcpd-subpoena"));
  const std::string other_target =
      Submit(With(Example("lcpd-subpoena"), "/targets", nlohmann::json::parse(
                      R"([{"type": "email", "value": "Jane.Roe@Example.NET"}, {"type": "account_id", "value": "1000043"}])")));
  const std::string hsi = Submit(Example("hsi-child-safety-court-order"));

  EXPECT_THAT(Search("1000042"), UnorderedElementsAre(lcpd, hsi)) << "a target value";
  EXPECT_THAT(Search("jane.roe@example.net"), ElementsAre(other_target)) << "an e-mail as normalized";
  EXPECT_THAT(Search("  1000043 "), ElementsAre(other_target));
  EXPECT_THAT(Search("100004"), IsEmpty()) << "exact values only";
  EXPECT_THAT(Search("26-MC-0099"), ElementsAre(hsi)) << "the agency's reference";
  EXPECT_THAT(Search("26-mc-0099"), IsEmpty()) << "a reference exactly";
  EXPECT_THAT(Search("R.Alvarez@Las-Cruces.org"), UnorderedElementsAre(lcpd, other_target)) << "the requester's e-mail";
  EXPECT_THAT(Search("det. r. alvarez"), UnorderedElementsAre(lcpd, other_target)) << "the officer";
  EXPECT_THAT(Search("us-nm-lcpd"), UnorderedElementsAre(lcpd, other_target)) << "the agency id";
  EXPECT_THAT(Search(hsi), ElementsAre(hsi)) << "the case id";
  EXPECT_THAT(Search("nobody@example.org"), IsEmpty());

  // The store holds tags, never the values; the audit keeps the query's tag alone.
  for (const std::string& tag : Stored("case_index", "tag")) {
    EXPECT_THAT(tag, ::testing::MatchesRegex("[0-9a-f]{64}"));
  }
  const std::vector<std::string> searches = Audited("search_cases");
  ASSERT_EQ(searches.size(), 11u);
  EXPECT_THAT(searches[1], ::testing::Not(HasSubstr("jane")));
  std::string expected_tag;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    expected_tag = CaseTx(sql).Tag(kSearchTag, "jane.roe@example.net");
    return Status::Ok();
  }).ok());
  EXPECT_THAT(searches[1], HasSubstr("\"query_tag\":\"" + expected_tag + "\""));

  // The search combines with the filters: the answer is the usual case rows, nothing more.
  CaseFilter filter;
  filter.query = "1000042";
  filter.process_type = "court_order";
  EXPECT_THAT(Ids(filter), ElementsAre(hsi));
}

TEST_P(CaseQueueTest, AnAmendmentReindexesTheCase) {
  const std::string id = Submit(Example("vague-subpoena"));
  ASSERT_TRUE(workflow().ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kPushback, "too vague", "Name the account."}).ok());
  const std::string amended = With(Example("lcpd-subpoena"), "/targets",
                                   nlohmann::json::parse(R"([{"type": "username", "value": "amended_user"}])"));
  auto v = workflow().Amend(id, {amended, Entry::kStaff, {"intake-1"}});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_THAT(Search("amended_user"), ElementsAre(id));
  EXPECT_THAT(Search("1000042"), IsEmpty()) << "the amended request's targets replace the old ones";
}

TEST_P(CaseQueueTest, MigrationFourteenIndexesTheCasesAStoreAlreadyHolds) {
  const std::string lcpd = Submit(Example("lcpd-subpoena"));
  const std::string hsi = Submit(Example("hsi-child-safety-court-order"));
  // The store as a custodian before migration 14 left it: no index, no comments, no assignee,
  // nor what the later migrations add (a store's version is its latest migration's).
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    sql << "DROP TABLE case_index";
    sql << "DROP TABLE comments";
    sql << "ALTER TABLE cases DROP COLUMN assignee";
    sql << "DROP TABLE totp_enrolments";                         // 15
    sql << "ALTER TABLE cases DROP COLUMN pushback_letter";      // 16
    sql << "ALTER TABLE cases DROP COLUMN pushback_letter_at";
    sql << "ALTER TABLE cases DROP COLUMN withdrawal_reason";    // 17
    sql << "ALTER TABLE cases DROP COLUMN withdrawn_at";
    sql << "DROP TABLE requester_mails";
    sql << "DROP TABLE requesters";                              // 18
    sql << "DROP TABLE requester_confirmations";
    sql << "DROP TABLE requester_sessions";
    sql << "DROP TABLE requester_totp_enrolments";
    sql << "ALTER TABLE api_tokens DROP COLUMN account_id";
    sql << "ALTER TABLE cases DROP COLUMN submitted_by";         // 19
    sql << "DROP TABLE request_attestations";
    sql << "DROP TABLE case_shares";
    sql << "DROP TABLE sign_in_addresses";                       // 20
    sql << "DROP TABLE sign_in_attempts";
    sql << "DROP TABLE blobs";                                   // 21
    sql << "DROP TABLE blob_uploads";
    sql << "DROP TABLE blob_chunks";
    sql << "DROP TABLE vault_account_keys";                      // 22
    sql << "DELETE FROM counters WHERE name = 'vault_key_epoch'";
    sql << "DELETE FROM schema_migrations WHERE version >= 14";
    return Status::Ok();
  }).ok());
  instance_->workflow.reset();
  instance_->db = instance_->store().Open(Migrations());
  ASSERT_TRUE(instance_->db);
  EXPECT_EQ(instance_->db->schema_version(), Migrations().back().version);
  instance_->MakeWorkflow({});
  EXPECT_THAT(Search("26-MC-0099"), ElementsAre(hsi));
  EXPECT_THAT(Search("1000042"), UnorderedElementsAre(lcpd, hsi));
  EXPECT_FALSE(workflow().Show(lcpd, kReader)->record.assignee);
}

TEST_P(CaseQueueTest, AHoldIsExtendedOnceWithinTheStandardsLimitAndTheVaultsHoldMoves) {
  const std::string id = Submit(Example("preservation"));
  ASSERT_TRUE(workflow().ReviewCase(id, {"reviewer-1"}, {}).ok());
  const std::string hold = id + "-H1";
  const HoldRecord before = workflow().Holds(id, kReader)->front();
  EXPECT_EQ(before.id, hold);

  for (int64_t days : {0, -1, 91}) {
    auto refused = workflow().ExtendHold(hold, {"reviewer-1"}, days);
    ASSERT_EQ(refused.status().code(), Status::Code::kInvalidArgument) << days;
    EXPECT_EQ(refused.status().message(), "days: 1 to 90 (the standards' preservation extension)");
  }
  EXPECT_EQ(workflow().Holds(id, kReader)->front().expires_at, before.expires_at) << "nothing changed";

  auto extended = workflow().ExtendHold(hold, {"reviewer-1"}, 30);
  ASSERT_TRUE(extended.ok()) << extended.status().message();
  EXPECT_EQ(extended->expires_at.micros, before.expires_at.micros + 30 * kMicrosPerDay);
  EXPECT_EQ(extended->extensions, 1);
  bool in_vault = false;
  for (const vault::Hold& h : instance_->vault->Holds()) {
    if (h.id != hold) continue;
    in_vault = true;
    EXPECT_EQ(h.expires, extended->expires_at) << "the vault keeps the data as long";
  }
  EXPECT_TRUE(in_vault);
  EXPECT_THAT(Audited("extend_hold"),
              ElementsAre("reviewer-1 {\"hold\":\"" + hold + "\",\"days\":30,\"expires\":\"" +
                          FormatDateTime(extended->expires_at) + "\"}"));

  auto again = workflow().ExtendHold(hold, {"reviewer-1"}, 30);
  EXPECT_EQ(again.status().code(), Status::Code::kFailedPrecondition) << "once (max_extensions = 1)";
  EXPECT_THAT(again.status().message(), HasSubstr("the most the standards allow"));
  EXPECT_EQ(workflow().ExtendHold(id + "-H9", {"reviewer-1"}, 30).status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(workflow().ReleaseHold(hold, {"reviewer-1"}).ok());
  EXPECT_EQ(workflow().ExtendHold(hold, {"reviewer-1"}, 30).status().code(),
            Status::Code::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Stores, CaseQueueTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace custodian::cases
