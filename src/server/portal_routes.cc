// The requester portal (requester sessions and tokens): the requests the requester sent or
// was shared (docs/portal.md, "Who sees a request"), their documents, colleagues and
// productions, the attestation each submission makes, and a download grant spent on a package.
#include "server/routes.h"

#include <iostream>
#include <memory>

#include "cases/case_json.h"
#include "cases/ledgers/ledger_store.h"
#include "cases/package_store.h"
#include "core/base64.h"
#include "core/sha256.h"
#include "policy/request_parser.h"
#include "server/answers.h"
#include "server/api_bodies.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

// What the portal's caller is: its agency, and its account and address (none: a token made
// before accounts).
cases::RequesterScope ScopeOf(const Caller& caller) {
  return {caller.agency_id.value_or(""), caller.account_id, caller.account_id ? caller.email : std::nullopt};
}

// Who sent a request another requester sees because it was shared with them: the sender's
// name; none for the sender itself.
std::optional<std::string> SharedBy(const ServerServices& api, const cases::CaseRecord& c, const Caller& caller) {
  if (!c.submitted_by || c.submitted_by == caller.account_id) return std::nullopt;
  auto sender = api.requesters ? api.requesters->Get(*c.submitted_by) : Result<RequesterAccount>(Status::NotFound(""));
  return sender.ok() ? sender->name : "a colleague";
}

// What a requester sees of a case it sees: where it stands, the request as it was last sent
// (what an amendment starts from), its documents, who shared it, and whether the caller sent
// it (and so may amend, withdraw, attach and share it); nothing internal.
json RequesterView(const cases::CaseView& v, const Caller& caller, const std::optional<std::string>& shared_by) {
  const auto decision = nlohmann::json::parse(v.decision.document);
  json request = json::parse(v.request.document);
  request.erase("verification");  // a staff-entered case's record of a call back: staff's
  json documents = json::array();
  for (const cases::AttachmentRecord& a : v.attachments) documents.push_back({{"name", a.name}, {"sha256", a.sha256}});
  return {{"id", v.record.id},
          {"state", std::string(cases::CaseStateName(v.record.state))},
          {"process_type", v.record.process_type},
          {"received_at", FormatDateTime(v.record.received_at)},
          {"due_at", v.record.due_at ? json(FormatDateTime(*v.record.due_at)) : json()},
          {"findings", decision["findings"]},
          // The reviewer's letter, and never the internal note beside it.
          {"pushback_letter", cases::PushbackLetterToJson(v.record)},
          {"withdrawn_at", v.record.withdrawn_at ? json(FormatDateTime(*v.record.withdrawn_at)) : json()},
          {"request", std::move(request)},
          {"documents", documents},
          {"shared_by", shared_by ? json(*shared_by) : json()},
          {"sent_by_you", cases::CaseTx::Sent(v.record, ScopeOf(caller))}};
}

// The colleagues a request is shared with, as the portal lists them.
json SharesJson(const ServerServices& api, const std::vector<cases::ShareRecord>& shares) {
  json out = json::array();
  for (const cases::ShareRecord& s : shares) {
    auto account = api.requesters ? api.requesters->Get(s.account_id) : Result<RequesterAccount>(Status::NotFound(""));
    if (!account.ok()) continue;
    out.push_back({{"id", s.account_id}, {"name", account->name}, {"email", account->email},
                   {"shared_at", FormatDateTime(s.shared_at)}});
  }
  return out;
}

// One answer for every address that is not an active colleague's: unknown, another agency's,
// unconfirmed or suspended alike.
Result<std::string> ColleagueOf(const ServerServices& api, const std::string& email, const Caller& caller) {
  auto account = api.requesters ? api.requesters->FindByEmail(email) : Result<RequesterAccount>(Status::NotFound(""));
  if (!account.ok() || account->state != RequesterState::kActive || account->agency_id != caller.agency_id) {
    return Status::InvalidArgument("/email: no confirmed requester of your agency has this address");
  }
  return account->id;
}

