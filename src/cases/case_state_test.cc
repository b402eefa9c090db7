// The transition table: every step from every state, allowed exactly where DESIGN.md's Cases
// section says, and refused with a message that names both.
#include "cases/case_state.h"

#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace custodian::cases {
namespace {

using S = CaseState;

TEST(CaseStateTest, TheTableIsExactlyTheDesignsTransitions) {
  const std::map<Step, std::map<S, S>> expected = {
      {Step::kNeedVerification, {{S::kReceived, S::kVerifying}}},
      {Step::kStartReview, {{S::kReceived, S::kInReview}, {S::kVerifying, S::kInReview}}},
      {Step::kPushBack, {{S::kInReview, S::kPushedBack}}},
      {Step::kReject, {{S::kInReview, S::kRejected}}},
      {Step::kRecommend, {{S::kInReview, S::kReviewed}}},
      {Step::kApprove, {{S::kReviewed, S::kApproved}}},
      {Step::kWaitForNotice, {{S::kApproved, S::kAwaitingNotice}}},
      {Step::kNoticeDone, {{S::kAwaitingNotice, S::kApproved}}},
      {Step::kStartProduction, {{S::kApproved, S::kProducing}}},
      {Step::kProduced, {{S::kProducing, S::kProduced}}},
      {Step::kOverCap, {{S::kProducing, S::kInReview}}},
      {Step::kAbortProduction, {{S::kProducing, S::kApproved}, {S::kProduced, S::kApproved}}},
      {Step::kResubmit, {{S::kPushedBack, S::kReceived}}},
      {Step::kPlaceHolds, {{S::kInReview, S::kHolding}}},
      {Step::kReleaseHolds, {{S::kHolding, S::kReleased}}},
      {Step::kHoldsExpired, {{S::kHolding, S::kExpired}}},
      {Step::kClose,
       {{S::kProduced, S::kClosed}, {S::kRejected, S::kClosed}, {S::kPushedBack, S::kClosed},
        {S::kReleased, S::kClosed}, {S::kExpired, S::kClosed}}},
      // Decided again under new standards: back to intake, until a second person approved.
      {Step::kDecideAgain,
       {{S::kReceived, S::kReceived}, {S::kVerifying, S::kReceived}, {S::kInReview, S::kReceived},
        {S::kReviewed, S::kReceived}}},
      // The requester withdraws from any open state before production, and from no other.
      {Step::kWithdraw,
       {{S::kReceived, S::kWithdrawn}, {S::kVerifying, S::kWithdrawn}, {S::kInReview, S::kWithdrawn},
        {S::kPushedBack, S::kWithdrawn}, {S::kReviewed, S::kWithdrawn}, {S::kApproved, S::kWithdrawn},
        {S::kAwaitingNotice, S::kWithdrawn}, {S::kHolding, S::kWithdrawn}}},
  };
  for (size_t st = 0; st < kStepNames.size(); ++st) {
    const Step step = static_cast<Step>(st);
    for (size_t f = 0; f < kCaseStateNames.size(); ++f) {
      const S from = static_cast<S>(f);
      SCOPED_TRACE(std::string(StepName(step)) + " from " + std::string(CaseStateName(from)));
      const auto& rows = expected.at(step);
      const auto next = Next(from, step);
      if (auto it = rows.find(from); it != rows.end()) {
        ASSERT_TRUE(next.ok()) << next.status().message();
        EXPECT_EQ(*next, it->second);
      } else {
        ASSERT_FALSE(next.ok());
        EXPECT_EQ(next.status().code(), Status::Code::kFailedPrecondition);
      }
    }
  }
}

TEST(CaseStateTest, ARefusalNamesTheStateAndTheStatesThatWouldDo) {
  const auto next = Next(S::kInReview, Step::kApprove);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().message(),
            "a case in state in_review cannot approve (only a case in reviewed)");
}

TEST(CaseStateTest, NamesRoundTripAndOnlyFinalStatesAreClosed) {
  for (size_t i = 0; i < kCaseStateNames.size(); ++i) {
    EXPECT_EQ(ParseCaseState(kCaseStateNames[i]), static_cast<S>(i));
  }
  EXPECT_FALSE(ParseCaseState("open"));
  const std::set<S> final = {S::kRejected, S::kClosed, S::kReleased, S::kExpired, S::kProduced,
                             S::kWithdrawn};
  for (size_t i = 0; i < kCaseStateNames.size(); ++i) {
    EXPECT_EQ(IsOpen(static_cast<S>(i)), !final.count(static_cast<S>(i))) << kCaseStateNames[i];
  }
}

}  // namespace
}  // namespace custodian::cases
