// The workflow's delivery steps (docs/production.md, Delivery): a produced case's package,
// stored sealed, reaches its agency through download grants — one use each, a few days
// long, revocable by staff — and every grant, use and listing is in the audit log.
#include <soci/soci.h>

#include "cases/ledgers/audit_detail.h"
#include "cases/requester_mail.h"
#include "cases/workflow.h"
#include "core/sha256.h"

namespace custodian::cases {
namespace {

// Not a secret (the requester's token authorizes its use), but not guessable either, so
// that an id seen in a log tells nothing about others.
std::string NewGrantId() {
  uint8_t bytes[16];
  vault::RandomBytes(bytes, sizeof bytes);
  return "D-" + HexEncode(bytes, sizeof bytes);
}

// The production, which must be the case's.
Result<ProductionRecord> ProductionOf(CaseTx& tx, const std::string& case_id,
                                      const std::string& production_id) {
  auto p = tx.GetProduction(production_id);
  if (!p.ok() || p->case_id != case_id) {
    return Status::NotFound("case " + case_id + " has no production " + production_id);
  }
  return p;
}

// A new open grant of `p` for `agency_id`, `days` long, audited.
Result<DownloadGrant> IssueGrant(CaseTx& tx, const ProductionRecord& p, const std::string& agency_id,
                                 int days, const Actor& actor, Timestamp now) {
  DownloadGrant g{NewGrantId(), p.id, p.case_id, agency_id, now, actor.name,
                  Timestamp{now.micros + days * kMicrosPerDay}};
  if (Status s = tx.InsertGrant(g); !s.ok()) return s;
  if (Status s = tx.Audit(now, actor.name, p.case_id, "issue_download",
                          Detail({{"production", p.id}, {"grant", g.id},
                                  {"expires_at", FormatDateTime(g.expires_at)}}).dump());
      !s.ok()) {
    return s;
  }
  // The requester is told a package waits (requester_mail.h).
  auto c = tx.GetCase(p.case_id);
  if (!c.ok()) return c.status();
  if (Status s = QueueRequesterMail(tx, *c, kPackageReady, now); !s.ok()) return s;
  return g;
}

// Ends an open grant as `end` (used or revoked) by `actor`, audited as `action` with the
// production, the grant and `more`.
Status EndGrant(CaseTx& tx, DownloadGrant& g, GrantState end, const Actor& actor, Timestamp now,
                const std::string& action, const nlohmann::ordered_json& more) {
  g.state = end;
  g.ended_at = now;
  g.ended_by = actor.name;
  if (Status s = tx.UpdateGrant(g); !s.ok()) return s;
  nlohmann::ordered_json detail = Detail({{"production", g.production_id}, {"grant", g.id}});
  for (const auto& [key, value] : more.items()) detail[key] = value;
  return tx.Audit(now, actor.name, g.case_id, action, detail.dump());
}

}  // namespace

Result<std::optional<DownloadGrant>> Workflow::RecordPackage(const std::string& production_id,
                                                             const StoredPackage& stored,
                                                             const Actor& actor) {
  std::optional<DownloadGrant> grant;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    auto p = tx.GetProduction(production_id);
    if (!p.ok()) return p.status();
    if (p->state != ProductionState::kProduced) {
      return Status::FailedPrecondition("production " + production_id + " is not produced");
    }
    if (p->package_sha256) return Status::FailedPrecondition("production " + production_id + " has its package");
    p->package_sha256 = stored.sha256;
    p->package_bytes = static_cast<int64_t>(stored.bytes);
    if (Status st = tx.UpdateProduction(*p); !st.ok()) return st;
    const Timestamp now = clock_.Now();
    if (Status st = tx.Audit(now, actor.name, p->case_id, "store_package",
                             Detail({{"production", p->id}, {"package_sha256", stored.sha256},
                                     {"bytes", stored.bytes}}).dump());
        !st.ok()) {
      return st;
    }
    auto c = tx.GetCase(p->case_id);
    if (!c.ok()) return c.status();
    if (!c->agency_id) return Status::Ok();  // no portal account can take it: staff deliver it
    auto g = IssueGrant(tx, *p, *c->agency_id, options_.download_grant_days, actor, now);
    if (!g.ok()) return g.status();
    grant = *g;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return grant;
}

Result<DownloadGrant> Workflow::IssueDownload(const std::string& case_id, const std::string& production_id,
                                              const Actor& actor) {
  DownloadGrant grant;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    auto c = tx.GetCase(case_id);
    if (!c.ok()) return c.status();
    auto p = ProductionOf(tx, case_id, production_id);
    if (!p.ok()) return p.status();
    if (!p->package_sha256) {
      return Status::FailedPrecondition("production " + production_id + " has no stored package");
    }
    if (!c->agency_id) {
      return Status::FailedPrecondition("case " + case_id + " names no agency whose requesters could download it");
    }
    const Timestamp now = clock_.Now();
    for (DownloadGrant& old : tx.Grants(case_id)) {
      if (old.production_id != production_id || old.StateAt(now) != "open") continue;
      if (Status st = EndGrant(tx, old, GrantState::kRevoked, actor, now, "revoke_download", {{"reason", "replaced"}});
          !st.ok()) {
        return st;
      }
    }
    auto g = IssueGrant(tx, *p, *c->agency_id, options_.download_grant_days, actor, now);
    if (!g.ok()) return g.status();
    grant = *g;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return grant;
}

Result<DownloadGrant> Workflow::RevokeDownload(const std::string& grant_id, const Actor& actor) {
  DownloadGrant grant;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    auto g = tx.GetGrant(grant_id);
    if (!g.ok()) return g.status();
    const Timestamp now = clock_.Now();
    if (g->StateAt(now) != "open") {
      return Status::FailedPrecondition("download " + grant_id + " is " + std::string(g->StateAt(now)));
    }
    grant = *g;
    return EndGrant(tx, grant, GrantState::kRevoked, actor, now, "revoke_download", nlohmann::ordered_json::object());
  });
  if (!s.ok()) return s;
  return grant;
}

