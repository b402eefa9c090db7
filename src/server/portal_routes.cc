// The requester portal (requester tokens): its own agency's requests, their documents and
// productions, and a download grant spent on a package.
#include "server/routes.h"

#include <iostream>
#include <memory>

#include "cases/case_json.h"
#include "cases/ledger_store.h"
#include "cases/package_store.h"
#include "core/base64.h"
#include "policy/request_parser.h"
#include "server/answers.h"
#include "server/api_bodies.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

// What a requester sees of its own agency's cases: where they stand, the request as it was
// last sent (what an amendment starts from) and its documents; nothing internal.
json RequesterView(const cases::CaseView& v) {
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
          {"documents", documents}};
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
      grant_id, {caller.name}, caller.agency_id.value_or(""), [&](const cases::ProductionRecord& p) -> Status {
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
  router.Post("/api/v1/portal/requests", Requester(), Json(kMaxRequestBytes), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    auto v = api.workflow.Submit({req.body, cases::Entry::kApi, {caller.name}, caller.agency_id, caller.email});
    if (!v.ok()) return Fail(res, v.status());
    Send(res, 201, RequesterView(*v));
  });
  router.Get("/api/v1/portal/requests", Requester(), [api](const httplib::Request&, httplib::Response& res, const Caller& caller) {
    cases::CaseFilter filter;
    filter.agency_id = caller.agency_id;
    auto list = api.workflow.List(filter, {caller.name});
    if (!list.ok()) return Fail(res, list.status());
    json out = json::array();
    for (const auto& v : *list) out.push_back(RequesterView(v));
    Send(res, 200, out);
  });
  router.Post("/api/v1/portal/requests/{id}/documents", Requester(), Pdf(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto v = api.workflow.Show(req.matches[1], {caller.name}, caller.agency_id.value_or(""));
      if (!v.ok()) return Fail(res, v.status());
      auto attached = Pointed(api.workflow.Attach(req.matches[1], {caller.name},
                                              req.has_param("name") ? req.get_param_value("name") : "process.pdf",
                                              req.body), "name", "/query/name");
      if (!attached.ok()) return Fail(res, attached.status());
      Send(res, 201, RequesterView(*attached));
    });
  router.Get("/api/v1/portal/requests/{id}", Requester(), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    // Another agency's case is answered as if it did not exist (and the probe recorded).
    auto v = api.workflow.Show(req.matches[1], {caller.name}, caller.agency_id.value_or(""));
    if (!v.ok()) return Fail(res, v.status());
    Send(res, 200, RequesterView(*v));
  });
  // Withdrawal and amendment, of the agency's own requests only (another's is not found, and
  // the probe recorded, as above).
  router.Post("/api/v1/portal/requests/{id}/withdraw", Requester(), Json(kMaxStepBodyBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto reason = ParseWithdrawBody(req.body);
      if (!reason.ok()) return Fail(res, reason.status());
      auto v = Pointed(api.workflow.Withdraw(req.matches[1], {caller.name}, caller.agency_id.value_or(""), *reason),
                       "reason", "/reason");
      if (!v.ok()) return Fail(res, v.status());
      Send(res, 200, RequesterView(*v));
    });
  router.Post("/api/v1/portal/requests/{id}/amend", Requester(), Json(kMaxRequestBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      if (auto own = api.workflow.Show(req.matches[1], {caller.name}, caller.agency_id.value_or("")); !own.ok()) {
        return Fail(res, own.status());
      }
      // The trust fields are custodian's, as for a new request.
      auto v = api.workflow.Amend(req.matches[1], {req.body, cases::Entry::kApi, {caller.name}, caller.agency_id, caller.email});
      if (!v.ok()) return Fail(res, v.status());
      Send(res, 200, RequesterView(*v));
    });
  router.Get("/api/v1/portal/requests/{id}/productions", Requester(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto all = api.workflow.Productions(req.matches[1], {caller.name}, caller.agency_id.value_or(""));
      if (!all.ok()) return Fail(res, all.status());
      Send(res, 200, RequesterProductions(*all, api.clock.Now()));
    });
  router.Get("/api/v1/portal/downloads/{grant}", Requester(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      Download(api, req.matches[1], caller, res);
    });
}

}  // namespace custodian::server
