// Who sees a request, on both stores: the account that sent it and the colleagues it shared
// it with (at most five, same agency), nobody else of its agency, no other agency; a token
// made before accounts sees only what no account sent. Each requester submission carries the
// attestation the standards ask for now, kept with the version it was made for.
#include <soci/soci.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/workflow.h"
#include "core/sha256.h"
#include "instance/test_instance.h"

namespace custodian::cases {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kAgency[] = "us-nm-lcpd";
const RequesterScope kSender{kAgency, "acct-sender"};
const RequesterScope kColleague{kAgency, "acct-colleague"};
const RequesterScope kOtherOfficer{kAgency, "acct-other"};
const RequesterScope kLegacyToken{kAgency};
const RequesterScope kOtherAgency{"us-fbi", "acct-fbi"};
// The account whose address a request entered by staff names (in another case).
const RequesterScope kNamed{kAgency, "acct-named", " R.Alvarez@Las-Cruces.org"};

class RequesterAccessTest : public WorkflowStoreTest {
 protected:
  Workflow& workflow() { return *instance_->workflow; }

  Submission FromPortal(const RequesterScope& who, const std::string& document = Example("lcpd-subpoena")) {
    return {document, Entry::kPortal, {who.account_id.value_or("lcpd-token")}, who.agency_id,
            "r.alvarez@las-cruces.org", who.account_id, DefaultAttestationSha256()};
  }
  std::string Sent(const RequesterScope& who) {
    auto v = workflow().Submit(FromPortal(who));
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  std::vector<std::string> Listed(const RequesterScope& who) {
    CaseFilter filter;
    filter.requester = who;
    auto list = workflow().List(filter, {"viewer"});
    EXPECT_TRUE(list.ok()) << list.status().message();
    std::vector<std::string> ids;
    for (const CaseView& v : list.value()) ids.push_back(v.record.id);
    return ids;
  }
  bool Shows(const std::string& id, const RequesterScope& who) {
    auto v = workflow().Show(id, {"viewer"}, who);
    EXPECT_TRUE(v.ok() || v.status().code() == Status::Code::kNotFound) << v.status().message();
    return v.ok();
  }
  std::vector<std::string> Actions(const std::string& id) {
    std::vector<std::string> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      for (const AuditEntry& e : CaseTx(sql).AuditOf(id)) out.push_back(e.action);
      return Status::Ok();
    }).ok());
    return out;
  }
};

TEST_P(RequesterAccessTest, ARequestIsSeenByItsSenderAndTheColleaguesItIsSharedWithAlone) {
  const std::string id = Sent(kSender);
  const std::string staff = workflow().Submit({Example("lcpd-subpoena"), Entry::kStaff, {"intake-1"}})->record.id;
  EXPECT_EQ(workflow().Show(id, {"reader"})->record.submitted_by, "acct-sender");

  EXPECT_THAT(Listed(kSender), ElementsAre(id));
  EXPECT_THAT(Listed(kColleague), IsEmpty()) << "an officer of the same agency sees nothing unshared";
  EXPECT_THAT(Listed(kOtherAgency), IsEmpty());
  EXPECT_THAT(Listed(kLegacyToken), ElementsAre(staff)) << "a token without an account: what no account sent";
  EXPECT_TRUE(Shows(id, kSender));
  EXPECT_FALSE(Shows(id, kColleague));
  EXPECT_FALSE(Shows(id, kLegacyToken));
  EXPECT_FALSE(Shows(staff, kSender));
  EXPECT_EQ(workflow().Productions(id, {"viewer"}, kColleague).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(workflow().Shares(id, {"viewer"}, kColleague).status().code(), Status::Code::kNotFound);

  auto shared = workflow().Share(id, {"acct-sender"}, kSender, "acct-colleague");
  ASSERT_TRUE(shared.ok()) << shared.status().message();
  ASSERT_EQ(shared->size(), 1u);
  EXPECT_EQ(shared->front().shared_by, "acct-sender");
  EXPECT_THAT(Listed(kColleague), ElementsAre(id));
  EXPECT_TRUE(Shows(id, kColleague));
  EXPECT_FALSE(Shows(id, kOtherOfficer));
  EXPECT_EQ(workflow().Shares(id, {"viewer"}, kColleague)->size(), 1u) << "a colleague sees who else it is shared with";
  EXPECT_TRUE(workflow().Productions(id, {"viewer"}, kColleague).ok());

  // A colleague may look, not act: the sender's steps are the sender's.
  EXPECT_EQ(workflow().Withdraw(id, {"acct-colleague"}, kColleague).status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(workflow().Share(id, {"acct-colleague"}, kColleague, "acct-other").status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(workflow().Unshare(id, {"acct-colleague"}, kColleague, "acct-colleague").status().code(),
            Status::Code::kPermissionDenied);
  auto pushed = workflow().ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kPushback, "departs: testing", "Say more."});
  ASSERT_TRUE(pushed.ok()) << pushed.status().message();
  EXPECT_EQ(workflow().Amend(id, FromPortal(kColleague)).status().code(), Status::Code::kPermissionDenied);
  EXPECT_TRUE(workflow().Amend(id, FromPortal(kSender)).ok());

  auto unshared = workflow().Unshare(id, {"acct-sender"}, kSender, "acct-colleague");
  ASSERT_TRUE(unshared.ok()) << unshared.status().message();
  EXPECT_THAT(*unshared, IsEmpty());
  EXPECT_FALSE(Shows(id, kColleague));
  EXPECT_EQ(workflow().Unshare(id, {"acct-sender"}, kSender, "acct-colleague").status().code(), Status::Code::kNotFound);

  const auto actions = Actions(id);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "share_case"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "unshare_case"), 1);
  EXPECT_GE(std::count(actions.begin(), actions.end(), "refused_access"), 3) << "each probe recorded";
}

