// The vault's counts and retention, for any staff role: what the console shows everyone (no
// personal data: counts, days and periods only).
#include "server/routes.h"

#include "server/answers.h"
#include "vault/vault_stats_json.h"

namespace custodian::server {

void AddVaultRoutes(Router& router, const ServerServices& api) {
  router.Get("/api/v1/vault/status", Staff(), [api](const httplib::Request&, httplib::Response& res, const Caller&) {
    auto stats = api.vault.Stats();
    if (!stats.ok()) return Fail(res, stats.status());
    Send(res, 200, vault::VaultStatsToJson(*stats));
  });
}

}  // namespace custodian::server
