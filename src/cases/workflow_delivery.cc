// The workflow's delivery steps (docs/production.md, Delivery): a produced case's package,
// stored sealed, reaches its agency through download grants — one use each, a few days
// long, revocable by staff — and every grant, use and listing is in the audit log.
#include <algorithm>

#include <soci/soci.h>

#include "cases/audit_detail.h"
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

Result<ProductionRecord> ProductionOf(CaseTx& tx, const std::string& case_id,
                                      const std::string& production_id) {
  for (ProductionRecord& p : tx.Productions(case_id)) {
    if (p.id == production_id) return std::move(p);
  }
  return Status::NotFound("case " + case_id + " has no production " + production_id);
}

}  // namespace

Result<std::optional<DownloadGrant>> Workflow::RecordPackage(const std::string& production_id,
                                                             const StoredPackage& stored,
                                                             const Actor& actor) {
  std::optional<DownloadGrant> grant;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    const auto all = tx.Productions();
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& p) { return p.id == production_id; });
    if (it == all.end()) return Status::NotFound("no production " + production_id);
    ProductionRecord p = *it;
    if (p.state != ProductionState::kProduced) {
      return Status::FailedPrecondition("production " + production_id + " is not produced");
    }
    if (p.package_sha256) return Status::FailedPrecondition("production " + production_id + " has its package");
    p.package_sha256 = stored.sha256;
    p.package_bytes = static_cast<int64_t>(stored.bytes);
    if (Status st = tx.UpdateProduction(p); !st.ok()) return st;
    const Timestamp now = clock_.Now();
    if (Status st = tx.Audit(now, actor.name, p.case_id, "store_package",
                             Detail({{"production", p.id}, {"package_sha256", stored.sha256},
                                     {"bytes", stored.bytes}}).dump());
        !st.ok()) {
      return st;
    }
    auto c = tx.GetCase(p.case_id);
    if (!c.ok()) return c.status();
    if (!c->agency_id) return Status::Ok();  // no portal account can take it: staff deliver it
    DownloadGrant g{NewGrantId(), p.id, p.case_id, *c->agency_id, now, actor.name,
                    Timestamp{now.micros + options_.download_grant_days * kMicrosPerDay}};
    if (Status st = tx.InsertGrant(g); !st.ok()) return st;
    grant = g;
    return tx.Audit(now, actor.name, p.case_id, "issue_download",
                    Detail({{"production", p.id}, {"grant", g.id}, {"expires_at", FormatDateTime(g.expires_at)}}).dump());
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
      old.state = GrantState::kRevoked;
      old.ended_at = now;
      old.ended_by = actor.name;
      if (Status st = tx.UpdateGrant(old); !st.ok()) return st;
      if (Status st = tx.Audit(now, actor.name, case_id, "revoke_download",
                               Detail({{"production", production_id}, {"grant", old.id}, {"reason", "replaced"}}).dump());
          !st.ok()) {
        return st;
      }
    }
    grant = {NewGrantId(), production_id, case_id, *c->agency_id, now, actor.name,
             Timestamp{now.micros + options_.download_grant_days * kMicrosPerDay}};
    if (Status st = tx.InsertGrant(grant); !st.ok()) return st;
    return tx.Audit(now, actor.name, case_id, "issue_download",
                    Detail({{"production", production_id}, {"grant", grant.id},
                            {"expires_at", FormatDateTime(grant.expires_at)}}).dump());
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
    g->state = GrantState::kRevoked;
    g->ended_at = now;
    g->ended_by = actor.name;
    if (Status st = tx.UpdateGrant(*g); !st.ok()) return st;
    grant = *g;
    return tx.Audit(now, actor.name, g->case_id, "revoke_download",
                    Detail({{"production", g->production_id}, {"grant", g->id}}).dump());
  });
  if (!s.ok()) return s;
  return grant;
}

Result<Download> Workflow::BeginDownload(const std::string& grant_id, const Actor& requester,
                                         const std::string& agency_id,
                                         const std::function<Status(const ProductionRecord&)>& ready) {
  Download download;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    auto g = tx.GetGrant(grant_id);
    // Another agency's grant is answered as if it did not exist.
    if (!g.ok() || g->agency_id != agency_id) return Status::NotFound("no download " + grant_id);
    const Timestamp now = clock_.Now();
    if (g->StateAt(now) != "open") {
      return Status::FailedPrecondition("download " + grant_id + " is " + std::string(g->StateAt(now)));
    }
    auto p = ProductionOf(tx, g->case_id, g->production_id);
    if (!p.ok()) return p.status();
    if (!p->package_sha256) return Status::Corruption("case store: a grant for a production without a package");
    if (Status st = ready(*p); !st.ok()) return st;
    g->state = GrantState::kUsed;
    g->ended_at = now;
    g->ended_by = requester.name;
    if (Status st = tx.UpdateGrant(*g); !st.ok()) return st;
    download = {*g, *p};
    return tx.Audit(now, requester.name, g->case_id, "download",
                    Detail({{"production", g->production_id}, {"grant", g->id},
                            {"package_sha256", *p->package_sha256}}).dump());
  });
  if (!s.ok()) return s;
  return download;
}

Result<std::vector<ProductionView>> Workflow::Productions(const std::string& case_id, const Actor& reader,
                                                         const std::optional<std::string>& agency_id) {
  std::vector<ProductionView> out;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    auto c = tx.GetCase(case_id);
    if (!c.ok() || (agency_id && c->agency_id != agency_id)) return Status::NotFound("no request " + case_id);
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
  return out;
}

}  // namespace custodian::cases
