// `custodian alerts run|list`: the alert outbox (cases/alert_outbox.h) from the command line,
// and the channels the instance's configuration names, which `serve` runs too.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

#include "cases/alert_outbox.h"
#include "core/clock.h"
#include "instance/instance_config.h"
#include "server/mail_transport.h"

namespace custodian {

// The channels [mail] and [alerts] configure: none, either or both, owned here.
struct AlertChannels {
  std::unique_ptr<server::MailTransport> mail;  // requesters' messages leave by it too
  std::unique_ptr<cases::AlertTransport> webhook;
  cases::AlertTransports transports() const { return {mail.get(), webhook.get()}; }
};

// [mail]'s settings (the SMTP password read from its file), with [alerts] console_url;
// NotFound when [mail] names no server.
Result<server::MailSettings> MailSettingsOf(const InstanceConfig& config);

// Reads the secrets the configuration names (the SMTP password, the webhook's key) and builds
// the channels; InvalidArgument naming the setting for any that is wrong.
Result<AlertChannels> AlertChannelsOf(const InstanceConfig& config, Clock& clock);

void AddAlertCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