// What a requester sees of a case's productions: the stored packages and their downloads,
// nothing about who made them.
json RequesterProductions(const std::vector<cases::ProductionView>& all, Timestamp now) {
  json out = json::array();
  for (const cases::ProductionView& v : all) {
    const cases::ProductionRecord& p = v.production;
    if (!p.package_sha256) continue;
    json downloads = json::array();
    for (const cases::DownloadGrant& g : v.grants) {
      json d = {{"id", g.id}, {"state", std::string(g.StateAt(now))}, {"expires_at", FormatDateTime(g.expires_at)}};
      if (g.StateAt(now) == "open") d["href"] = "/api/v1/portal/downloads/" + g.id;
      downloads.push_back(std::move(d));
    }
    out.push_back({{"id", p.id},
                   {"produced_at", FormatDateTime(p.at)},
                   {"package_sha256", *p.package_sha256},
                   {"package_bytes", p.package_bytes.value_or(0)},
                   {"downloads", downloads}});
  }
  return out;
}

// Spends the grant and streams the package: the sealed file is opened first (a package
// that cannot be read does not cost the requester the grant), then the use is recorded and
// audited, then the bytes go, a chunk at a time. The grant is used once the answer starts:
// an interrupted transfer needs a new grant from staff.
void Download(const ServerServices& api, const std::string& grant_id, const Caller& caller, httplib::Response& res) {
  std::shared_ptr<cases::PackageReader> reader;
  auto download = api.workflow.BeginDownload(
      grant_id, {caller.name}, ScopeOf(caller), [&](const cases::ProductionRecord& p) -> Status {
        auto opened = api.packages.Open(p.id);
        if (!opened.ok()) return opened.status().code() == Status::Code::kNotFound
                                     ? Status::Corruption("the package of " + p.id + " is missing from the instance")
                                     : opened.status();
        reader = std::move(opened).value();
        return Status::Ok();
      });
  if (!download.ok()) {
    if (download.status().code() == Status::Code::kFailedPrecondition) {
      return SendProblem(res, {410, "gone", "This download can no longer be used",
                               download.status().message() + "; ask the service for a new one", ""});
    }
    return Fail(res, download.status());
  }
  const cases::ProductionRecord& p = download->production;
  auto digest = cases::DigestFromHex(*p.package_sha256);
  if (!digest.ok()) return Fail(res, digest.status());
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"" + p.id + ".zip\"");
  res.set_header("Repr-Digest", "sha-256=:" + Base64Encode(std::span<const uint8_t>(*digest)) + ":");  // RFC 9530
  auto chunk = std::make_shared<std::string>();
  const std::string production = p.id;
  res.set_content_provider(
      static_cast<size_t>(p.package_bytes.value_or(0)), "application/zip",
      [reader, chunk, production](size_t, size_t, httplib::DataSink& sink) {
        auto more = reader->Next(*chunk);
        if (!more.ok() || !*more) {
          // The client sees the transfer cut short; the package fails its digest.
          std::cerr << "custodian: download of " << production << " stopped: "
                    << (more.ok() ? "the package ended early" : more.status().message()) << std::endl;
          return false;
        }
        return sink.write(chunk->data(), chunk->size());
      });
}

}  // namespace

