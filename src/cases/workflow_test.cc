// The case workflow end to end, against both stores (SQLite, and PostgreSQL when the suite runs
// through scripts/with-postgres.sh), with a real vault for preservation holds.
#include "cases/workflow.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/migrations.h"
#include "core/sha256.h"
#include "instance/test_instance.h"
#include "policy/standards.h"

namespace custodian::cases {
namespace {

using ::testing::HasSubstr;



const Actor kReader{"auditor-1"};

class WorkflowTest : public WorkflowStoreTest {
 protected:
  void MakeWorkflow(WorkflowOptions options) { instance_->MakeWorkflow(options); }

  CaseView Submit(const std::string& document, const std::string& actor = "intake-1") {
    auto v = instance_->workflow->Submit({document, Entry::kStaff, {actor}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? *v : CaseView{};
  }
  std::vector<AuditEntry> AuditOf(const std::string& id) {
    std::vector<AuditEntry> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      out = CaseTx(sql).AuditOf(id);
      return Status::Ok();
    }).ok());
    return out;
  }
  std::vector<std::string> Actions(const std::string& id) {
    std::vector<std::string> out;
    for (const AuditEntry& e : AuditOf(id)) out.push_back(e.actor + " " + e.action);
    return out;
  }

};

TEST_P(WorkflowTest, TheStoreIsMigratedOnceAndReopens) {
  const int latest = Migrations().back().version;
  EXPECT_EQ(instance_->db->schema_version(), latest);
  const std::string id = Submit(Example("lcpd-subpoena")).record.id;
  instance_->workflow.reset();
  instance_->db = instance_->store().Open(Migrations());  // a second open finds the schema in place and the data kept
  ASSERT_TRUE(instance_->db);
  EXPECT_EQ(instance_->db->schema_version(), latest);
  MakeWorkflow({});
  EXPECT_TRUE(instance_->workflow->Show(id, kReader).ok());
}

TEST_P(WorkflowTest, AStaffRequestIsDecidedAtIntakeAndGoesToReview) {
  const CaseView v = Submit(Example("lcpd-subpoena"));
  EXPECT_THAT(v.record.id, ::testing::MatchesRegex("C-2026-[0-9]{6}"));
  EXPECT_EQ(v.record.state, CaseState::kInReview);
  EXPECT_EQ(v.record.process_type, "subpoena");
  EXPECT_EQ(FormatDateTime(v.record.received_at), "2026-03-12T15:04:05Z");  // as typed
  EXPECT_EQ(FormatDateTime(*v.record.due_at), "2026-04-10T00:00:00Z");      // end of return_by
  EXPECT_EQ(v.decision.action, "produce");
  EXPECT_EQ(v.decision.reason, "intake");
  EXPECT_EQ(v.decision.standards_sha256, instance_->default_standards.sha256);
  ASSERT_TRUE(v.decision.registry_sha256);
  EXPECT_EQ(v.decision.registry_sha256->size(), 64u);
  EXPECT_EQ(nlohmann::json::parse(v.request.document)["id"], v.record.id);
  EXPECT_THAT(Actions(v.record.id), ::testing::ElementsAre("intake-1 submit", "intake-1 start_review"));
  // Reading a case is recorded as well as changing it.
  ASSERT_TRUE(instance_->workflow->Show(v.record.id, kReader).ok());
  ASSERT_TRUE(instance_->workflow->Decisions(v.record.id, kReader).ok());
  EXPECT_THAT(Actions(v.record.id), ::testing::ElementsAre("intake-1 submit", "intake-1 start_review",
                                                           "auditor-1 view_case",
                                                           "auditor-1 view_decisions"));
}

// Staff see who did or read what on a case, and when (the console's timeline); never a detail
// (sealed: it may name the account). Their own look is the last entry.
TEST_P(WorkflowTest, TheTimelineListsEveryEntryOfTheCaseWithoutItsDetail) {
  const std::string id = Submit(Example("lcpd-subpoena")).record.id;
  ASSERT_TRUE(instance_->workflow->ReviewCase(id, {"reviewer-1"}, {}).ok());
  auto timeline = instance_->workflow->Timeline(id, kReader);
  ASSERT_TRUE(timeline.ok()) << timeline.status().message();
  std::vector<std::string> steps;
  for (const AuditEntry& e : *timeline) {
    steps.push_back(e.actor + " " + e.action);
    EXPECT_EQ(e.detail, "") << e.action;
    EXPECT_EQ(e.case_id, id);
  }
  EXPECT_THAT(steps, ::testing::ElementsAre("intake-1 submit", "intake-1 start_review",
                                            "reviewer-1 recommend", "auditor-1 view_timeline"));
  EXPECT_NE(AuditOf(id)[0].detail, "") << "the details are kept, only not shown";
  EXPECT_EQ(instance_->workflow->Timeline("C-2026-999999", kReader).status().code(),
            Status::Code::kNotFound);
}

TEST_P(WorkflowTest, ReviewThenASecondPersonApproves) {
  const std::string id = Submit(Example("lcpd-subpoena")).record.id;
  // Approval before review is refused by the table, and changes nothing.
  auto early = instance_->workflow->Approve(id, {"approver-1"});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_THAT(early.status().message(), HasSubstr("cannot approve"));
  const size_t audited = AuditOf(id).size();

  auto reviewed = instance_->workflow->ReviewCase(id, {"reviewer-1"}, {});
  ASSERT_TRUE(reviewed.ok()) << reviewed.status().message();
  EXPECT_EQ(reviewed->record.state, CaseState::kReviewed);
  EXPECT_EQ(AuditOf(id).size(), audited + 1);

  for (const char* who : {"reviewer-1", "intake-1"}) {
    auto same = instance_->workflow->Approve(id, {who});
    ASSERT_FALSE(same.ok()) << who;
    EXPECT_EQ(same.status().code(), Status::Code::kPermissionDenied);
    EXPECT_THAT(same.status().message(), HasSubstr("two-person rule"));
  }
  EXPECT_EQ(instance_->workflow->Show(id, kReader)->record.state, CaseState::kReviewed);

  auto approved = instance_->workflow->Approve(id, {"approver-1"});
  ASSERT_TRUE(approved.ok()) << approved.status().message();
  // A subpoena: the user is told first, and production waits the standards' period.
  EXPECT_EQ(approved->record.state, CaseState::kAwaitingNotice);
  EXPECT_EQ(approved->record.approver, "approver-1");
  ASSERT_TRUE(approved->record.notice_wait_until);
  EXPECT_EQ(approved->record.notice_wait_until->micros,
            clock_.Now().micros + instance_->default_standards.notice_wait_days * kMicrosPerDay);
  // The user's notice is queued; production waits for its delivery and the period after it
  // (the outbox's tests, server/notice_test.cc, deliver it).
  ASSERT_EQ(approved->record.state, CaseState::kAwaitingNotice);
  auto notices = instance_->workflow->Notices(id, kReader);
  ASSERT_TRUE(notices.ok());
  ASSERT_EQ(notices->size(), 1u);
  EXPECT_EQ((*notices)[0].account, "1000042");
  clock_.Set(*approved->record.notice_wait_until);
  auto waiting = instance_->workflow->EndNoticeWait(id, {"system"});
  ASSERT_FALSE(waiting.ok());
  EXPECT_THAT(waiting.status().message(), HasSubstr("has not been delivered"));
}

TEST_P(WorkflowTest, DepartingFromTheRecommendationNeedsAReason) {
  const std::string produce = Submit(Example("lcpd-subpoena")).record.id;
  auto no_reason = instance_->workflow->ReviewCase(produce, {"reviewer-1"},
                                                   {ReviewDecision::kPushback, std::nullopt, "Give the return date."});
  ASSERT_FALSE(no_reason.ok());
  EXPECT_EQ(no_reason.status().message(),
            "note: a reason is required to depart from the recommendation (produce)");
  auto with_reason = instance_->workflow->ReviewCase(produce, {"reviewer-1"},
                                           {ReviewDecision::kPushback, "the return date is wrong", "Correct the return date."});
  ASSERT_TRUE(with_reason.ok()) << with_reason.status().message();
  EXPECT_EQ(with_reason->record.state, CaseState::kPushedBack);
  EXPECT_EQ(with_reason->record.review_note, "the return date is wrong");

  const std::string pushback = Submit(Example("vague-subpoena")).record.id;
  EXPECT_EQ(instance_->workflow->Show(pushback, kReader)->decision.action, "pushback");
  auto approve = instance_->workflow->ReviewCase(pushback, {"reviewer-1"}, {ReviewDecision::kApprove, "fine"});
  ASSERT_FALSE(approve.ok());
  EXPECT_THAT(approve.status().message(), HasSubstr("the standards authorize nothing"));
  auto reject = instance_->workflow->ReviewCase(pushback, {"reviewer-1"}, {ReviewDecision::kReject});
  ASSERT_FALSE(reject.ok());
  EXPECT_THAT(reject.status().message(), HasSubstr("a reason is required"));
  auto agree = instance_->workflow->ReviewCase(pushback, {"reviewer-1"},
                                              {ReviewDecision::kPushback, std::nullopt, "Name the account."});
  ASSERT_TRUE(agree.ok()) << agree.status().message();
}

TEST_P(WorkflowTest, APushbackWritesALetterToTheRequesterSealedAndAuditedByItsHash) {
  const std::string id = Submit(Example("vague-subpoena")).record.id;
  const std::string letter = "Name the account: ana.perez@example.net is not one of ours.";
  // Required with a pushback (not blank, at most kMaxLetterLength characters), refused with
  // approve and reject; nothing changes.
  for (const std::optional<std::string>& bad :
       {std::optional<std::string>(), std::optional<std::string>(" \n "),
        std::optional<std::string>(std::string(kMaxLetterLength + 1, 'a'))}) {
    auto refused = instance_->workflow->ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kPushback, "vague", bad});
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.status().message(), HasSubstr("letter: a pushback needs a letter"));
  }
  auto rejected = instance_->workflow->ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kReject, "no", letter});
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().message(), "letter: only a pushback writes to the requester");
  EXPECT_EQ(instance_->workflow->Show(id, kReader)->record.state, CaseState::kInReview);
  EXPECT_FALSE(instance_->workflow->Show(id, kReader)->record.pushback_letter);

  clock_.Advance(kMicrosPerHour);
  const Timestamp at = clock_.Now();
  auto pushed = instance_->workflow->ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kPushback, "internal: vague", letter});
  ASSERT_TRUE(pushed.ok()) << pushed.status().message();
  EXPECT_EQ(pushed->record.state, CaseState::kPushedBack);
  EXPECT_EQ(pushed->record.pushback_letter, letter);
  EXPECT_EQ(pushed->record.pushback_letter_at, at);
  EXPECT_EQ(pushed->record.review_note, "internal: vague");

  // Sealed at rest: the raw column holds neither the letter nor the address it names.
  std::string raw;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    sql << "SELECT pushback_letter FROM cases WHERE id = :id", soci::use(id), soci::into(raw);
    return Status::Ok();
  }).ok());
  EXPECT_FALSE(raw.empty());
  EXPECT_EQ(raw.find("ana.perez"), std::string::npos);
  EXPECT_EQ(raw.find("Name the account"), std::string::npos);

  // The review's audit entry says which letter went (its SHA-256), never what it says.
  const std::vector<AuditEntry> entries = AuditOf(id);
  const auto review = *std::find_if(entries.rbegin(), entries.rend(),
                                    [](const AuditEntry& e) { return e.action == "push_back"; });
  const auto detail = nlohmann::json::parse(review.detail);
  EXPECT_EQ(detail["letter_sha256"], Sha256Hex(letter));
  EXPECT_EQ(review.detail.find("ana.perez"), std::string::npos);

  // An amendment keeps the letter (what the new version answers); the next pushback replaces it.
  auto amended = instance_->workflow->Amend(id, {Example("lcpd-subpoena"), Entry::kStaff, {"intake-2"}});
  ASSERT_TRUE(amended.ok()) << amended.status().message();
  EXPECT_EQ(amended->record.pushback_letter, letter);
  EXPECT_FALSE(amended->record.review_note);
  auto again = instance_->workflow->ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kPushback, "wrong date", "Correct the return date."});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->record.pushback_letter, "Correct the return date.");
}

