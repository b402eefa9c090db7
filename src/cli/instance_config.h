// An instance's settings: DATA/custodian.toml, optional (every setting has a default), read
// strictly (an unknown key or a wrong type is refused with file:line:column).
//
//   [cases]
//   store = "postgresql://custodian@db.internal/custodian"   # default: sqlite:DATA/cases.db
//   cli_decisions = false   # review and approval only in the console (default: true)
//
//   [notices]
//   webhook_url = "https://accounts.internal/custodian/notices"   # where users' notices go
//   webhook_key_file = "/etc/custodian/webhook.key"   # the HMAC key shared with the service
//
//   [auth]
//   require_totp = false   # staff may sign in without a second factor (default: true)
//
//   [server]   # what `serve` allows each client (docs/operations.md; server/connection_limits.h)
//   max_connections_per_address = 8   # at once, from one address; 0: no bound (behind a proxy)
//   header_timeout_seconds = 10       # a request's line and headers, from its first byte
//   body_timeout_seconds = 60         # its body, from the end of its headers
//   workers = 32                      # connections served at once
//
//   [geo]   # the MMDB files that geolocate addresses in productions (docs/operations.md)
//   city_databases = ["/var/lib/GeoIP/GeoIP2-City.mmdb"]   # default: the demo-grade DB-IP
//                                    # Lite files scripts/setup.sh installs (IPv4 and IPv6)
//   asn_database = "/var/lib/GeoIP/GeoLite2-ASN.mmdb"       # default: none, so no ASN fields
//
//   [delivery]
//   grant_days = 3   # how long a requester's download grant stays usable (default: 7)
//
//   [vault]
//   lock_wait_seconds = 300   # how long a write waits for another writer of the vault (a
//                             # serve batch, a CLI import, a retention run) (default: 60)
//
//   [production]   # every key optional; the defaults are production/record_pdf_sink.h's
//   service_name = "Example Mail"          # default: "the service"
//   custodian_name = "A. Person"           # default: "Custodian of Records"
//   custodian_title = "Legal Process Team" # the default
//   certificate_text = "…"   # default: the business-records declaration, {service} replaced
// Relative paths are taken from DATA; `city_databases = []` turns city lookups off.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "server/connection_limits.h"

namespace custodian {

struct InstanceConfig {
  std::string case_store;  // a Database URL (cases/database.h)
  bool cli_decisions = true;
  std::string notices_webhook_url;       // empty: notices wait in the outbox
  std::string notices_webhook_key_file;
  bool require_totp = true;
  std::vector<std::string> geo_city_databases;  // default: geo::DefaultCityDatabases()
  std::string geo_asn_database;                 // empty: no ASN database
  // [production]: the certificate of every production (empty: production/record_pdf_sink.h's).
  std::string service_name, custodian_name, custodian_title, certificate_text;
  int download_grant_days = 7;  // [delivery] grant_days
  server::ConnectionLimits connections;  // [server]
  int vault_lock_wait_seconds = 60;  // [vault] lock_wait_seconds
};

Result<InstanceConfig> LoadInstanceConfig(const std::string& data_dir);

}  // namespace custodian
