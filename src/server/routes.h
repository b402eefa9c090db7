// The API's endpoints, one function per resource (docs/api.md), each registering its routes on
// the router. Handlers borrow the services, which outlive the server.
#pragma once

#include "server/router.h"
#include "server/server_services.h"

namespace custodian::server {

void AddSessionRoutes(Router& router, const ServerServices& api, const ServerOptions& options);
void AddCaseRoutes(Router& router, const ServerServices& api);
void AddHoldRoutes(Router& router, const ServerServices& api);
void AddAlertRoutes(Router& router, const ServerServices& api);
void AddAgencyRoutes(Router& router, const ServerServices& api, const ServerOptions& options);
void AddUserRoutes(Router& router, const ServerServices& api);
void AddTokenRoutes(Router& router, const ServerServices& api);
void AddVaultRoutes(Router& router, const ServerServices& api);
void AddStandardsRoutes(Router& router, const ServerServices& api, const ServerOptions& options);
void AddIngestRoutes(Router& router, const ServerServices& api, const ServerOptions& options);
void AddPortalRoutes(Router& router, const ServerServices& api);
void AddRequesterRoutes(Router& router, const ServerServices& api, const ServerOptions& options);
void AddProductionRoutes(Router& router, const ServerServices& api);
void AddLedgerRoutes(Router& router, const ServerServices& api);
void AddReportRoutes(Router& router, const ServerServices& api);
void AddConsoleRoutes(Router& router);

}  // namespace custodian::server
