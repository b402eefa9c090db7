// Productions, for staff (docs/production.md): a case's productions, run by the server in the
// background, watched and aborted; download grants issued and revoked.
#include "server/routes.h"

#include "cases/case_json.h"
#include "server/answers.h"
#include "server/api_bodies.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

json JobJson(const ProductionJob& job) {
  json out = {{"case", job.case_id}, {"production", job.production_id}, {"phase", job.phase},
              {"events", job.events}, {"outcome", job.outcome}};
  if (!job.message.empty()) out["message"] = job.message;
  return out;
}

}  // namespace

void AddProductionRoutes(Router& router, const ServerServices& api) {
  router.Get("/api/v1/cases/{id}/productions", Staff(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto all = api.workflow.Productions(req.matches[1], {caller.name});
      if (!all.ok()) return Fail(res, all.status());
      json out = json::array();
      for (const auto& v : *all) out.push_back(cases::ProductionToJson(v, api.clock.Now()));
      Send(res, 200, out);
    });
  router.Post("/api/v1/cases/{id}/productions/{production}/downloads",
    Staff({Role::kReviewer, Role::kApprover}), NoBody(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto grant = api.workflow.IssueDownload(req.matches[1], req.matches[2], {caller.name});
      if (!grant.ok()) return Fail(res, grant.status());
      Send(res, 201, cases::GrantToJson(*grant, api.clock.Now()));
    });
  router.Post("/api/v1/downloads/{grant}/revoke", Staff({Role::kReviewer, Role::kApprover}), NoBody(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto grant = api.workflow.RevokeDownload(req.matches[1], {caller.name});
      if (!grant.ok()) return Fail(res, grant.status());
      Send(res, 200, cases::GrantToJson(*grant, api.clock.Now()));
    });
  router.Post("/api/v1/cases/{id}/productions", Staff({Role::kReviewer, Role::kApprover}), NoBody(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      if (!api.productions) {
        return Fail(res, Status::FailedPrecondition("this server does not run productions"));
      }
      auto job = api.productions->Start(req.matches[1], caller.name);
      if (!job.ok()) return Fail(res, job.status());
      res.set_header("Location", "/api/v1/cases/" + job->case_id + "/productions/" + job->production_id);
      Send(res, 202, JobJson(*job));
    });
  router.Get("/api/v1/cases/{id}/productions/{production}", Staff(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto all = api.workflow.Productions(req.matches[1], {caller.name});
      if (!all.ok()) return Fail(res, all.status());
      const std::string id = req.matches[2];
      std::optional<ProductionJob> job;
      if (api.productions) job = api.productions->Find(id);
      for (const cases::ProductionView& v : *all) {
        if (v.production.id != id) continue;
        json out = cases::ProductionToJson(v, api.clock.Now());
        const cases::ProductionState state = v.production.state;
        // An abort is final; a production this server runs says where it is until it has
        // ended (its package may be stored a moment before); the store says the rest.
        out["outcome"] = state == cases::ProductionState::kAborted    ? "aborted"
                         : job                                        ? job->outcome
                         : state == cases::ProductionState::kWithheld ? "withheld"
                         : v.production.package_sha256               ? "produced"
                                                                      : "unfinished";
        if (job) {
          out["phase"] = job->phase;
          out["events"] = job->events;
          if (!job->message.empty()) out["message"] = job->message;
        }
        return Send(res, 200, out);
      }
      Fail(res, Status::NotFound("case " + req.matches[1].str() + " has no production " + id));
    });
  router.Post("/api/v1/cases/{id}/productions/{production}/abort",
    Staff({Role::kReviewer, Role::kApprover}), Json(kMaxStepBodyBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      if (!api.productions) {
        return Fail(res, Status::FailedPrecondition("this server does not run productions"));
      }
      auto reason = ParseAbortBody(req.body);
      if (!reason.ok()) return Fail(res, reason.status());
      auto aborted = Pointed(api.productions->Abort(req.matches[1], req.matches[2], *reason, caller.name),
                             "reason", "/reason");
      if (!aborted.ok()) return Fail(res, aborted.status());
      Send(res, 200, {{"case", req.matches[1].str()},
                      {"production", aborted->production_id},
                      {"state", "aborted"},
                      {"ledger_index", aborted->leaf_index ? json(*aborted->leaf_index) : json(nullptr)}});
    });
}

}  // namespace custodian::server
