#include "cases/alert_rules.h"

#include <algorithm>

namespace custodian::cases {

std::string_view AlertKindName(AlertKind k) { return kAlertKindNames[static_cast<size_t>(k)]; }

std::optional<AlertKind> ParseAlertKind(std::string_view name) {
  for (size_t i = 0; i < kAlertKindNames.size(); ++i) {
    if (kAlertKindNames[i] == name) return static_cast<AlertKind>(i);
  }
  return std::nullopt;
}

bool OwesResponse(CaseState s) {
  switch (s) {
    case CaseState::kReceived:
    case CaseState::kVerifying:
    case CaseState::kInReview:
    case CaseState::kReviewed:
    case CaseState::kApproved:
    case CaseState::kAwaitingNotice:
    case CaseState::kProducing:
      return true;
    default:
      return false;
  }
}

bool Undecided(CaseState s) {
  return s == CaseState::kReceived || s == CaseState::kVerifying || s == CaseState::kInReview;
}

std::vector<DueAlert> AlertsDue(Timestamp now, const std::vector<CaseDeadline>& cases,
                                const std::vector<HoldEnd>& holds,
                                const std::vector<OrderEnd>& orders) {
  std::vector<DueAlert> out;
  // Within [now, now + span): an end still ahead, and near.
  const auto ends_within = [&](Timestamp end, int64_t span) {
    return end.micros >= now.micros && end.micros < now.micros + span;
  };
  for (const CaseDeadline& c : cases) {
    if (c.emergency && Undecided(c.state)) {
      out.push_back({AlertKind::kEmergency, c.case_id, c.case_id, c.due_at.value_or(c.received_at), c.state});
    }
    if (!c.due_at || !OwesResponse(c.state)) continue;
    if (c.due_at->micros < now.micros) {
      out.push_back({AlertKind::kOverdue, c.case_id, c.case_id, *c.due_at, c.state});
    } else if (!c.emergency && ends_within(*c.due_at, kDueSoonMicros)) {
      out.push_back({AlertKind::kDueSoon, c.case_id, c.case_id, *c.due_at, c.state});
    }
  }
  for (const HoldEnd& h : holds) {
    if (ends_within(h.expires_at, kEndsSoonMicros)) {
      out.push_back({AlertKind::kHoldExpiring, h.case_id, h.hold_id, h.expires_at, h.case_state});
    }
  }
  for (const OrderEnd& o : orders) {
    if (ends_within(o.ends_at, kEndsSoonMicros)) {
      out.push_back({AlertKind::kOrderExpiring, o.case_id, o.case_id, o.ends_at, o.case_state});
    }
  }
  return out;
}

std::vector<std::string_view> RolesActingNext(AlertKind kind, CaseState state) {
  if (kind == AlertKind::kOrderExpiring) return {"reviewer"};
  switch (state) {
    case CaseState::kReceived:
    case CaseState::kVerifying:
      return {"intake", "reviewer"};
    case CaseState::kInReview:
    case CaseState::kHolding:
      return {"reviewer"};
    case CaseState::kPushedBack:
      return {"intake"};
    case CaseState::kReviewed:
      return {"approver"};
    case CaseState::kApproved:
    case CaseState::kAwaitingNotice:
    case CaseState::kProducing:
    case CaseState::kProduced:
      return {"reviewer", "approver"};
    default:
      return {};
  }
}

std::vector<std::string> AlertRecipients(AlertKind kind, CaseState state,
                                         const std::vector<StaffMember>& staff,
                                         const std::optional<std::string>& assignee) {
  const std::vector<std::string_view> roles = RolesActingNext(kind, state);
  std::vector<std::string> out;
  for (const StaffMember& m : staff) {
    if (m.disabled) continue;
    const bool acts = std::any_of(roles.begin(), roles.end(), [&](std::string_view r) {
      return m.roles.contains(std::string(r));
    });
    if (acts || (assignee && m.name == *assignee)) out.push_back(m.name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace custodian::cases
