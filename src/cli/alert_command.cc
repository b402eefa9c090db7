#include "cli/alert_command.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "cases/case_json.h"
#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "cli/instance_flags.h"
#include "cli/staff_actor.h"
#include "instance/instance.h"
#include "server/mail_transport.h"
#include "server/webhook_transport.h"

namespace custodian {

Result<server::MailSettings> MailSettingsOf(const InstanceConfig& config) {
  if (config.mail_smtp.empty()) return Status::NotFound("[mail] names no server");
  server::MailSettings settings{config.mail_smtp, config.mail_from, config.mail_username};
  if (!config.mail_password_file.empty()) {
    auto password = ReadSecretFile(config.mail_password_file, "mail.password_file");
    if (!password.ok()) return password.status();
    settings.password = std::move(password).value();
  }
  if (!config.mail_tls.empty()) settings.tls = server::ParseMailTls(config.mail_tls);
  settings.ca_file = config.mail_ca_file;
  settings.console_url = config.alerts_console_url;
  return settings;
}

Result<AlertChannels> AlertChannelsOf(const InstanceConfig& config, Clock& clock) {
  AlertChannels channels;
  if (!config.mail_smtp.empty()) {
    auto settings = MailSettingsOf(config);
    if (!settings.ok()) return settings.status();
    auto mail = server::MailTransport::Create(std::move(settings).value(), clock);
    if (!mail.ok()) return mail.status();
    channels.mail = std::move(mail).value();
  }
  if (!config.alerts_webhook.empty()) {
    auto key = ReadSecretFile(config.alerts_webhook_key_file, "alerts.webhook_key_file");
    if (!key.ok()) return key.status();
    auto webhook = server::WebhookTransport::Create(config.alerts_webhook, *key, clock,
                                                    {"alerts.webhook", "alerts.webhook_key_file"});
    if (!webhook.ok()) return webhook.status();
    channels.webhook = std::make_unique<server::AlertWebhook>(std::move(webhook).value(), config.alerts_console_url);
  }
  return channels;
}

namespace {

struct AlertFlags {
  InstanceOptions instance;
  std::string actor;
  int limit = 100;
};

// Raises what is due and delivers what is pending, once; exit 1 when a delivery failed (it
// stays pending: the next run retries it), so that cron says so.
int RunOnce(const AlertFlags& f) {
  auto config = LoadInstanceConfig(f.instance.data_dir);
  if (!config.ok()) return ReportFailure(config.status());
  auto channels = AlertChannelsOf(*config, SystemClock());
  if (!channels.ok()) return ReportFailure(channels.status());
  auto db = OpenCaseStore(f.instance);
  if (!db.ok()) return ReportFailure(db.status());
  auto report = cases::AlertOutbox(**db, SystemClock(), channels->transports()).Run();
  if (!report.ok()) return ReportFailure(report.status());
  std::cout << nlohmann::ordered_json{{"raised", report->raised},
                                      {"sent", report->sent},
                                      {"failed", report->failed},
                                      {"unaddressed", report->unaddressed}}
                   .dump(2)
            << "\n";
  if (report->failed > 0) {
    std::cerr << report->failed << " deliveries failed; they stay pending and are retried "
              << "(custodian alerts list shows where they stand)\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void AddAlertCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<AlertFlags>();
  auto* alerts = app.add_subcommand("alerts", "Staff alerts: deadlines, emergencies, holds and orders ending");
  alerts->require_subcommand(1);

  auto* run = alerts->add_subcommand("run", "Raise the alerts that are due and deliver those pending "
                                            "(the server does this every [alerts] interval_seconds)");
  AddInstanceFlags(run, f->instance);
  run->callback([f, exit_code] { *exit_code = RunOnce(*f); });

  auto* list = alerts->add_subcommand("list", "A staff user's alerts, newest first");
  AddInstanceFlags(list, f->instance);
  list->add_option("--actor", f->actor, "The staff user whose alerts these are (recorded in the audit log)")
      ->required();
  list->add_option("--limit", f->limit, "At most this many")->check(CLI::Range(1, 500))->capture_default_str();
  list->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {}, [&](Instance& s, const cases::Actor& who)
                                -> Result<nlohmann::ordered_json> {
      auto all = cases::AlertsFor(*s.db, SystemClock(), who.name, f->limit);
      if (!all.ok()) return all.status();
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const cases::AlertRecord& a : *all) out.push_back(cases::AlertToJson(a));
      return out;
    });
  });
}

}  // namespace custodian
