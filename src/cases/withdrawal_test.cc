// The requester's withdrawal, and the mail queued for the requester on every change, on both
// stores: a withdrawal ends an open case before production and no other, for its own agency
// only (a probe of another's is recorded), releases the holds placed for that request alone,
// records its sealed reason and a disclosure leaf; every change of a portal or API case
// queues one message to the requester, a staff-entered case none.
#include <soci/soci.h>

#include <set>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/ledgers/ledger_store.h"
#include "cases/ledgers/ledgers.h"
#include "cases/requester_mail.h"
#include "cases/workflow.h"
#include "core/sha256.h"
#include "instance/test_instance.h"
#include "ledger/disclosure_leaf.h"

namespace custodian::cases {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Actor kReader{"auditor-1"};
const Actor kRequester{"lcpd-portal"};
constexpr char kAgency[] = "us-nm-lcpd";
constexpr char kAddress[] = "r.alvarez@las-cruces.org";
// An agency whose example request is approved with no notice to wait for.
constexpr char kHsi[] = "us-dhs-hsi";

class WithdrawalTest : public WorkflowStoreTest {
 protected:
  Workflow& workflow() { return *instance_->workflow; }

  // A request sent by the agency's signed-in requester (the API's entry).
  std::string FromPortal(const std::string& document, const std::string& agency = kAgency,
                         const std::string& address = kAddress) {
    auto v = workflow().Submit({document, Entry::kApi, {"portal"}, agency, address, std::nullopt,
                                DefaultAttestationSha256()});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  std::string FromStaff(const std::string& document) {
    auto v = workflow().Submit({document, Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  // An approved court order of kHsi's, sent through the API, that production may start on.
  std::string Produceable(const std::string& reference) {
    const std::string id = FromPortal(With(Example("hsi-child-safety-court-order"), "/process/reference", reference),
                                      kHsi, "l.whitmore@hsi.dhs.gov");
    Review review;
    review.confirm_investigation = true;
    EXPECT_TRUE(workflow().ReviewCase(id, {"reviewer-1"}, review).ok());
    EXPECT_TRUE(workflow().Approve(id, {"approver-1"}).ok());
    return id;
  }
  CaseState StateOf(const std::string& id) { return workflow().Show(id, kReader)->record.state; }
  std::vector<AuditEntry> AuditOf(const std::string& id) {
    std::vector<AuditEntry> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      out = CaseTx(sql).AuditOf(id);
      return Status::Ok();
    }).ok());
    return out;
  }
  std::vector<ledger::DisclosureLeaf> DisclosureLeaves() {
    std::vector<ledger::DisclosureLeaf> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      for (uint64_t i = 0;; ++i) {
        auto bytes = LeafBytes(sql, kDisclosureLog, i);
        if (!bytes.ok()) break;
        out.push_back(ledger::ParseDisclosureLeaf(*bytes).value());
      }
      return Status::Ok();
    }).ok());
    return out;
  }
  std::vector<RequesterMailRecord> Mails(const std::string& id) {
    std::vector<RequesterMailRecord> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      out = RequesterMailTx(sql).OfCase(id);
      return Status::Ok();
    }).ok());
    return out;
  }
  // Marks every message of the case sent, as the outbox would.
  void MarkSent(const std::string& id) {
    ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      for (RequesterMailRecord m : RequesterMailTx(sql).OfCase(id)) {
        m.state = RequesterMailState::kSent;
        m.attempts = 1;
        m.sent_at = clock_.Now();
        if (Status s = RequesterMailTx(sql).Update(m); !s.ok()) return s;
      }
      return Status::Ok();
    }).ok());
  }
  std::string RawColumn(const std::string& sql_text, const std::string& key) {
    std::string raw;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      sql << sql_text, soci::use(key), soci::into(raw);
      return Status::Ok();
    }).ok());
    return raw;
  }
};