TEST_P(WorkflowTest, APushedBackRequestIsAmendedAsANewVersion) {
  const std::string id = Submit(Example("vague-subpoena")).record.id;
  ASSERT_TRUE(instance_->workflow->ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kPushback, std::nullopt, "Name the account."}).ok());
  auto amended = instance_->workflow->Amend(id, {Example("lcpd-subpoena"), Entry::kStaff, {"intake-2"}});
  ASSERT_TRUE(amended.ok()) << amended.status().message();
  EXPECT_EQ(amended->record.id, id);
  EXPECT_EQ(amended->record.version, 2);
  EXPECT_EQ(amended->record.state, CaseState::kInReview);
  EXPECT_FALSE(amended->record.reviewer);
  EXPECT_EQ(amended->request.version, 2);
  EXPECT_EQ(amended->decision.reason, "amended");
  EXPECT_EQ(amended->decision.action, "produce");
  // Only a pushed-back case is amended; an amendment keeps the process type.
  auto again = instance_->workflow->Amend(id, {Example("lcpd-subpoena"), Entry::kStaff, {"intake-2"}});
  EXPECT_EQ(again.status().code(), Status::Code::kFailedPrecondition);
  ASSERT_TRUE(instance_->workflow->ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kPushback, "again", "Again."}).ok());
  auto other = instance_->workflow->Amend(id, {Example("fbi-warrant-content"), Entry::kStaff, {"intake-2"}});
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.status().message(), HasSubstr("/process/type"));
}

