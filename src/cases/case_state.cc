#include "cases/case_state.h"

#include <string>

namespace custodian::cases {
namespace {

struct Row {
  Step step;
  std::initializer_list<CaseState> from;
  CaseState to;
};

using S = CaseState;
const Row kTable[] = {
    {Step::kNeedVerification, {S::kReceived}, S::kVerifying},
    {Step::kStartReview, {S::kReceived, S::kVerifying}, S::kInReview},
    {Step::kPushBack, {S::kInReview}, S::kPushedBack},
    {Step::kReject, {S::kInReview}, S::kRejected},
    {Step::kRecommend, {S::kInReview}, S::kReviewed},
    {Step::kApprove, {S::kReviewed}, S::kApproved},
    {Step::kWaitForNotice, {S::kApproved}, S::kAwaitingNotice},
    {Step::kNoticeDone, {S::kAwaitingNotice}, S::kApproved},
    {Step::kStartProduction, {S::kApproved}, S::kProducing},
    {Step::kProduced, {S::kProducing}, S::kProduced},
    {Step::kOverCap, {S::kProducing}, S::kInReview},
    {Step::kResubmit, {S::kPushedBack}, S::kReceived},
    {Step::kPlaceHolds, {S::kInReview}, S::kHolding},
    {Step::kReleaseHolds, {S::kHolding}, S::kReleased},
    {Step::kHoldsExpired, {S::kHolding}, S::kExpired},
    {Step::kClose, {S::kProduced, S::kRejected, S::kPushedBack, S::kReleased, S::kExpired},
     S::kClosed},
    {Step::kDecideAgain, {S::kReceived, S::kVerifying, S::kInReview, S::kReviewed}, S::kReceived},
    // From produced only while the recorded production has no package (the workflow checks).
    {Step::kAbortProduction, {S::kProducing, S::kProduced}, S::kApproved},
    // The requester's, while nothing is being or has been produced.
    {Step::kWithdraw,
     {S::kReceived, S::kVerifying, S::kInReview, S::kPushedBack, S::kReviewed, S::kApproved,
      S::kAwaitingNotice, S::kHolding},
     S::kWithdrawn},
};

}  // namespace

std::string_view CaseStateName(CaseState s) { return kCaseStateNames[static_cast<size_t>(s)]; }

std::optional<CaseState> ParseCaseState(std::string_view name) {
  for (size_t i = 0; i < kCaseStateNames.size(); ++i) {
    if (kCaseStateNames[i] == name) return static_cast<CaseState>(i);
  }
  return std::nullopt;
}

std::string_view StepName(Step s) { return kStepNames[static_cast<size_t>(s)]; }

Result<CaseState> Next(CaseState from, Step step) {
  for (const Row& row : kTable) {
    if (row.step != step) continue;
    for (CaseState f : row.from) {
      if (f == from) return row.to;
    }
    std::string allowed;
    for (CaseState f : row.from) allowed += (allowed.empty() ? "" : ", ") + std::string(CaseStateName(f));
    return Status::FailedPrecondition("a case in state " + std::string(CaseStateName(from)) +
                                      " cannot " + std::string(StepName(step)) +
                                      " (only a case in " + allowed + ")");
  }
  return Status::Internal("no transition for step " + std::string(StepName(step)));
}

bool IsOpen(CaseState s) {
  switch (s) {
    case S::kRejected:
    case S::kClosed:
    case S::kReleased:
    case S::kExpired:
    case S::kProduced:
    case S::kWithdrawn:
      return false;
    default:
      return true;
  }
}

}  // namespace custodian::cases