void AddPortalRoutes(Router& router, const ServerServices& api) {
  // A requester's submission, its trust fields custodian's (as for a new request) and its
  // attestation checked against the standards in force.
  const auto submission = [](const Caller& caller, const AttestedRequestBody& body) {
    return cases::Submission{body.document, cases::Entry::kApi, {caller.name}, caller.agency_id,
                             caller.email, caller.account_id, body.attestation_sha256};
  };
  const auto view = [api](httplib::Response& res, int status, const Result<cases::CaseView>& v, const Caller& caller) {
    if (!v.ok()) return Fail(res, v.status());
    Send(res, status, RequesterView(*v, caller, SharedBy(api, v->record, caller)));
  };
  router.Get("/api/v1/portal/attestation", Requester(), [api](const httplib::Request&, httplib::Response& res, const Caller&) {
    auto standards = api.workflow.standards().Current(api.workflow.database());
    if (!standards.ok()) return Fail(res, standards.status());
    const Standards& s = **standards;
    Send(res, 200, {{"text", s.attestation}, {"sha256", Sha256Hex(s.attestation)},
                    {"standards", {{"name", s.name}, {"version", s.version}, {"sha256", s.sha256}}}});
  });
  router.Post("/api/v1/portal/requests", Requester(), Json(kMaxRequestBytes),
    [api, submission, view](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto body = ParseAttestedRequestBody(req.body);
      if (!body.ok()) return Fail(res, body.status());
      view(res, 201, api.workflow.Submit(submission(caller, *body)), caller);
    });
  router.Get("/api/v1/portal/requests", Requester(), [api](const httplib::Request&, httplib::Response& res, const Caller& caller) {
    cases::CaseFilter filter;
    filter.requester = ScopeOf(caller);
    auto list = api.workflow.List(filter, {caller.name});
    if (!list.ok()) return Fail(res, list.status());
    json out = json::array();
    for (const auto& v : *list) out.push_back(RequesterView(v, caller, SharedBy(api, v.record, caller)));
    Send(res, 200, out);
  });
  router.Post("/api/v1/portal/requests/{id}/documents", Requester(), Pdf(),
    [api, view](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto v = api.workflow.Show(req.matches[1], {caller.name}, ScopeOf(caller));
      if (!v.ok()) return Fail(res, v.status());
      // The signed process is the sender's to give; a colleague it is shared with reads it.
      if (!cases::CaseTx::Sent(v->record, ScopeOf(caller))) {
        return Fail(res, Status::PermissionDenied("only the requester who sent the request attaches documents to it"));
      }
      view(res, 201, Pointed(api.workflow.Attach(req.matches[1], {caller.name},
                                                 req.has_param("name") ? req.get_param_value("name") : "process.pdf",
                                                 req.body), "name", "/query/name"), caller);
    });
  router.Get("/api/v1/portal/requests/{id}", Requester(), [api, view](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    // A case the requester does not see is answered as if it did not exist (and the probe recorded).
    view(res, 200, api.workflow.Show(req.matches[1], {caller.name}, ScopeOf(caller)), caller);
  });
  // Withdrawal and amendment, by the requester who sent it (a case it does not see is not
  // found, and the probe recorded, as above; a colleague's attempt is refused).
  router.Post("/api/v1/portal/requests/{id}/withdraw", Requester(), Json(kMaxStepBodyBytes),
    [api, view](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto reason = ParseWithdrawBody(req.body);
      if (!reason.ok()) return Fail(res, reason.status());
      view(res, 200, Pointed(api.workflow.Withdraw(req.matches[1], {caller.name}, ScopeOf(caller), *reason),
                             "reason", "/reason"), caller);
    });
  router.Post("/api/v1/portal/requests/{id}/amend", Requester(), Json(kMaxRequestBytes),
    [api, submission, view](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      if (auto seen = api.workflow.Show(req.matches[1], {caller.name}, ScopeOf(caller)); !seen.ok()) {
        return Fail(res, seen.status());
      }
      auto body = ParseAttestedRequestBody(req.body);
      if (!body.ok()) return Fail(res, body.status());
      view(res, 200, api.workflow.Amend(req.matches[1], submission(caller, *body)), caller);
    });
  // The colleagues it is shared with: listed to whoever sees it, changed by its sender alone.
  router.Get("/api/v1/portal/requests/{id}/shares", Requester(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto shares = api.workflow.Shares(req.matches[1], {caller.name}, ScopeOf(caller));
      if (!shares.ok()) return Fail(res, shares.status());
      Send(res, 200, SharesJson(api, *shares));
    });
  router.Post("/api/v1/portal/requests/{id}/shares", Requester(), Json(kMaxStepBodyBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto email = ParseShareBody(req.body);
      if (!email.ok()) return Fail(res, email.status());
      // The request first: a case the requester does not see is not found, whatever the address.
      if (auto seen = api.workflow.Show(req.matches[1], {caller.name}, ScopeOf(caller)); !seen.ok()) {
        return Fail(res, seen.status());
      }
      auto colleague = ColleagueOf(api, *email, caller);
      if (!colleague.ok()) return Fail(res, colleague.status());
      auto shares = api.workflow.Share(req.matches[1], {caller.name}, ScopeOf(caller), *colleague);
      if (!shares.ok()) return Fail(res, shares.status());
      Send(res, 200, SharesJson(api, *shares));
    });
  router.Post("/api/v1/portal/requests/{id}/shares/{account}/remove", Requester(), NoBody(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto shares = api.workflow.Unshare(req.matches[1], {caller.name}, ScopeOf(caller), req.matches[2]);
      if (!shares.ok()) return Fail(res, shares.status());
      Send(res, 200, SharesJson(api, *shares));
    });
  router.Get("/api/v1/portal/requests/{id}/productions", Requester(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto all = api.workflow.Productions(req.matches[1], {caller.name}, ScopeOf(caller));
      if (!all.ok()) return Fail(res, all.status());
      Send(res, 200, RequesterProductions(*all, api.clock.Now()));
    });
  router.Get("/api/v1/portal/downloads/{grant}", Requester(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      Download(api, req.matches[1], caller, res);
    });
}

}  // namespace custodian::server