TEST_P(WorkflowTest, AnEmergencyWaitsForACallbackToTheRegistrysNumber) {
  const CaseView v = Submit(Example("emergency-unverified"));
  EXPECT_EQ(v.record.state, CaseState::kVerifying);
  EXPECT_EQ(v.decision.action, "verify_requester");
  EXPECT_EQ(v.record.due_at->micros, v.record.received_at.micros + kMicrosPerHour);
  auto review = instance_->workflow->ReviewCase(v.record.id, {"reviewer-1"}, {});
  EXPECT_EQ(review.status().code(), Status::Code::kFailedPrecondition);
  // The request names no registry agency: staff say which one they called.
  auto unnamed = instance_->workflow->VerifyRequester(v.record.id, {"intake-1"}, {"+1-575-555-0100"});
  ASSERT_FALSE(unnamed.ok());
  EXPECT_THAT(unnamed.status().message(), HasSubstr("--agency"));
  // The number in the request is not the registry's.
  auto wrong = instance_->workflow->VerifyRequester(v.record.id, {"intake-1"}, {"+1-575-555-0999", {}, "us-nm-lcpd"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().message(), HasSubstr("not the registry's number"));
  EXPECT_FALSE(instance_->workflow->VerifyRequester(v.record.id, {"intake-1"}, {"+1-575-555-0100", {}, "nobody"}).ok());
  const std::string phone = "+1-575-555-0100";  // the registry's, for us-nm-lcpd
  auto verified = instance_->workflow->VerifyRequester(v.record.id, {"intake-1"},
                                             {phone, "spoke to the duty sergeant", "us-nm-lcpd"});
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->record.state, CaseState::kInReview);
  EXPECT_TRUE(verified->record.requester_verified);
  EXPECT_EQ(verified->decision.reason, "verification recorded");
  EXPECT_NE(verified->decision.action, "verify_requester");
  ASSERT_EQ(verified->verifications.size(), 1u);
  EXPECT_EQ(verified->verifications[0].actor, "intake-1");
  EXPECT_EQ(verified->verifications[0].phone, phone);
}