TEST_P(RequesterAccessTest, AtMostFiveColleaguesNeverTheSenderAndSharingAgainChangesNothing) {
  const std::string id = Sent(kSender);
  EXPECT_THAT(workflow().Share(id, {"acct-sender"}, kSender, "acct-sender").status().message(), HasSubstr("/email"));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(workflow().Share(id, {"acct-sender"}, kSender, "acct-" + std::to_string(i)).ok());
  }
  EXPECT_EQ(workflow().Share(id, {"acct-sender"}, kSender, "acct-0")->size(), 5u) << "again: nothing changes";
  auto sixth = workflow().Share(id, {"acct-sender"}, kSender, "acct-5");
  EXPECT_EQ(sixth.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_THAT(sixth.status().message(), HasSubstr("/email: the request is shared with 5 colleagues already"));
  const auto actions = Actions(id);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "share_case"), 5);

  // Another agency, or a token without an account, cannot share what it does not see or send.
  EXPECT_EQ(workflow().Share(id, {"acct-fbi"}, kOtherAgency, "acct-fbi").status().code(), Status::Code::kNotFound);
  const std::string legacy = Sent(kLegacyToken);
  EXPECT_EQ(workflow().Share(legacy, {"lcpd-token"}, kLegacyToken, "acct-0").status().code(),
            Status::Code::kPermissionDenied);
}

TEST_P(RequesterAccessTest, EachSubmissionKeepsTheAttestationTheStandardsAskedForThen) {
  Submission missing = FromPortal(kSender);
  missing.attestation_sha256.reset();
  auto refused = workflow().Submit(missing);
  EXPECT_EQ(refused.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("/attestation_sha256: missing"));
  Submission stale = FromPortal(kSender);
  stale.attestation_sha256 = Sha256Hex("an attestation the standards no longer ask for");
  EXPECT_THAT(workflow().Submit(stale).status().message(), HasSubstr("/attestation_sha256: not the attestation"));
  EXPECT_THAT(workflow().List({}, {"reader"}).value(), IsEmpty()) << "a refused submission stores nothing";

  const std::string id = Sent(kSender);
  auto v = workflow().Show(id, {"reader"});
  ASSERT_TRUE(v->attestation);
  EXPECT_EQ(v->attestation->version, 1);
  EXPECT_EQ(v->attestation->text, kDefaultAttestation);
  EXPECT_EQ(v->attestation->sha256, DefaultAttestationSha256());
  EXPECT_EQ(v->attestation->email, "r.alvarez@las-cruces.org");
  EXPECT_EQ(v->attestation->account_id, "acct-sender");

  // An amendment is a submission: attested again, for its own version.
  auto pushed = workflow().ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kPushback, "departs: testing", "Say more."});
  ASSERT_TRUE(pushed.ok()) << pushed.status().message();
  Submission unattested = FromPortal(kSender);
  unattested.attestation_sha256.reset();
  EXPECT_EQ(workflow().Amend(id, unattested).status().code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(workflow().Amend(id, FromPortal(kSender)).ok());
  EXPECT_EQ(workflow().Show(id, {"reader"})->attestation->version, 2);

  // Staff enter a request on paper: no attestation is asked, none kept.
  const std::string staff = workflow().Submit({Example("lcpd-subpoena"), Entry::kStaff, {"intake-1"}})->record.id;
  EXPECT_FALSE(workflow().Show(staff, {"reader"})->attestation);
}

TEST_P(RequesterAccessTest, ARequestStaffEnteredIsSeenByTheAccountAtTheAddressItNames) {
  const std::string staff = workflow().Submit({Example("lcpd-subpoena"), Entry::kStaff, {"intake-1"}})->record.id;
  EXPECT_THAT(Listed(kNamed), ElementsAre(staff));
  EXPECT_TRUE(Shows(staff, kNamed));
  EXPECT_TRUE(workflow().Productions(staff, {"viewer"}, kNamed).ok());
  EXPECT_FALSE(Shows(staff, {kAgency, "acct-other", "someone.else@las-cruces.org"}));
  EXPECT_FALSE(Shows(staff, {"us-fbi", "acct-fbi", "r.alvarez@las-cruces.org"})) << "another agency's account";
  // It came by mail: staff act on it, the account reads it.
  EXPECT_EQ(workflow().Withdraw(staff, {"acct-named"}, kNamed).status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(workflow().Share(staff, {"acct-named"}, kNamed, "acct-other").status().code(), Status::Code::kPermissionDenied);
  // Amended by staff to name another requester, it leaves the account's view.
  ASSERT_TRUE(workflow().ReviewCase(staff, {"reviewer-1"}, {ReviewDecision::kPushback, "departs: testing", "Say more."}).ok());
  ASSERT_TRUE(workflow().Amend(staff, {With(Example("lcpd-subpoena"), "/requester/email", "j.doe@las-cruces.org"),
                                       Entry::kStaff, {"intake-1"}}).ok());
  EXPECT_FALSE(Shows(staff, kNamed));
}

INSTANTIATE_TEST_SUITE_P(Stores, RequesterAccessTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace custodian::cases
