// The workflow's preservation holds: placed by a reviewer's approval, extended once by a later
// request (entered, or recorded by a reviewer), released (docs/cases.md, "Preservation").
#include <algorithm>

#include <nlohmann/json.hpp>

#include "cases/ledgers/audit_detail.h"
#include "cases/workflow.h"

namespace custodian::cases {

Status Workflow::PlaceHolds(CaseTx& tx, CaseRecord& c, const Request& request,
                            const Decision& decision, const Standards& standards,
                            const Actor& actor) {
  if (request.process.preserve_reference) {
    return ExtendPreservation(tx, *request.process.preserve_reference, standards, actor);
  }
  const Timestamp now = clock_.Now();
  const Timestamp expires{now.micros + standards.preservation_period_days * kMicrosPerDay};
  std::vector<uint64_t> accounts;
  for (const Target& t : decision.authorized->targets) {
    if (t.type != "account_id") continue;  // other targets are resolved when produced
    try {
      accounts.push_back(std::stoull(t.value));
    } catch (const std::exception&) {
    }
  }
  if (accounts.empty()) {
    return Status::FailedPrecondition("case " + c.id + ": no account_id target to preserve");
  }
  int n = 0, placed = 0;
  for (uint64_t account : accounts) {
    vault::Hold hold;
    hold.id = c.id + "-H" + std::to_string(++n);
    hold.account = account;
    hold.case_id = c.id;
    hold.placed = now;
    hold.expires = expires;
    hold.covers_until = now;
    // A scope of instants is held from its first interval's start to its last one's end
    // (never past the receipt: the intervals were clamped to it).
    if (const std::vector<Window> covered = decision.authorized->ReadIntervals(); !covered.empty()) {
      hold.window_start = covered.front().start;
      hold.window_end = covered.back().end;
    }
    if (Status s = vault_.PlaceHold(hold); !s.ok()) {
      if (s.IsNotFound()) continue;  // a deleted account: nothing is left to preserve
      return s;
    }
    ++placed;
    HoldRecord record{hold.id, c.id, account, actor.name, now, expires, 0, HoldState::kActive,
                      std::nullopt, std::nullopt};
    if (Status s = tx.InsertHold(record); !s.ok()) return s;
    if (Status s = tx.Audit(now, actor.name, c.id, "place_hold",
                            Detail({{"hold", hold.id}, {"expires", FormatDateTime(expires)}}).dump(),
                            {std::to_string(account)});
        !s.ok()) {
      return s;
    }
  }
  if (placed == 0) {
    // A holding case without holds would never end: the reviewer rejects or pushes back.
    return Status::FailedPrecondition("case " + c.id + ": nothing to preserve, every target "
                                      "account was deleted");
  }
  return Status::Ok();
}

Status Workflow::ExtendOneHold(CaseTx& tx, HoldRecord& h, int64_t days, const Standards& standards,
                               const Actor& actor) {
  if (h.extensions >= standards.preservation_max_extensions) {
    return Status::FailedPrecondition("hold " + h.id + ": already extended " +
                                      std::to_string(h.extensions) + " time(s), the most the "
                                      "standards allow");
  }
  h.expires_at = Timestamp{h.expires_at.micros + days * kMicrosPerDay};
  h.extensions += 1;
  // The vault first: a failure after it keeps the data longer, the safe side.
  if (Status s = vault_.ExtendHold(h.id, h.expires_at); !s.ok()) return s;
  if (Status s = tx.UpdateHold(h); !s.ok()) return s;
  return tx.Audit(clock_.Now(), actor.name, h.case_id, "extend_hold",
                  Detail({{"hold", h.id}, {"days", days}, {"expires", FormatDateTime(h.expires_at)}})
                      .dump());
}

Status Workflow::ExtendPreservation(CaseTx& tx, const std::string& preservation_id,
                                    const Standards& standards, const Actor& actor) {
  for (HoldRecord h : tx.Holds(preservation_id)) {
    if (h.state != HoldState::kActive) continue;
    if (Status s = ExtendOneHold(tx, h, standards.preservation_extension_days, standards, actor);
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Result<HoldRecord> Workflow::ExtendHold(const std::string& hold_id, const Actor& actor,
                                        int64_t days) {
  HoldRecord out;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    auto h = tx.GetHold(hold_id);
    if (!h.ok()) return h.status();
    auto standards = standards_.Current(sql);
    if (!standards.ok()) return standards.status();
    const int64_t most = (*standards)->preservation_extension_days;
    if (days < 1 || days > most) {
      return Status::InvalidArgument("days: 1 to " + std::to_string(most) +
                                     " (the standards' preservation extension)");
    }
    if (h->state != HoldState::kActive) {
      return Status::FailedPrecondition("hold " + hold_id + ": it is " +
                                        std::string(kHoldStateNames[static_cast<size_t>(h->state)]));
    }
    if (Status st = ExtendOneHold(tx, *h, days, **standards, actor); !st.ok()) return st;
    out = *h;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<HoldRecord>> Workflow::Holds(const std::string& case_id, const Actor& reader) {
  std::vector<HoldRecord> out;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    out = tx.Holds(case_id);
    return tx.Audit(clock_.Now(), reader.name,
                    case_id.empty() ? std::nullopt : std::optional(case_id), "list_holds", "{}");
  });
  if (!s.ok()) return s;
  return out;
}

Status Workflow::EndHold(CaseTx& tx, HoldRecord& h, HoldState end, const Actor& actor) {
  const Timestamp now = clock_.Now();
  h.state = end;
  h.ended_at = now;
  h.ended_by = actor.name;
  if (Status s = tx.UpdateHold(h); !s.ok()) return s;
  const bool released = end == HoldState::kReleased;
  if (Status s = tx.Audit(now, actor.name, h.case_id, released ? "release_hold" : "expire_hold",
                          Detail({{"hold", h.id}, {"expires", FormatDateTime(h.expires_at)}}).dump());
      !s.ok()) {
    return s;
  }
  // The case moves on with its last hold.
  auto c = tx.GetCase(h.case_id);
  if (!c.ok()) return c.status();
  const auto holds = tx.Holds(h.case_id);
  const bool any_active = std::any_of(holds.begin(), holds.end(), [](const HoldRecord& x) {
    return x.state == HoldState::kActive;
  });
  if (any_active || c->state != CaseState::kHolding) return Status::Ok();
  return Transition(tx, *c, released ? Step::kReleaseHolds : Step::kHoldsExpired, actor, "");
}

Status Workflow::ReleaseHold(const std::string& hold_id, const Actor& actor) {
  bool repair = false;
  Status recorded = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    auto h = tx.GetHold(hold_id);
    if (!h.ok()) return h.status();
    if (h->state != HoldState::kActive) {
      repair = h->state == HoldState::kReleased;
      return Status::FailedPrecondition("hold " + hold_id + ": already " +
                                        std::string(kHoldStateNames[static_cast<size_t>(h->state)]));
    }
    return EndHold(tx, *h, HoldState::kReleased, actor);
  });
  // The vault lets go only once the release is recorded: a failure between the two keeps the
  // data (the safe side), and releasing the hold again finishes it.
  if (!recorded.ok() && !repair) return recorded;
  Status released = vault_.ReleaseHold(hold_id);
  if (repair) return released.ok() ? Status::Ok() : recorded;
  return released;
}

Result<int> Workflow::ExpireHolds(const Actor& actor) {
  int expired = 0;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    expired = 0;
    const Timestamp now = clock_.Now();
    for (HoldRecord h : tx.Holds()) {
      if (h.state != HoldState::kActive || now < h.expires_at) continue;
      if (Status st = EndHold(tx, h, HoldState::kExpired, actor); !st.ok()) return st;
      ++expired;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return expired;
}

}  // namespace custodian::cases