TEST_P(WithdrawalTest, TheRequesterWithdrawsAnOpenRequestWhichEndsAudited) {
  const std::string id = FromPortal(Example("lcpd-subpoena"));
  const std::string reason = "The suspect r.alvarez@las-cruces.org named was arrested; we no longer need it.";
  clock_.Advance(kMicrosPerHour);
  auto v = workflow().Withdraw(id, kRequester, RequesterScope{kAgency}, reason);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->record.state, CaseState::kWithdrawn);
  EXPECT_FALSE(IsOpen(v->record.state));
  EXPECT_EQ(v->record.withdrawn_at, clock_.Now());
  EXPECT_EQ(v->record.withdrawal_reason, reason);
  EXPECT_FALSE(v->overdue) << "an ended case owes nothing";

  // The reason is sealed at rest, and the audit names its SHA-256, never its text.
  const std::string raw = RawColumn("SELECT withdrawal_reason FROM cases WHERE id = :id", id);
  EXPECT_FALSE(raw.empty());
  EXPECT_EQ(raw.find("arrested"), std::string::npos);
  const std::vector<AuditEntry> entries = AuditOf(id);
  ASSERT_EQ(entries.back().action, "withdraw");
  EXPECT_EQ(entries.back().actor, "lcpd-portal");
  const auto detail = nlohmann::json::parse(entries.back().detail);
  EXPECT_EQ(detail["reason_sha256"], Sha256Hex(reason));
  EXPECT_EQ(detail["from"], "in_review");
  EXPECT_EQ(detail["to"], "withdrawn");
  EXPECT_EQ(entries.back().detail.find("arrested"), std::string::npos);

  // The disclosure log: a decision leaf, outcome withdrawn, for the same case pseudonym.
  const auto leaves = DisclosureLeaves();
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[1].kind, ledger::DisclosureKind::kDecision);
  EXPECT_EQ(leaves[1].outcome, ledger::kOutcomeWithdrawn);
  EXPECT_EQ(leaves[1].case_pseudonym, leaves[0].case_pseudonym);

  // Ended: nothing moves it again, not even closing; an open case with the same targets is
  // no longer its duplicate.
  auto again = workflow().Withdraw(id, kRequester, RequesterScope{kAgency});
  EXPECT_EQ(again.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("withdrawn cannot withdraw"));
  EXPECT_EQ(workflow().Close(id, {"reviewer-1"}, std::nullopt).status().code(), Status::Code::kFailedPrecondition);
  auto later = workflow().Submit({Example("lcpd-subpoena"), Entry::kApi, {"portal"}, kAgency, kAddress, std::nullopt,
                                  DefaultAttestationSha256()});
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->record.duplicate_of);
}

TEST_P(WithdrawalTest, WithoutAReasonNoneIsKeptAndABadOneChangesNothing) {
  const std::string id = FromPortal(Example("lcpd-subpoena"));
  for (const std::string& bad : {std::string(" \n\t"), std::string(kMaxLetterLength + 1, 'a'), std::string("\xff")}) {
    auto refused = workflow().Withdraw(id, kRequester, RequesterScope{kAgency}, bad);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(refused.status().message(), HasSubstr("reason: "));
  }
  EXPECT_EQ(StateOf(id), CaseState::kInReview);
  auto v = workflow().Withdraw(id, kRequester, RequesterScope{kAgency});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_FALSE(v->record.withdrawal_reason);
  EXPECT_FALSE(nlohmann::json::parse(AuditOf(id).back().detail).contains("reason_sha256"));
}

