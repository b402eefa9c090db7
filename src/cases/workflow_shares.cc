// Colleague access (docs/portal.md, "Colleagues"): the requester who sent a request shares it
// with up to kMaxShares confirmed colleagues of its agency, who then see it as the sender does
// but cannot amend, withdraw or share it. Each change is audited.
#include "cases/workflow.h"

#include "cases/ledgers/audit_detail.h"

namespace custodian::cases {

Result<std::vector<ShareRecord>> Workflow::Shares(const std::string& id, const Actor& reader,
                                                  const RequesterScope& requester) {
  std::vector<ShareRecord> out;
  Status s = RequesterStep(id, reader, requester, "list_shares", false, [&](CaseTx& tx, CaseRecord&) -> Status {
    out = tx.Shares(id);
    return tx.Audit(clock_.Now(), reader.name, id, "list_shares", "{}");
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<ShareRecord>> Workflow::Share(const std::string& id, const Actor& actor,
                                                 const RequesterScope& requester, const std::string& colleague) {
  std::vector<ShareRecord> out;
  Status s = RequesterStep(id, actor, requester, "share_case", true, [&](CaseTx& tx, CaseRecord& c) -> Status {
    if (!requester.account_id || !c.submitted_by) {
      return Status::PermissionDenied("request " + id + ": a token without an account shares nothing");
    }
    if (colleague == *requester.account_id) {
      return Status::InvalidArgument("/email: that is your own address; name a colleague");
    }
    out = tx.Shares(id);
    for (const ShareRecord& existing : out) {
      if (existing.account_id == colleague) return Status::Ok();  // shared already: nothing changes
    }
    if (out.size() >= kMaxShares) {
      return Status::FailedPrecondition("/email: the request is shared with " + std::to_string(kMaxShares) +
                                        " colleagues already; stop sharing it with one first");
    }
    const ShareRecord share{id, colleague, *c.submitted_by, clock_.Now()};
    if (Status st = tx.InsertShare(share); !st.ok()) return st;
    out.push_back(share);
    return tx.Audit(share.shared_at, actor.name, id, "share_case", Detail({{"account_id", colleague}}).dump());
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<ShareRecord>> Workflow::Unshare(const std::string& id, const Actor& actor,
                                                   const RequesterScope& requester, const std::string& colleague) {
  std::vector<ShareRecord> out;
  Status s = RequesterStep(id, actor, requester, "unshare_case", true, [&](CaseTx& tx, CaseRecord&) -> Status {
    if (Status st = tx.DeleteShare(id, colleague); !st.ok()) return st;
    out = tx.Shares(id);
    return tx.Audit(clock_.Now(), actor.name, id, "unshare_case", Detail({{"account_id", colleague}}).dump());
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace custodian::cases