TEST_P(WorkflowTest, AStaffEnteredCallbackStandsOnlyWithTheRegistrysNumber) {
  // A verification that names no number is dropped, and the emergency waits for a callback
  // like any unverified one.
  const std::string claimed = With(Example("emergency-verified-narrowed"), "/verification/callback_phone", nullptr);
  const CaseView unnamed = Submit(claimed);
  EXPECT_EQ(unnamed.record.state, CaseState::kVerifying);
  EXPECT_EQ(unnamed.decision.action, "verify_requester");
  EXPECT_FALSE(nlohmann::json::parse(unnamed.request.document).contains("verification"));
  ASSERT_EQ(unnamed.verifications.size(), 1u);
  EXPECT_EQ(unnamed.verifications[0].method, "dropped");
  EXPECT_EQ(unnamed.verifications[0].actor, "intake-1");
  EXPECT_EQ(unnamed.verifications[0].note, "the verification names no callback_phone (the number called)");
  const AuditEntry submitted = AuditOf(unnamed.record.id).front();
  EXPECT_EQ(submitted.action, "submit");
  EXPECT_EQ(nlohmann::json::parse(submitted.detail)["verification_dropped"],
            "the verification names no callback_phone (the number called)");

  // A number that is not the registry's (the one the request gives, say) proves nothing.
  const CaseView wrong = Submit(With(claimed, "/verification/callback_phone", "+1-575-555-0999"));
  EXPECT_EQ(wrong.record.state, CaseState::kVerifying);
  ASSERT_EQ(wrong.verifications.size(), 1u);
  EXPECT_EQ(wrong.verifications[0].note,
            "the callback_phone is not the registry's number for Las Cruces Police Department");
  EXPECT_EQ(nlohmann::json::parse(AuditOf(wrong.record.id).front().detail)["verification_dropped"],
            "the callback_phone is not the registry's number for Las Cruces Police Department");
  const CaseView unknown = Submit(With(With(claimed, "/verification/callback_phone", "+1-575-555-0100"),
                                       "/requester/agency_id", "us-nowhere"));
  EXPECT_EQ(unknown.record.state, CaseState::kVerifying);
  EXPECT_EQ(unknown.verifications.at(0).note, "the requester's agency_id names no agency of the registry");

  // The registry's number, however it is punctuated: the callback stands.
  const CaseView called = Submit(With(claimed, "/verification/callback_phone", "1 (575) 555 0100 "));
  EXPECT_EQ(called.record.state, CaseState::kInReview);
  EXPECT_EQ(called.decision.action, "produce_narrowed");
  EXPECT_TRUE(called.verifications.empty());
  EXPECT_EQ(nlohmann::json::parse(called.request.document)["verification"]["callback_phone"], "1 (575) 555 0100 ");
  EXPECT_FALSE(nlohmann::json::parse(AuditOf(called.record.id).front().detail).contains("verification_dropped"));
}