TEST_P(WithdrawalTest, AnotherAgencysOrAMissingCaseIsNotFoundAndTheProbeRecorded) {
  const std::string id = FromPortal(Example("lcpd-subpoena"));
  auto probe = workflow().Withdraw(id, {"fbi-portal"}, RequesterScope{"us-fbi"}, "mine now");
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(probe.status().message(), "no request " + id);
  auto missing = workflow().Withdraw("C-2026-999999", {"fbi-portal"}, RequesterScope{"us-fbi"});
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "no request C-2026-999999");
  EXPECT_EQ(StateOf(id), CaseState::kInReview);
  // As Show records a probe: a refused access on the case, naming what was asked.
  const std::vector<AuditEntry> entries = AuditOf(id);
  const auto refused = std::find_if(entries.begin(), entries.end(),
                                    [](const AuditEntry& e) { return e.action == "refused_access"; });
  ASSERT_NE(refused, entries.end());
  EXPECT_EQ(refused->actor, "fbi-portal");
  const auto detail = nlohmann::json::parse(refused->detail);
  EXPECT_EQ(detail["action"], "withdraw_case");
  EXPECT_EQ(detail["resource"], id);
  EXPECT_EQ(DisclosureLeaves().size(), 1u) << "nothing was withdrawn";
}

TEST_P(WithdrawalTest, OnlyBeforeProduction) {
  // Pushed back, reviewed, awaiting the user's notice (approved), approved: each withdrawn.
  const std::string pushed = FromPortal(Example("vague-subpoena"));
  ASSERT_TRUE(workflow().ReviewCase(pushed, {"reviewer-1"}, {ReviewDecision::kPushback, std::nullopt, "Name the account."}).ok());
  const std::string reviewed = FromPortal(With(Example("lcpd-subpoena"), "/process/reference", "R-1"));
  ASSERT_TRUE(workflow().ReviewCase(reviewed, {"reviewer-1"}, {}).ok());
  const std::string waiting = FromPortal(With(Example("lcpd-subpoena"), "/process/reference", "R-2"));
  ASSERT_TRUE(workflow().ReviewCase(waiting, {"reviewer-1"}, {}).ok());
  ASSERT_EQ(workflow().Approve(waiting, {"approver-1"})->record.state, CaseState::kAwaitingNotice);
  const std::string approved = Produceable("H-1");
  ASSERT_EQ(StateOf(approved), CaseState::kApproved);
  for (const auto& [id, agency] : {std::pair{pushed, kAgency}, std::pair{reviewed, kAgency},
                                   std::pair{waiting, kAgency}, std::pair{approved, kHsi}}) {
    SCOPED_TRACE(id);
    auto v = workflow().Withdraw(id, kRequester, RequesterScope{agency});
    ASSERT_TRUE(v.ok()) << v.status().message();
    EXPECT_EQ(v->record.state, CaseState::kWithdrawn);
  }
  // Being produced, produced, rejected: refused, and the case stays as it is.
  const std::string producing = Produceable("H-2");
  auto start = workflow().StartProduction(producing, {"producer-1"});
  ASSERT_TRUE(start.ok()) << start.status().message();
  const std::string rejected = FromPortal(With(Example("lcpd-subpoena"), "/process/reference", "R-4"));
  ASSERT_TRUE(workflow().ReviewCase(rejected, {"reviewer-1"}, {ReviewDecision::kReject, "not ours"}).ok());
  for (const auto& [id, agency, state] : {std::tuple{producing, kHsi, CaseState::kProducing},
                                          std::tuple{rejected, kAgency, CaseState::kRejected}}) {
    auto refused = workflow().Withdraw(id, kRequester, RequesterScope{agency});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
    EXPECT_THAT(refused.status().message(), HasSubstr("cannot withdraw"));
    EXPECT_EQ(StateOf(id), state);
  }
  ASSERT_TRUE(workflow().FinishProduction(*start, {"producer-1"}, {1, std::string(64, 'b')}).ok());
  EXPECT_EQ(workflow().Withdraw(producing, kRequester, RequesterScope{kHsi}).status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(StateOf(producing), CaseState::kProduced);
}

TEST_P(WithdrawalTest, APreservationWithdrawnReleasesItsOwnHoldsAndKeepsSharedOnes) {
  // A preservation of its own: its hold goes, in the store and in the vault; the case ends
  // withdrawn, not released.
  const std::string alone = FromPortal(Example("preservation"), "us-fbi", "mchen@fbi.gov");
  auto held = workflow().ReviewCase(alone, {"reviewer-1"}, {});
  ASSERT_TRUE(held.ok()) << held.status().message();
  ASSERT_EQ(held->record.state, CaseState::kHolding);
  const std::string hold = held->holds.at(0).id;
  ASSERT_EQ(instance_->vault->Holds().size(), 1u);
  auto v = workflow().Withdraw(alone, {"fbi-portal"}, RequesterScope{"us-fbi"});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->record.state, CaseState::kWithdrawn);
  ASSERT_EQ(v->holds.size(), 1u);
  EXPECT_EQ(v->holds[0].state, HoldState::kReleased);
  EXPECT_EQ(v->holds[0].ended_by, "fbi-portal");
  EXPECT_TRUE(instance_->vault->Holds().empty());
  std::vector<std::string> actions;
  for (const AuditEntry& e : AuditOf(alone)) actions.push_back(e.action);
  EXPECT_THAT(actions, ::testing::IsSupersetOf({"withdraw", "release_hold"}));
  EXPECT_THAT(actions, ::testing::Not(::testing::Contains("release_holds")));

  // A preservation another open request extends: its hold keeps that one's records too, and
  // stays when either is withdrawn.
  const std::string shared = FromPortal(With(Example("preservation"), "/process/reference", "P-2"), "us-fbi", "mchen@fbi.gov");
  ASSERT_TRUE(workflow().ReviewCase(shared, {"reviewer-1"}, {}).ok());
  const std::string extension = FromPortal(
      With(With(Example("preservation"), "/process/preserve_reference", shared), "/process/reference", "P-3"),
      "us-fbi", "mchen@fbi.gov");
  ASSERT_TRUE(workflow().ReviewCase(extension, {"reviewer-1"}, {}).ok());
  ASSERT_EQ(instance_->vault->Holds().size(), 1u);
  auto first = workflow().Withdraw(shared, {"fbi-portal"}, RequesterScope{"us-fbi"});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->holds.at(0).state, HoldState::kActive);
  EXPECT_EQ(instance_->vault->Holds().size(), 1u);
  auto second = workflow().Withdraw(extension, {"fbi-portal"}, RequesterScope{"us-fbi"});
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_TRUE(second->holds.empty()) << "it extended another's holds and placed none";
  EXPECT_EQ(instance_->vault->Holds().size(), 1u);
  EXPECT_EQ(workflow().Holds(shared, kReader)->at(0).state, HoldState::kActive);
}

