// The requester's withdrawal of a request (docs/cases.md, "Withdrawal"): before anything is
// produced, the case ends as withdrawn, the preservation held for it alone is let go, and the
// disclosure log records the outcome.
#include <nlohmann/json.hpp>

#include "cases/ledgers/audit_detail.h"
#include "cases/workflow.h"
#include "core/sha256.h"
#include "core/unicode.h"
#include "policy/request_parser.h"

namespace custodian::cases {
namespace {

// Whether another open case's request names `case_id` as the preservation it follows
// (process.preserve_reference): the holds of `case_id` then keep that request's records too,
// and stay.
bool PreservationShared(CaseTx& tx, const std::string& case_id) {
  CaseFilter open;
  open.open_only = true;
  for (const CaseRecord& other : tx.ListCases(open)) {
    if (other.id == case_id) continue;
    auto request = tx.LatestRequest(other.id);
    if (!request.ok()) continue;
    const ParsedRequest parsed = ParseRequest(request->document);
    if (parsed.ok() && parsed.request.process.preserve_reference == case_id) return true;
  }
  return false;
}

}  // namespace

Result<CaseView> Workflow::Withdraw(const std::string& id, const Actor& actor, const RequesterScope& requester,
                                    const std::optional<std::string>& reason) {
  if (reason && (!IsValidUtf8(*reason) || TrimmedLength(*reason) == 0 ||
                 CodePointCount(*reason) > kMaxLetterLength)) {
    return Status::InvalidArgument("reason: 1 to " + std::to_string(kMaxLetterLength) +
                                   " characters, not blank (or none at all)");
  }
  Result<CaseView> view = Status::Internal("unset");
  std::vector<std::string> released;
  Status s = RequesterStep(id, actor, requester, "withdraw_case", true, [&](CaseTx& tx, CaseRecord& c) -> Status {
    released.clear();
    // The audit says a reason was given and which (its SHA-256), never what it says.
    nlohmann::ordered_json detail = nlohmann::ordered_json::object();
    if (reason) detail["reason_sha256"] = Sha256Hex(*reason);
    c.withdrawn_at = clock_.Now();
    c.withdrawal_reason = reason;
    if (Status st = Transition(tx, c, Step::kWithdraw, actor, detail.dump()); !st.ok()) return st;
    if (!PreservationShared(tx, id)) {
      for (HoldRecord h : tx.Holds(id)) {
        if (h.state != HoldState::kActive) continue;
        if (Status st = EndHold(tx, h, HoldState::kReleased, actor); !st.ok()) return st;
        released.push_back(h.id);
      }
    }
    if (Status st = LogDisclosure(tx, c, ledger::DisclosureKind::kDecision, ledger::kOutcomeWithdrawn);
        !st.ok()) {
      return st;
    }
    view = ViewOf(tx, id);
    return view.status();
  });
  if (!s.ok()) return s;
  // The vault lets go only once the release is recorded, as ReleaseHold does: a failure here
  // keeps the data (the safe side), and releasing the hold again finishes it.
  for (const std::string& hold : released) {
    if (Status r = vault_.ReleaseHold(hold); !r.ok()) return r;
  }
  return view;
}

}  // namespace custodian::cases
