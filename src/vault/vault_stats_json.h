// The vault's counts as `custodian vault stats` prints them and GET /api/v1/vault/status
// answers them: counts, days and periods only, never personal data.
#pragma once

#include <nlohmann/json.hpp>

#include "vault/vault.h"

namespace custodian::vault {

nlohmann::ordered_json VaultStatsToJson(const VaultStats& stats);

}  // namespace custodian::vault
