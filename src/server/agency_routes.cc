// The agency registry (docs/cases.md): staff read it, an admin replaces it.
#include "server/routes.h"

#include "server/answers.h"

namespace custodian::server {

using json = nlohmann::ordered_json;

void AddAgencyRoutes(Router& router, const ServerServices& api, const ServerOptions& options) {
  router.Get("/api/v1/agencies", Staff(), [api](const httplib::Request&, httplib::Response& res, const Caller&) {
    auto registry = api.workflow.Registry();
    if (!registry.ok()) return Fail(res, registry.status());
    Send(res, 200, *registry ? json::parse((*registry)->document) : json::array());
  });
  router.Put("/api/v1/agencies", Staff({Role::kAdmin}), Json(options.max_body_bytes), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    if (Status s = api.workflow.ImportRegistry(req.body, {caller.name}); !s.ok()) {
      return Fail(res, s);
    }
    Send(res, 200, json::parse(req.body));
  });
}

}  // namespace custodian::server
