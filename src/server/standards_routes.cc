// The instance's disclosure standards (docs/policy.md): staff read them, an admin installs new ones.
#include "server/routes.h"

#include "cases/case_json.h"
#include "server/answers.h"

namespace custodian::server {

using json = nlohmann::ordered_json;

void AddStandardsRoutes(Router& router, const ServerServices& api, const ServerOptions& options) {
  router.Get("/api/v1/standards", Staff(), [api](const httplib::Request&, httplib::Response& res, const Caller&) {
    auto overview = api.workflow.standards().Overview(api.workflow.database());
    if (!overview.ok()) return Fail(res, overview.status());
    Send(res, 200, json::parse(cases::StandardsToJson(*overview, true).dump()));
  });
  router.Put("/api/v1/standards", Staff({Role::kAdmin}), Toml(options.max_body_bytes), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    auto installed = api.workflow.InstallStandards(req.body, "standards.toml", {caller.name});
    if (!installed.ok()) return Fail(res, installed.status());
    Send(res, 200, json::parse(cases::StandardsInstallToJson(*installed).dump()));
  });
}

}  // namespace custodian::server