TEST_P(WorkflowTest, AnInvestigationTypeThatRemovesNoticeMustBeConfirmed) {
  const std::string id = Submit(Example("hsi-child-safety-court-order")).record.id;
  auto unconfirmed = instance_->workflow->ReviewCase(id, {"reviewer-1"}, {});
  ASSERT_FALSE(unconfirmed.ok());
  EXPECT_THAT(unconfirmed.status().message(), HasSubstr("must confirm"));
  Review review;
  review.confirm_investigation = true;
  auto confirmed = instance_->workflow->ReviewCase(id, {"reviewer-1"}, review);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().message();
  EXPECT_TRUE(confirmed->record.investigation_confirmed);
}

TEST_P(WorkflowTest, AReviewerNarrowsButNeverWidens) {
  const std::string id = Submit(Example("lcpd-subpoena")).record.id;
  for (const char* wider : {
           R"({"categories": ["location"]})",
           R"({"targets": [{"type": "account_id", "value": "1000043"}]})",
           R"({"window": {"start": "2025-12-31T00:00:00Z", "end": "2026-02-01T00:00:00Z"}})",
           R"({"accounts": []})",
       }) {
    Review review;
    review.narrowed_scope = wider;
    auto r = instance_->workflow->ReviewCase(id, {"reviewer-1"}, review);
    ASSERT_FALSE(r.ok()) << wider;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << wider;
  }
  EXPECT_EQ(instance_->workflow->Show(id, kReader)->record.state, CaseState::kInReview);
  Review review;
  review.narrowed_scope = R"({"categories": ["access_log"], "window": {"start": "2026-02-01T00:00:00Z", "end": "2026-03-01T00:00:00Z"}})";
  auto narrowed = instance_->workflow->ReviewCase(id, {"reviewer-1"}, review);
  ASSERT_TRUE(narrowed.ok()) << narrowed.status().message();
  EXPECT_EQ(*narrowed->record.review_scope,
            R"({"categories":["access_log"],"window":{"start":"2026-02-01T00:00:00Z","end":"2026-03-01T00:00:00Z"}})");
}

TEST_P(WorkflowTest, AReviewerNarrowsInstantsByDroppingThemNeverAddingOrWidening) {
  std::string doc = With(Example("lcpd-subpoena"), "/window", nullptr);
  doc = With(doc, "/times", {"2026-02-02T10:00:00Z", "2026-02-05T08:00:00Z"});
  const std::string id = Submit(doc).record.id;
  for (const char* wider : {
           R"({"times": ["2026-02-03T10:00:00Z"]})",
           R"({"times": []})",
           R"({"window": {"start": "2026-02-02T09:50:00Z", "end": "2026-02-02T10:10:00Z"}})",
       }) {
    Review review;
    review.narrowed_scope = wider;
    auto r = instance_->workflow->ReviewCase(id, {"reviewer-1"}, review);
    ASSERT_FALSE(r.ok()) << wider;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << wider;
  }
  Review review;
  review.narrowed_scope = R"({"times": ["2026-02-05T08:00:00Z"]})";
  auto narrowed = instance_->workflow->ReviewCase(id, {"reviewer-1"}, review);
  ASSERT_TRUE(narrowed.ok()) << narrowed.status().message();
  EXPECT_EQ(*narrowed->record.review_scope,
            R"({"times":["2026-02-05T08:00:00Z"],"minutes":15,)"
            R"("intervals":[{"start":"2026-02-05T07:45:00Z","end":"2026-02-05T08:15:00Z"}]})");
  // The user's notice names the intervals.
  auto approved = instance_->workflow->Approve(id, {"approver-1"});
  ASSERT_TRUE(approved.ok()) << approved.status().message();
  auto notices = instance_->workflow->Notices(id, kReader);
  ASSERT_TRUE(notices.ok());
  ASSERT_EQ(notices->size(), 1u);
  const auto payload = nlohmann::json::parse(notices->front().payload);
  EXPECT_TRUE(payload["window"].is_null());
  EXPECT_EQ(payload["intervals"], nlohmann::json::parse(R"([{"start":"2026-02-05T07:45:00Z","end":"2026-02-05T08:15:00Z"}])"));
}