Result<Download> Workflow::BeginDownload(const std::string& grant_id, const Actor& actor,
                                         const RequesterScope& requester,
                                         const std::function<Status(const ProductionRecord&)>& ready) {
  Download download;
  bool refused = false;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    refused = false;
    auto g = tx.GetGrant(grant_id);
    auto c = g.ok() ? tx.GetCase(g->case_id) : Result<CaseRecord>(g.status());
    // A grant of a case the requester does not see is answered as if it did not exist, and
    // the probe recorded.
    if (!g.ok() || g->agency_id != requester.agency_id || !c.ok() || !tx.Sees(*c, requester)) {
      refused = true;
      return RefuseAccess(tx, actor, g.ok() ? std::optional(g->case_id) : std::nullopt, "download", grant_id);
    }
    const Timestamp now = clock_.Now();
    if (g->StateAt(now) != "open") {
      return Status::FailedPrecondition("download " + grant_id + " is " + std::string(g->StateAt(now)));
    }
    auto p = ProductionOf(tx, g->case_id, g->production_id);
    if (!p.ok()) return p.status();
    if (!p->package_sha256) return Status::Corruption("case store: a grant for a production without a package");
    if (Status st = ready(*p); !st.ok()) return st;
    download = {*g, *p};
    return EndGrant(tx, download.grant, GrantState::kUsed, actor, now, "download",
                    {{"package_sha256", *p->package_sha256}});
  });
  if (!s.ok()) return s;
  if (refused) return Status::NotFound("no download " + grant_id);
  return download;
}

Result<std::vector<ProductionView>> Workflow::Productions(const std::string& case_id, const Actor& reader,
                                                         const std::optional<RequesterScope>& requester) {
  std::vector<ProductionView> out;
  bool refused = false;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    out.clear();
    refused = false;
    auto c = tx.GetCase(case_id);
    if (requester && (!c.ok() || !tx.Sees(*c, *requester))) {
      refused = true;
      return RefuseAccess(tx, reader, c.ok() ? std::optional(case_id) : std::nullopt, "list_productions", case_id);
    }
    if (!c.ok()) return Status::NotFound("no request " + case_id);
    const std::vector<DownloadGrant> grants = tx.Grants(case_id);
    for (ProductionRecord& p : tx.Productions(case_id)) {
      ProductionView v{std::move(p), {}};
      for (const DownloadGrant& g : grants) {
        if (g.production_id == v.production.id) v.grants.push_back(g);
      }
      out.push_back(std::move(v));
    }
    return tx.Audit(clock_.Now(), reader.name, case_id, "list_productions", "{}");
  });
  if (!s.ok()) return s;
  if (refused) return Status::NotFound("no request " + case_id);
  return out;
}

}  // namespace custodian::cases
