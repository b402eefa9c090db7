// The states a case moves through and the steps that move it (DESIGN.md, Cases). The table
// here is the only place a transition is allowed; everything else asks it.
// Pure functions and constants: safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "core/status.h"

namespace custodian::cases {

enum class CaseState {
  kReceived,
  kVerifying,       // the requester's identity is not established yet
  kInReview,
  kPushedBack,      // back to the requester, who may amend and resubmit
  kRejected,
  kReviewed,        // a reviewer recommends approval; a second person decides
  kApproved,
  kAwaitingNotice,  // approved; the user's notice period runs before anything is produced
  kProducing,
  kProduced,
  kClosed,
  kHolding,         // preservation: holds placed, nothing disclosed
  kReleased,
  kExpired,
  kWithdrawn,       // the requester withdrew the request before production: ended
};
inline constexpr std::array<std::string_view, 15> kCaseStateNames = {
    "received", "verifying",       "in_review", "pushed_back", "rejected",
    "reviewed", "approved",        "awaiting_notice", "producing", "produced",
    "closed",   "holding",         "released",  "expired",     "withdrawn"};
std::string_view CaseStateName(CaseState s);
std::optional<CaseState> ParseCaseState(std::string_view name);

// What happens to a case: each is a row of the transition table.
enum class Step {
  kNeedVerification,   // received → verifying
  kStartReview,        // received | verifying → in_review
  kPushBack,           // in_review → pushed_back
  kReject,             // in_review → rejected
  kRecommend,          // in_review → reviewed
  kApprove,            // reviewed → approved
  kWaitForNotice,      // approved → awaiting_notice
  kNoticeDone,         // awaiting_notice → approved
  kStartProduction,    // approved → producing
  kProduced,           // producing → produced
  kOverCap,            // producing → in_review (a reverse lookup matched too many accounts)
  kResubmit,           // pushed_back → received (a new version of the request)
  kPlaceHolds,         // in_review → holding
  kReleaseHolds,       // holding → released
  kHoldsExpired,       // holding → expired
  kClose,              // produced | rejected | pushed_back | released | expired → closed
  kDecideAgain,        // received | verifying | in_review | reviewed → received (new standards)
  kAbortProduction,    // producing | produced → approved (a production that cannot finish)
  kWithdraw,           // any open state before production → withdrawn (the requester's)
};
inline constexpr std::array<std::string_view, 19> kStepNames = {
    "need_verification", "start_review", "push_back",   "reject",         "recommend",
    "approve",           "wait_for_notice", "notice_done", "start_production", "produced",
    "over_cap",          "resubmit",    "place_holds", "release_holds",  "holds_expired",
    "close",             "decide_again", "abort_production", "withdraw"};
std::string_view StepName(Step s);

// The state `step` leads to from `from`; FailedPrecondition, naming both, when the table has
// no such row.
Result<CaseState> Next(CaseState from, Step step);

// True for states no further step leaves but closing, or none at all.
bool IsOpen(CaseState s);

}  // namespace custodian::cases