TEST_P(WorkflowTest, ADuplicateOfAnOpenRequestIsFlagged) {
  const std::string first = Submit(Example("lcpd-subpoena")).record.id;
  const CaseView second = Submit(Example("lcpd-subpoena"));
  EXPECT_EQ(second.record.duplicate_of, first);
  EXPECT_THAT(second.duplicates, ::testing::ElementsAre(first));
  const CaseView other = Submit(With(Example("lcpd-subpoena"), "/targets/0/value", "1000043"));
  EXPECT_FALSE(other.record.duplicate_of);
}

TEST_P(WorkflowTest, ThePortalSetsWhatTheRequesterMayNotClaim) {
  std::string doc = With(Example("lcpd-subpoena"), "/received_at", "2020-01-01T00:00:00Z");
  doc = With(doc, "/verification", {{"callback_verified_at", "2026-03-12T15:00:00Z"}, {"callback_by", "me"}});
  doc = With(doc, "/requester/agency_id", "us-fbi");
  auto v = instance_->workflow->Submit({doc, Entry::kPortal, {"lcpd-portal"}, "us-nm-lcpd", "r.alvarez@las-cruces.org",
                                        std::nullopt, DefaultAttestationSha256()});
  ASSERT_TRUE(v.ok()) << v.status().message();
  const auto stored = nlohmann::json::parse(v->request.document);
  EXPECT_EQ(stored["received_at"], FormatDateTime(clock_.Now()));
  EXPECT_FALSE(stored.contains("verification"));
  EXPECT_EQ(stored["requester"]["agency_id"], "us-nm-lcpd");
  EXPECT_EQ(stored["channel"], "portal");
  EXPECT_EQ(v->record.agency_id, "us-nm-lcpd");
  EXPECT_EQ(v->record.entry, Entry::kPortal);
  auto unknown = instance_->workflow->Submit({Example("lcpd-subpoena"), Entry::kPortal, {"x"}, "nobody", "a@b.org",
                                              std::nullopt, DefaultAttestationSha256()});
  EXPECT_EQ(unknown.status().code(), Status::Code::kPermissionDenied);
}