TEST_P(WithdrawalTest, EveryChangeOfAPortalRequestQueuesOneMessageToItsRequester) {
  const std::string id = FromPortal(Example("vague-subpoena"));
  // Received and put in review in one transaction: one message, saying where it stands.
  auto mails = Mails(id);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].event, "in_review");
  EXPECT_EQ(mails[0].address, kAddress);
  EXPECT_EQ(mails[0].state, RequesterMailState::kPending);
  EXPECT_EQ(mails[0].next_attempt_at, clock_.Now());
  // The address is sealed at rest.
  const std::string raw = RawColumn("SELECT address FROM requester_mails WHERE id = :id", mails[0].id);
  EXPECT_EQ(raw.find("las-cruces"), std::string::npos);

  MarkSent(id);
  ASSERT_TRUE(workflow().ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kPushback, std::nullopt, "Name the account."}).ok());
  MarkSent(id);
  ASSERT_TRUE(workflow().Amend(id, {Example("lcpd-subpoena"), Entry::kApi, {"portal"}, kAgency, kAddress, std::nullopt,
                                    DefaultAttestationSha256()}).ok());
  MarkSent(id);
  ASSERT_TRUE(workflow().Withdraw(id, kRequester, RequesterScope{kAgency}).ok());
  std::vector<std::string> events;
  for (const RequesterMailRecord& m : Mails(id)) events.push_back(m.event);
  EXPECT_THAT(events, ElementsAre("in_review", "pushed_back", "in_review", "withdrawn"));

  // A change not yet attempted is replaced by the next: the requester hears the state it is
  // in, never one it already left.
  const std::string other = FromPortal(With(Example("lcpd-subpoena"), "/process/reference", "R-9"));
  ASSERT_TRUE(workflow().ReviewCase(other, {"reviewer-1"}, {}).ok());
  ASSERT_TRUE(workflow().Approve(other, {"approver-1"}).ok());
  mails = Mails(other);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].event, "awaiting_notice") << "approved, then waiting, in one transaction";

  // A case staff entered carries no requester's address: nothing is queued.
  const std::string staff = FromStaff(With(Example("lcpd-subpoena"), "/process/reference", "R-10"));
  ASSERT_TRUE(workflow().ReviewCase(staff, {"reviewer-1"}, {}).ok());
  EXPECT_TRUE(Mails(staff).empty());
}

