// When custodian alerts staff, and whom (docs/cases.md, "Alerts"): a new emergency, a case
// due within a day, an overdue case, a preservation hold or a nondisclosure order ending
// within a week. Each alert is raised once for its kind, subject and instant (alert_store.h
// keeps that promise); these rules only say which are due at an instant, from the clear
// columns of the store, and who acts next. Pure functions: safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/case_state.h"
#include "cases/staff_directory.h"
#include "core/time.h"

namespace custodian::cases {

enum class AlertKind { kEmergency, kDueSoon, kOverdue, kHoldExpiring, kOrderExpiring };
inline constexpr std::array<std::string_view, 5> kAlertKindNames = {
    "emergency", "due_soon", "overdue", "hold_expiring", "order_expiring"};
std::string_view AlertKindName(AlertKind k);
std::optional<AlertKind> ParseAlertKind(std::string_view name);

// A case is due soon within a day of its deadline (the case list marks it so too), a hold
// or an order ends soon within a week of its end.
inline constexpr int64_t kDueSoonMicros = 24 * kMicrosPerHour;
inline constexpr int64_t kEndsSoonMicros = 7 * kMicrosPerDay;

// What the rules read of a case, a hold and an order.
struct CaseDeadline {
  std::string case_id;
  CaseState state = CaseState::kReceived;
  bool emergency = false;
  Timestamp received_at;
  std::optional<Timestamp> due_at;
};
struct HoldEnd {
  std::string hold_id;
  std::string case_id;
  CaseState case_state = CaseState::kHolding;
  Timestamp expires_at;  // an active hold's
};
// The nondisclosure order in force on a case, when it states an end: the latest recorded
// (RecordNondisclosure), or else the one the request stated, as the notices it holds back
// know it (their not_before).
struct OrderEnd {
  std::string case_id;
  CaseState case_state = CaseState::kReceived;
  Timestamp ends_at;
};

// An alert the rules say is due: its kind, its case, what it is about (the case, or the
// hold), and its instant (the deadline, or when the hold or the order ends).
struct DueAlert {
  AlertKind kind = AlertKind::kEmergency;
  std::string case_id;
  std::string subject;
  Timestamp due_at;
  CaseState case_state = CaseState::kReceived;
};

// States in which the service still owes the agency its response: the deadline alerts are
// about these. Not pushed_back (the service answered; the requester acts), nor holding (the
// records are preserved), nor any closed state.
bool OwesResponse(CaseState s);
// States of a case not decided yet: an emergency in one of them is new.
bool Undecided(CaseState s);

// Every alert due at `now`:
//   emergency       an emergency case not decided yet (its instant: the deadline)
//   overdue         a case owing a response whose deadline has passed
//   due_soon        a case owing a response due within a day, not an emergency (whose
//                   emergency alert already names the deadline)
//   hold_expiring   an active hold ending within a week
//   order_expiring  an order ending within a week
// An alert whose time passed unseen (a server down for the week) is not raised late: an
// overdue case is raised overdue, never due_soon first.
std::vector<DueAlert> AlertsDue(Timestamp now, const std::vector<CaseDeadline>& cases,
                                const std::vector<HoldEnd>& holds,
                                const std::vector<OrderEnd>& orders);

// The roles whose step comes next (docs/cases.md, "Who acts"): for a case's deadline, by its
// state — received, verifying: intake and reviewer (verification, review); in_review,
// holding: reviewer; pushed_back: intake (the amendment); reviewed: approver; approved,
// awaiting_notice, producing, produced: reviewer and approver (production, delivery, closing).
// For an order ending, the reviewer (who records an extension), whatever the state.
std::vector<std::string_view> RolesActingNext(AlertKind kind, CaseState state);

// Who an alert goes to: every enabled staff user holding a role acting next, and the case's
// assignee when it has one (and that user is enabled); by name, each once.
std::vector<std::string> AlertRecipients(AlertKind kind, CaseState state,
                                         const std::vector<StaffMember>& staff,
                                         const std::optional<std::string>& assignee);

}  // namespace custodian::cases
