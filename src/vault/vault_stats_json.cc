#include "vault/vault_stats_json.h"

namespace custodian::vault {

nlohmann::ordered_json VaultStatsToJson(const VaultStats& stats) {
  using json = nlohmann::ordered_json;
  const auto day = [](const std::optional<Date>& d) { return d ? json(FormatDate(*d)) : json(); };
  return {{"events", stats.events},
          {"subscriber_versions", stats.subscriber_versions},
          {"accounts", stats.accounts},
          {"deleted_accounts", stats.deleted_accounts},
          {"partitions", stats.partitions},
          {"segments", stats.segments},
          {"unsealed_events", stats.unsealed_events},
          {"bytes_on_disk", stats.bytes_on_disk},
          {"oldest_day", day(stats.oldest_day)},
          {"newest_day", day(stats.newest_day)},
          {"access_log_retention_days", stats.access_log_retention_days},
          {"subscriber_retention_days", stats.subscriber_retention_days},
          {"active_holds", stats.active_holds}};
}

}  // namespace custodian::vault