TEST_P(WithdrawalTest, AReadyPackageIsToldToTheRequesterBesideTheStateChanges) {
  const std::string id = Produceable("H-3");
  MarkSent(id);
  auto start = workflow().StartProduction(id, {"producer-1"});
  ASSERT_TRUE(start.ok()) << start.status().message();
  MarkSent(id);
  ASSERT_TRUE(workflow().FinishProduction(*start, {"producer-1"}, {1, std::string(64, 'b')}).ok());
  ASSERT_TRUE(workflow().RecordPackage(start->production_id, {std::string(64, 'a'), 1234}, {"producer-1"}).ok());
  std::vector<std::string> events;
  for (const RequesterMailRecord& m : Mails(id)) events.push_back(m.event);
  EXPECT_THAT(events, ElementsAre("approved", "producing", "produced", "package_ready"));
  // A new grant from staff is told too; it does not replace what waits.
  ASSERT_TRUE(workflow().IssueDownload(id, start->production_id, {"reviewer-1"}).ok());
  EXPECT_EQ(Mails(id).size(), 5u);
}

TEST(RequesterMailTest, AMessageSaysTheCaseItsStateInWordsAndThePortalLinkOnly) {
  RequesterMailRecord m;
  m.id = "M-7";
  m.case_id = "C-2026-000001";
  m.address = kAddress;
  m.event = "pushed_back";
  const OutgoingMail mail = RequesterMailOf(m, "https://custodian.example.org/");
  EXPECT_THAT(mail.to, ElementsAre(kAddress));
  EXPECT_EQ(mail.subject, "[custodian] Request C-2026-000001: pushed back");
  EXPECT_THAT(mail.body, HasSubstr("Your request C-2026-000001 was pushed back"));
  EXPECT_THAT(mail.body, HasSubstr("https://custodian.example.org/portal/#/requests/C-2026-000001\r\n"));
  EXPECT_EQ(mail.message_id, "M-7.request");
  EXPECT_EQ(PortalLink("C-2026-000001", ""), "/portal/#/requests/C-2026-000001");
  // Every state and the package have words of their own; all ASCII.
  std::set<std::string> bodies;
  for (std::string_view event : kCaseStateNames) {
    m.event = std::string(event);
    bodies.insert(RequesterMailOf(m, "").body);
  }
  m.event = std::string(kPackageReady);
  const OutgoingMail package = RequesterMailOf(m, "");
  EXPECT_EQ(package.subject, "[custodian] Request C-2026-000001: a package is ready");
  bodies.insert(package.body);
  EXPECT_EQ(bodies.size(), kCaseStateNames.size() + 1);
  for (const std::string& body : bodies) {
    EXPECT_TRUE(std::all_of(body.begin(), body.end(), [](char c) { return c > 0; })) << body;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, WithdrawalTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace custodian::cases
