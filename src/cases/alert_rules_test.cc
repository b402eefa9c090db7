// The alert rules at chosen instants (a clock in the test's hands): which alerts are due,
// who acts next, and how long a failed delivery waits.
#include "cases/alert_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/retry_backoff.h"

namespace custodian::cases {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const Timestamp kDue = ParseDateTime("2026-04-10T00:00:00Z").value();

Timestamp At(int64_t micros_from_due) { return Timestamp{kDue.micros + micros_from_due}; }

// The due alerts as "kind subject due_at" lines.
std::vector<std::string> Due(Timestamp now, const std::vector<CaseDeadline>& cases,
                             const std::vector<HoldEnd>& holds = {},
                             const std::vector<OrderEnd>& orders = {}) {
  std::vector<std::string> out;
  for (const DueAlert& a : AlertsDue(now, cases, holds, orders)) {
    out.push_back(std::string(AlertKindName(a.kind)) + " " + a.subject + " " + FormatDateTime(a.due_at));
  }
  return out;
}

CaseDeadline Case(CaseState state, bool emergency = false) {
  return {"C-2026-000001", state, emergency, At(-30 * kMicrosPerDay), kDue};
}

TEST(AlertRulesTest, ACaseIsDueSoonWithinADayAndOverdueAfterItsDeadline) {
  const auto kase = Case(CaseState::kInReview);
  EXPECT_THAT(Due(At(-25 * kMicrosPerHour), {kase}), IsEmpty());
  EXPECT_THAT(Due(At(-24 * kMicrosPerHour), {kase}), IsEmpty()) << "a day ahead is not yet within a day";
  EXPECT_THAT(Due(At(-24 * kMicrosPerHour + 1), {kase}),
              ElementsAre("due_soon C-2026-000001 2026-04-10T00:00:00Z"));
  EXPECT_THAT(Due(kDue, {kase}), ElementsAre("due_soon C-2026-000001 2026-04-10T00:00:00Z"))
      << "due now is not overdue yet, as the case list says";
  EXPECT_THAT(Due(At(1), {kase}), ElementsAre("overdue C-2026-000001 2026-04-10T00:00:00Z"));
  EXPECT_THAT(Due(At(90 * kMicrosPerDay), {kase}), ElementsAre("overdue C-2026-000001 2026-04-10T00:00:00Z"));
  CaseDeadline no_deadline = kase;
  no_deadline.due_at.reset();
  EXPECT_THAT(Due(At(1), {no_deadline}), IsEmpty());
}

TEST(AlertRulesTest, OnlyCasesThatStillOweAResponseAreDueOrOverdue) {
  for (CaseState s : {CaseState::kReceived, CaseState::kVerifying, CaseState::kInReview, CaseState::kReviewed,
                      CaseState::kApproved, CaseState::kAwaitingNotice, CaseState::kProducing}) {
    EXPECT_THAT(Due(At(1), {Case(s)}), ElementsAre("overdue C-2026-000001 2026-04-10T00:00:00Z"))
        << CaseStateName(s);
  }
  for (CaseState s : {CaseState::kPushedBack, CaseState::kRejected, CaseState::kProduced, CaseState::kClosed,
                      CaseState::kHolding, CaseState::kReleased, CaseState::kExpired}) {
    EXPECT_THAT(Due(At(1), {Case(s)}), IsEmpty()) << CaseStateName(s);
  }
}

TEST(AlertRulesTest, AnEmergencyIsNewUntilDecidedAndItsAlertNamesTheDeadline) {
  EXPECT_THAT(Due(At(-1), {Case(CaseState::kVerifying, true)}),
              ElementsAre("emergency C-2026-000001 2026-04-10T00:00:00Z"))
      << "no due_soon besides: the emergency alert names the deadline";
  EXPECT_THAT(Due(At(1), {Case(CaseState::kInReview, true)}),
              ElementsAre("emergency C-2026-000001 2026-04-10T00:00:00Z",
                          "overdue C-2026-000001 2026-04-10T00:00:00Z"));
  EXPECT_THAT(Due(At(-1), {Case(CaseState::kApproved, true)}), IsEmpty());
  EXPECT_THAT(Due(At(1), {Case(CaseState::kApproved, true)}),
              ElementsAre("overdue C-2026-000001 2026-04-10T00:00:00Z"));
  CaseDeadline undated = Case(CaseState::kReceived, true);
  undated.due_at.reset();
  EXPECT_THAT(Due(At(0), {undated}), ElementsAre("emergency C-2026-000001 2026-03-11T00:00:00Z"))
      << "without a deadline, its receipt";
}

TEST(AlertRulesTest, AHoldOrAnOrderEndsSoonWithinAWeekBeforeItsEnd) {
  const HoldEnd hold{"C-2026-000002-H1", "C-2026-000002", CaseState::kHolding, kDue};
  const OrderEnd order{"C-2026-000003", CaseState::kClosed, kDue};
  EXPECT_THAT(Due(At(-7 * kMicrosPerDay), {}, {hold}, {order}), IsEmpty());
  EXPECT_THAT(Due(At(-7 * kMicrosPerDay + 1), {}, {hold}, {order}),
              ElementsAre("hold_expiring C-2026-000002-H1 2026-04-10T00:00:00Z",
                          "order_expiring C-2026-000003 2026-04-10T00:00:00Z"));
  EXPECT_THAT(Due(kDue, {}, {hold}, {order}), ElementsAre("hold_expiring C-2026-000002-H1 2026-04-10T00:00:00Z",
                                                          "order_expiring C-2026-000003 2026-04-10T00:00:00Z"));
  EXPECT_THAT(Due(At(1), {}, {hold}, {order}), IsEmpty()) << "ended: nothing is raised late";
}

std::vector<std::string> Roles(AlertKind kind, CaseState s) {
  std::vector<std::string> out;
  for (std::string_view r : RolesActingNext(kind, s)) out.emplace_back(r);
  return out;
}

TEST(AlertRulesTest, TheRolesActingNextFollowTheSteps) {
  const AlertKind k = AlertKind::kOverdue;
  EXPECT_THAT(Roles(k, CaseState::kReceived), ElementsAre("intake", "reviewer"));
  EXPECT_THAT(Roles(k, CaseState::kVerifying), ElementsAre("intake", "reviewer"));
  EXPECT_THAT(Roles(k, CaseState::kInReview), ElementsAre("reviewer"));
  EXPECT_THAT(Roles(k, CaseState::kPushedBack), ElementsAre("intake"));
  EXPECT_THAT(Roles(k, CaseState::kReviewed), ElementsAre("approver"));
  for (CaseState s : {CaseState::kApproved, CaseState::kAwaitingNotice, CaseState::kProducing, CaseState::kProduced}) {
    EXPECT_THAT(Roles(k, s), ElementsAre("reviewer", "approver")) << CaseStateName(s);
  }
  EXPECT_THAT(Roles(AlertKind::kHoldExpiring, CaseState::kHolding), ElementsAre("reviewer"));
  EXPECT_THAT(Roles(k, CaseState::kClosed), IsEmpty());
  EXPECT_THAT(Roles(AlertKind::kOrderExpiring, CaseState::kClosed), ElementsAre("reviewer"))
      << "an order's extension is recorded by a reviewer, whatever the case's state";
}

TEST(AlertRulesTest, RecipientsAreTheEnabledUsersWhoseRoleActsNextAndTheAssignee) {
  const std::vector<StaffMember> staff = {
      {"ann", {"reviewer", "approver"}, false, "ann@example.org"},
      {"bob", {"approver"}, false, std::nullopt},
      {"cy", {"approver"}, true, "cy@example.org"},
      {"dee", {"intake"}, false, "dee@example.org"},
      {"eve", {"auditor"}, false, std::nullopt},
  };
  EXPECT_THAT(AlertRecipients(AlertKind::kOverdue, CaseState::kReviewed, staff, std::nullopt),
              ElementsAre("ann", "bob")) << "cy is disabled";
  EXPECT_THAT(AlertRecipients(AlertKind::kDueSoon, CaseState::kVerifying, staff, std::nullopt),
              ElementsAre("ann", "dee"));
  EXPECT_THAT(AlertRecipients(AlertKind::kDueSoon, CaseState::kInReview, staff, std::string("eve")),
              ElementsAre("ann", "eve")) << "the assignee, whatever the role";
  EXPECT_THAT(AlertRecipients(AlertKind::kDueSoon, CaseState::kInReview, staff, std::string("ann")),
              ElementsAre("ann")) << "once";
  EXPECT_THAT(AlertRecipients(AlertKind::kDueSoon, CaseState::kInReview, staff, std::string("cy")),
              ElementsAre("ann")) << "a disabled assignee gets nothing";
  EXPECT_THAT(AlertRecipients(AlertKind::kOverdue, CaseState::kClosed, staff, std::nullopt), IsEmpty());
}

TEST(AlertRulesTest, AFailedDeliveryWaitsAMinuteDoublingToSixHours) {
  std::vector<int64_t> minutes;
  for (int attempts = 0; attempts <= 10; ++attempts) minutes.push_back(RetryBackoffMicros(attempts) / kMicrosPerMinute);
  EXPECT_THAT(minutes, ElementsAre(1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360));
  EXPECT_EQ(RetryBackoffMicros(1000), 6 * kMicrosPerHour);
  EXPECT_EQ(RetryBackoffMicros(-1), kMicrosPerMinute);
}

TEST(AlertRulesTest, KindsByName) {
  for (size_t i = 0; i < kAlertKindNames.size(); ++i) {
    EXPECT_EQ(ParseAlertKind(kAlertKindNames[i]), static_cast<AlertKind>(i));
  }
  EXPECT_EQ(ParseAlertKind("late"), std::nullopt);
}

}  // namespace
}  // namespace custodian::cases
