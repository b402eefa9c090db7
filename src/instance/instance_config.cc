#include "instance/instance_config.h"

#include <algorithm>

#include "core/email_address.h"
#include "core/file_system.h"
#include "geo/geolocator.h"
#include "policy/toml_reader.h"
#include "server/mail_transport.h"

namespace custodian {

Result<InstanceConfig> LoadInstanceConfig(const std::string& data_dir) {
  InstanceConfig config;
  config.case_store = "sqlite:" + JoinPath(data_dir, "cases.db");
  config.geo_city_databases = geo::DefaultCityDatabases();
  const std::string path = JoinPath(data_dir, "custodian.toml");
  FileSystem& fs = PosixFileSystem();
  if (!fs.Exists(path)) return config;
  auto text = fs.ReadAll(path);
  if (!text.ok()) return text.status();
  toml::table root;
  try {
    root = toml::parse(*text, std::string_view{path});
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.source().begin.line) + ":" +
                                   std::to_string(e.source().begin.column) + ": " +
                                   std::string(e.description()));
  }
  TomlReader reader(path);
  reader.CheckKeys(root, "", {"cases", "notices", "mail", "alerts", "auth", "server", "production", "geo",
                              "delivery", "vault"});
  // Relative paths are the data directory's, like every other file of an instance.
  auto in_data = [&](const std::string& p) { return p.starts_with('/') ? p : JoinPath(data_dir, p); };
  if (const toml::table* cases = reader.Table(root, "", "cases", false)) {
    reader.CheckKeys(*cases, "cases", {"store", "cli_decisions", "files"});
    if (auto store = reader.String(*cases, "cases", "store", false, 4096)) {
      config.case_store = *store == "sqlite" ? config.case_store : *store;
    }
    if (auto files = reader.String(*cases, "cases", "files", false, 64)) {
      if (*files != "data" && *files != "case_store") {
        reader.Error(cases->get("files")->source(), "'cases.files' must be \"data\" or \"case_store\"");
      }
      config.files_in_case_store = *files == "case_store";
    }
    if (auto cli = reader.Bool(*cases, "cases", "cli_decisions")) config.cli_decisions = *cli;
  }
  if (const toml::table* notices = reader.Table(root, "", "notices", false)) {
    reader.CheckKeys(*notices, "notices", {"webhook_url", "webhook_key_file"});
    if (auto url = reader.String(*notices, "notices", "webhook_url", true, 4096)) {
      config.notices_webhook_url = *url;
    }
    if (auto key = reader.String(*notices, "notices", "webhook_key_file", true, 4096)) {
      config.notices_webhook_key_file = *key;
    }
  }
  if (const toml::table* mail = reader.Table(root, "", "mail", false)) {
    reader.CheckKeys(*mail, "mail", {"smtp", "from", "username", "password_file", "tls", "ca_file"});
    if (auto smtp = reader.String(*mail, "mail", "smtp", true, 1024)) config.mail_smtp = *smtp;
    if (auto from = reader.String(*mail, "mail", "from", true, 254)) {
      if (Status s = CheckEmailAddress(*from, "'mail.from'"); !s.ok()) {
        reader.Error(mail->get("from")->source(), s.message());
      }
      config.mail_from = *from;
    }
    if (auto user = reader.String(*mail, "mail", "username", false, 1024)) config.mail_username = *user;
    if (auto file = reader.String(*mail, "mail", "password_file", false, 4096)) {
      config.mail_password_file = in_data(*file);
    }
    if (config.mail_username.empty() != config.mail_password_file.empty()) {
      reader.Error(mail->source(), "'mail.username' and 'mail.password_file' go together");
    }
    if (auto tls = reader.String(*mail, "mail", "tls", false, 64)) {
      if (!server::ParseMailTls(*tls)) {
        reader.Error(mail->get("tls")->source(),
                     "'mail.tls' must be \"required\", \"opportunistic\" or \"none\"");
      }
      config.mail_tls = *tls;
    }
    if (auto file = reader.String(*mail, "mail", "ca_file", false, 4096)) config.mail_ca_file = in_data(*file);
  }
  if (const toml::table* alerts = reader.Table(root, "", "alerts", false)) {
    reader.CheckKeys(*alerts, "alerts", {"webhook", "webhook_key_file", "interval_seconds", "console_url"});
    if (auto url = reader.String(*alerts, "alerts", "webhook", false, 4096)) config.alerts_webhook = *url;
    if (auto key = reader.String(*alerts, "alerts", "webhook_key_file", false, 4096)) {
      config.alerts_webhook_key_file = in_data(*key);
    }
    if (config.alerts_webhook.empty() != config.alerts_webhook_key_file.empty()) {
      reader.Error(alerts->source(), "'alerts.webhook' and 'alerts.webhook_key_file' go together");
    }
    if (auto seconds = reader.Integer(*alerts, "alerts", "interval_seconds", false, 10, 86400)) {
      config.alerts_interval_seconds = static_cast<int>(*seconds);
    }
    if (auto url = reader.String(*alerts, "alerts", "console_url", false, 1024)) {
      // It goes into mail bodies and webhook payloads as it is: a plain http(s) URL.
      const bool printable = std::all_of(url->begin(), url->end(), [](char c) { return c > ' ' && c < 127; });
      if (!printable || !(url->starts_with("https://") || url->starts_with("http://"))) {
        reader.Error(alerts->get("console_url")->source(),
                     "'alerts.console_url' must be an http:// or https:// URL without spaces");
      }
      config.alerts_console_url = *url;
    }
  }
  if (const toml::table* auth = reader.Table(root, "", "auth", false)) {
    reader.CheckKeys(*auth, "auth", {"require_totp", "sign_in_attempts_per_minute"});
    if (auto totp = reader.Bool(*auth, "auth", "require_totp")) config.require_totp = *totp;
    if (auto n = reader.Integer(*auth, "auth", "sign_in_attempts_per_minute", false, 1, 100000)) {
      config.sign_in_attempts_per_minute = static_cast<int>(*n);
    }
  }
  if (const toml::table* server = reader.Table(root, "", "server", false)) {
    server::ConnectionLimits& limits = config.connections;
    reader.CheckKeys(*server, "server", {"max_connections_per_address", "header_timeout_seconds",
                                         "body_timeout_seconds", "workers"});
    if (auto n = reader.Integer(*server, "server", "max_connections_per_address", false, 0, 100000)) {
      limits.max_per_address = static_cast<size_t>(*n);
    }
    if (auto s = reader.Integer(*server, "server", "header_timeout_seconds", false, 1, 3600)) {
      limits.header_timeout = std::chrono::seconds(*s);
    }
    if (auto s = reader.Integer(*server, "server", "body_timeout_seconds", false, 1, 86400)) {
      limits.body_timeout = std::chrono::seconds(*s);
    }
    if (auto n = reader.Integer(*server, "server", "workers", false, 1, 1024)) {
      limits.workers = static_cast<size_t>(*n);
    }
  }
  if (const toml::table* delivery = reader.Table(root, "", "delivery", false)) {
    reader.CheckKeys(*delivery, "delivery", {"grant_days"});
    if (auto days = reader.Integer(*delivery, "delivery", "grant_days", false, 1, 90)) {
      config.download_grant_days = static_cast<int>(*days);
    }
  }
  if (const toml::table* vault = reader.Table(root, "", "vault", false)) {
    reader.CheckKeys(*vault, "vault", {"lock_wait_seconds", "key_cache_entries", "index_cache_mib"});
    if (auto wait = reader.Integer(*vault, "vault", "lock_wait_seconds", false, 0, 86400)) {
      config.vault_lock_wait_seconds = static_cast<int>(*wait);
    }
    if (auto keys = reader.Integer(*vault, "vault", "key_cache_entries", false, 1024, 1'000'000'000)) {
      config.vault_key_cache_entries = static_cast<size_t>(*keys);
    }
    if (auto mib = reader.Integer(*vault, "vault", "index_cache_mib", false, 0, 1'048'576)) {
      config.vault_index_cache_bytes = static_cast<size_t>(*mib) << 20;
    }
  }
  if (const toml::table* geo = reader.Table(root, "", "geo", false)) {
    reader.CheckKeys(*geo, "geo", {"city_databases", "asn_database"});
    if (auto city = reader.StringArray(*geo, "geo", "city_databases", false, {}, "path")) {
      config.geo_city_databases.clear();
      for (const TomlReader::Item& item : *city) {
        config.geo_city_databases.push_back(in_data(item.value));
      }
    }
    if (auto asn = reader.String(*geo, "geo", "asn_database", false, 4096)) {
      config.geo_asn_database = in_data(*asn);
    }
  }
  if (const toml::table* production = reader.Table(root, "", "production", false)) {
    reader.CheckKeys(*production, "production",
                     {"service_name", "custodian_name", "custodian_title", "certificate_text"});
    for (auto [key, field] : {std::pair{"service_name", &config.service_name},
                              std::pair{"custodian_name", &config.custodian_name},
                              std::pair{"custodian_title", &config.custodian_title},
                              std::pair{"certificate_text", &config.certificate_text}}) {
      // Each is optional: a service names itself and keeps the other defaults.
      if (auto text = reader.String(*production, "production", key, false, 8192)) *field = *text;
    }
  }
  if (!reader.errors().empty()) {
    std::string all;
    for (const std::string& e : reader.errors()) all += (all.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(all);
  }
  return config;
}

}  // namespace custodian
