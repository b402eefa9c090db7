// An instance's settings: DATA/custodian.toml, optional (every setting has a default), read
// strictly (an unknown key or a wrong type is refused with file:line:column).
//
//   [cases]
//   store = "postgresql://custodian@db.internal/custodian"   # default: sqlite:DATA/cases.db
//   cli_decisions = false   # review and approval only in the console (default: true)
//   files = "case_store"    # sealed packages and process documents as rows of the case store,
//                           # which every server of the instance reads (default: "data", the
//                           # files of DATA/packages and DATA/attachments, on one server's disk)
//
//   [notices]
//   webhook_url = "https://accounts.internal/custodian/notices"   # where users' notices go
//   webhook_key_file = "/etc/custodian/webhook.key"   # the HMAC key shared with the service
//
//   [mail]   # alerts and requesters' messages by e-mail (docs/operations.md, "Alerts")
//   smtp = "smtp.example.org:587"          # HOST:PORT; without it, no e-mail
//   from = "custodian@example.org"         # required with smtp
//   username = "custodian"                 # optional, with password_file
//   password_file = "/etc/custodian/smtp.password"   # its first line is the password
//   tls = "required"   # | "opportunistic" | "none"; default: required, opportunistic to loopback
//   ca_file = "/etc/custodian/smtp-ca.pem" # default: the system's CAs
//
//   [alerts]
//   webhook = "https://chat.internal/custodian/alerts"   # alerts also POSTed here, signed
//   webhook_key_file = "/etc/custodian/alerts.key"       # as notices' are (required with webhook)
//   interval_seconds = 60   # how often `serve` scans for alerts (10 to 86400; default: 60)
//   console_url = "https://custodian.example.org"       # what the links in alerts start with
//                       # (and requesters' messages: console_url/portal/#/requests/ID)
//
//   [auth]
//   require_totp = false   # staff may sign in without a second factor (default: true)
//   sign_in_attempts_per_minute = 10   # from one address, each factor tried (1 to 100000)
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
//   key_cache_entries = 1000000   # account keys kept unwrapped in memory, 154 bytes
//                                 # each (default: 262144; at least 1024)
//   index_cache_mib = 256   # opened address-index chunks kept in memory (default: 64)
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
#include "vault/address_chunk_cache.h"
#include "vault/key_store.h"

namespace custodian {

struct InstanceConfig {
  std::string case_store;  // a Database URL (cases/database.h)
  bool cli_decisions = true;
  bool files_in_case_store = false;  // [cases] files = "case_store"
  std::string notices_webhook_url;       // empty: notices wait in the outbox
  std::string notices_webhook_key_file;
  bool require_totp = true;
  int sign_in_attempts_per_minute = 10;
  std::vector<std::string> geo_city_databases;  // default: geo::DefaultCityDatabases()
  std::string geo_asn_database;                 // empty: no ASN database
  // [production]: the certificate of every production (empty: production/record_pdf_sink.h's).
  std::string service_name, custodian_name, custodian_title, certificate_text;
  int download_grant_days = 7;  // [delivery] grant_days
  server::ConnectionLimits connections;  // [server]
  int vault_lock_wait_seconds = 60;  // [vault] lock_wait_seconds
  size_t vault_key_cache_entries = vault::KeyStore::kDefaultCacheEntries;  // [vault] key_cache_entries
  size_t vault_index_cache_bytes = vault::AddressChunkCache::kDefaultBytes;  // [vault] index_cache_mib
  // [mail]: empty smtp, no e-mail. tls: empty for the default.
  std::string mail_smtp, mail_from, mail_username, mail_password_file, mail_tls, mail_ca_file;
  // [alerts]
  std::string alerts_webhook, alerts_webhook_key_file, alerts_console_url;
  int alerts_interval_seconds = 60;
};

Result<InstanceConfig> LoadInstanceConfig(const std::string& data_dir);

}  // namespace custodian
