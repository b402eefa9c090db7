// Preservation holds, for staff: listed by case, extended on a renewed request and released by
// a reviewer.
#include "server/routes.h"

#include "cases/case_json.h"
#include "server/answers.h"
#include "server/api_bodies.h"
#include "server/query_parameters.h"

namespace custodian::server {

using json = nlohmann::ordered_json;

void AddHoldRoutes(Router& router, const ServerServices& api) {
  router.Get("/api/v1/holds", Staff(), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    const auto kase = PatternParameter(req, res, "case", kCaseIdPattern, "a case id");
    if (!kase) return;
    auto holds = api.workflow.Holds(*kase, {caller.name});
    if (!holds.ok()) return Fail(res, holds.status());
    json out = json::array();
    for (const auto& h : *holds) out.push_back(cases::HoldToJson(h));
    Send(res, 200, out);
  });
  router.Post("/api/v1/holds/{hold}/release", Staff({Role::kReviewer}), NoBody(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      if (Status s = api.workflow.ReleaseHold(req.matches[1], {caller.name}); !s.ok()) {
        return Fail(res, s);
      }
      Send(res, 200, {{"released", req.matches[1].str()}});
    });
  // A renewed request's extension (18 U.S.C. 2703(f)(2)), within the standards' limits.
  router.Post("/api/v1/holds/{hold}/extend", Staff({Role::kReviewer}), Json(kMaxStepBodyBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto days = ParseExtendBody(req.body);
      if (!days.ok()) return Fail(res, days.status());
      auto hold = Pointed(api.workflow.ExtendHold(req.matches[1], {caller.name}, *days), "days", "/days");
      if (!hold.ok()) return Fail(res, hold.status());
      Send(res, 200, cases::HoldToJson(*hold));
    });
}

}  // namespace custodian::server
