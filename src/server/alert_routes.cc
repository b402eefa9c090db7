// Staff alerts (docs/cases.md, Alerts): each staff user reads their own, newest first; the
// outbox (cases/alert_outbox.h) raises them.
#include "server/routes.h"

#include "cases/alert_outbox.h"
#include "cases/case_json.h"
#include "server/answers.h"
#include "server/query_parameters.h"

namespace custodian::server {

using json = nlohmann::ordered_json;

void AddAlertRoutes(Router& router, const ServerServices& api) {
  router.Get("/api/v1/alerts", Staff(), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    const auto limit = NumberParameter(req, res, "limit", 100, 1, 500);
    if (!limit) return;
    auto alerts = cases::AlertsFor(api.workflow.database(), api.clock, caller.name, static_cast<int>(*limit));
    if (!alerts.ok()) return Fail(res, alerts.status());
    json out = json::array();
    for (const auto& a : *alerts) out.push_back(cases::AlertToJson(a));
    Send(res, 200, out);
  });
}

}  // namespace custodian::server