TEST_P(WorkflowTest, ABadDocumentIsRefusedWithEveryProblemAndStoresNothing) {
  auto bad = instance_->workflow->Submit({R"({"received_at": "yesterday", "targets": 3})", Entry::kStaff, {"intake-1"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("/received_at"));
  EXPECT_THAT(bad.status().message(), HasSubstr("/targets"));
  EXPECT_TRUE(instance_->workflow->List({}, kReader)->empty());
  auto not_json = instance_->workflow->Submit({"{", Entry::kPortal, {"p"}, "us-nm-lcpd", "a@las-cruces.org"});
  EXPECT_EQ(not_json.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(instance_->workflow->List({}, kReader)->empty());
}

TEST_P(WorkflowTest, APreservationPlacesHoldsExtendsThemOnceAndReleases) {
  auto unknown = instance_->workflow->Submit({With(Example("preservation"), "/process/preserve_reference", "C-2026-999999"),
                                    Entry::kStaff, {"intake-1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("/process/preserve_reference"));

  const std::string id = Submit(Example("preservation")).record.id;
  auto held = instance_->workflow->ReviewCase(id, {"reviewer-1"}, {});
  ASSERT_TRUE(held.ok()) << held.status().message();
  EXPECT_EQ(held->record.state, CaseState::kHolding);
  ASSERT_EQ(held->holds.size(), 1u);
  const HoldRecord hold = held->holds[0];
  EXPECT_EQ(hold.account, 1000042u);
  EXPECT_EQ(hold.expires_at.micros, clock_.Now().micros + instance_->default_standards.preservation_period_days * kMicrosPerDay);
  ASSERT_EQ(instance_->vault->Holds().size(), 1u);
  EXPECT_EQ(instance_->vault->Holds()[0].id, hold.id);

  const std::string extension = With(Example("preservation"), "/process/preserve_reference", id);
  const std::string first = Submit(With(extension, "/process/reference", "EXT-1")).record.id;
  ASSERT_TRUE(instance_->workflow->ReviewCase(first, {"reviewer-1"}, {}).ok());
  const HoldRecord extended = instance_->workflow->Holds(id, kReader)->at(0);
  EXPECT_EQ(extended.extensions, 1);
  EXPECT_EQ(extended.expires_at.micros,
            hold.expires_at.micros + instance_->default_standards.preservation_extension_days * kMicrosPerDay);
  EXPECT_EQ(instance_->vault->Holds()[0].expires.micros, extended.expires_at.micros);
  const std::string second = Submit(With(extension, "/process/reference", "EXT-2")).record.id;
  auto refused = instance_->workflow->ReviewCase(second, {"reviewer-1"}, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("already extended"));

  ASSERT_TRUE(instance_->workflow->ReleaseHold(hold.id, {"reviewer-2"}).ok());
  EXPECT_TRUE(instance_->vault->Holds().empty());
  EXPECT_EQ(instance_->workflow->Show(id, kReader)->record.state, CaseState::kReleased);
  EXPECT_EQ(instance_->workflow->ReleaseHold(hold.id, {"reviewer-2"}).code(), Status::Code::kFailedPrecondition);
  ASSERT_TRUE(instance_->workflow->Close(id, {"reviewer-2"}, std::nullopt).ok());
}

TEST_P(WorkflowTest, HoldsThatRunOutAreRecordedAsExpiredAndTheCaseWithThem) {
  const std::string id = Submit(Example("preservation")).record.id;
  auto held = instance_->workflow->ReviewCase(id, {"reviewer-1"}, {});
  ASSERT_TRUE(held.ok()) << held.status().message();
  const HoldRecord hold = held->holds.at(0);
  // One microsecond before the end nothing lapses; at the end the hold does.
  clock_.Set(Timestamp{hold.expires_at.micros - 1});
  EXPECT_EQ(instance_->workflow->ExpireHolds({"custodian"}).value(), 0);
  EXPECT_EQ(instance_->workflow->Show(id, kReader)->record.state, CaseState::kHolding);
  clock_.Set(hold.expires_at);
  EXPECT_EQ(instance_->workflow->ExpireHolds({"custodian"}).value(), 1);
  const HoldRecord ended = instance_->workflow->Holds(id, kReader)->at(0);
  EXPECT_EQ(ended.state, HoldState::kExpired);
  EXPECT_EQ(ended.ended_by, "custodian");
  EXPECT_EQ(instance_->workflow->Show(id, kReader)->record.state, CaseState::kExpired);
  EXPECT_THAT(Actions(id), ::testing::IsSupersetOf({"custodian expire_hold", "custodian holds_expired"}));
  // Once is enough; an expired hold cannot be released, and the case can be closed.
  EXPECT_EQ(instance_->workflow->ExpireHolds({"custodian"}).value(), 0);
  EXPECT_EQ(instance_->workflow->ReleaseHold(hold.id, {"reviewer-2"}).code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(instance_->workflow->Close(id, {"reviewer-2"}, std::nullopt).ok());
}

TEST_P(WorkflowTest, AnInstanceCanKeepDecisionsOutOfTheCli) {
  MakeWorkflow({.cli_decisions = false});
  const std::string id = Submit(Example("lcpd-subpoena")).record.id;
  auto r = instance_->workflow->ReviewCase(id, {"reviewer-1", /*via_cli=*/true}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kPermissionDenied);
  EXPECT_TRUE(instance_->workflow->ReviewCase(id, {"reviewer-1"}, {}).ok());
  EXPECT_EQ(instance_->workflow->Approve(id, {"approver-1", true}).status().code(), Status::Code::kPermissionDenied);
}

TEST_P(WorkflowTest, OverdueAndDueSoonCasesAreListedFirst) {
  const std::string later = Submit(With(Example("lcpd-subpoena"), "/process/return_by", "2026-06-01")).record.id;
  const std::string soon = Submit(With(Example("lcpd-subpoena"), "/process/return_by", "2026-03-12")).record.id;
  const std::string overdue = Submit(With(Example("lcpd-subpoena"), "/process/return_by", "2026-03-10")).record.id;
  const std::string none = Submit(With(Example("lcpd-subpoena"), "/process/return_by", nullptr)).record.id;
  auto list = instance_->workflow->List({}, kReader);
  ASSERT_TRUE(list.ok());
  std::vector<std::string> order;
  for (const CaseView& v : *list) order.push_back(v.record.id);
  EXPECT_THAT(order, ::testing::ElementsAre(overdue, soon, later, none));
  EXPECT_TRUE((*list)[0].overdue);
  EXPECT_TRUE((*list)[1].due_soon);
  CaseFilter in_review;
  in_review.state = CaseState::kInReview;
  EXPECT_EQ(instance_->workflow->List(in_review, kReader)->size(), 4u);
  CaseFilter agency;
  agency.agency_id = "us-fbi";
  EXPECT_TRUE(instance_->workflow->List(agency, kReader)->empty());
}

TEST_P(WorkflowTest, ClosingIsForFinishedCasesOnly) {
  const std::string id = Submit(Example("lcpd-subpoena")).record.id;
  auto early = instance_->workflow->Close(id, {"reviewer-1"}, std::nullopt);
  EXPECT_EQ(early.status().code(), Status::Code::kFailedPrecondition);
  ASSERT_TRUE(instance_->workflow->ReviewCase(id, {"reviewer-1"}, {ReviewDecision::kReject, "not ours"}).ok());
  auto closed = instance_->workflow->Close(id, {"reviewer-1"}, "sent the letter");
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->record.state, CaseState::kClosed);
  EXPECT_EQ(AuditOf(id).back().action, "close");
  EXPECT_THAT(AuditOf(id).back().detail, HasSubstr(R"("from":"rejected","to":"closed")"));
}

TEST_P(WorkflowTest, TheSignedProcessDocumentIsStoredSealedAndReadBackAudited) {
  const std::string id = Submit(Example("lcpd-subpoena")).record.id;
  Workflow& w = *instance_->workflow;
  auto not_pdf = w.Attach(id, {"intake-1"}, "process.pdf", "<html>Ana Q. Example</html>");
  ASSERT_FALSE(not_pdf.ok());
  EXPECT_THAT(not_pdf.status().message(), HasSubstr("not a PDF"));
  EXPECT_FALSE(w.Attach(id, {"intake-1"}, "../x.pdf", "%PDF-1.4").ok());
  const std::string pdf = "%PDF-1.4\nSubpoena for the records of Ana Q. Example\n%%EOF\n";
  auto attached = w.Attach(id, {"intake-1"}, "subpoena.pdf", pdf);
  ASSERT_TRUE(attached.ok()) << attached.status().message();
  ASSERT_EQ(attached->attachments.size(), 1u);
  const std::string sha = attached->attachments[0].sha256;
  EXPECT_EQ(sha, Sha256Hex(pdf));
  EXPECT_EQ(attached->attachments[0].bytes, static_cast<long long>(pdf.size()));
  // Sealed at rest: the name in it is nowhere on disk.
  for (const auto& e : std::filesystem::directory_iterator(instance_->attachments_dir())) {
    EXPECT_EQ(ReadFile(e.path()).find("Ana Q. Example"), std::string::npos) << e.path();
  }
  auto read = w.ReadAttachment(id, sha, kReader);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, pdf);
  EXPECT_EQ(w.ReadAttachment(id, std::string(64, '0'), kReader).status().code(), Status::Code::kNotFound);
  const auto actions = Actions(id);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "intake-1 attach"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "auditor-1 read_attachment"), actions.end());
  // A flipped byte is detected, never served.
  for (const auto& e : std::filesystem::directory_iterator(instance_->attachments_dir())) {
    std::string bytes = ReadFile(e.path());
    bytes[bytes.size() / 2] ^= 1;
    std::ofstream(e.path(), std::ios::binary) << bytes;
  }
  EXPECT_EQ(w.ReadAttachment(id, sha, kReader).status().code(), Status::Code::kCorruption);
}

INSTANTIATE_TEST_SUITE_P(Stores, WorkflowTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace custodian::cases
