#include "cli/serve_command.h"

#include <signal.h>

#include <iostream>
#include <memory>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "cases/alert_outbox.h"
#include "cases/requester_mail.h"
#include "cli/alert_command.h"
#include "cli/exit_codes.h"
#include "cli/instance_flags.h"
#include "cli/notice_command.h"
#include "cli/production_command.h"
#include "core/clock.h"
#include "instance/instance.h"
#include "instance/instance_keys.h"
#include "server/api_server.h"
#include "server/mail_transport.h"
#include "server/requester_store.h"
#include "server/user_store.h"

namespace custodian {
namespace {

// "HOST:PORT" or "[IPV6]:PORT".
Status ParseListen(const std::string& text, server::ServerOptions& options) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return Status::InvalidArgument("--listen: HOST:PORT");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return Status::InvalidArgument("--listen: not a port");
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return Status::InvalidArgument("--listen: not a port");
  options.host = host;
  options.port = port;
  return Status::Ok();
}

}  // namespace

int ServeInstance(const ServeSettings& f) {
  server::ServerOptions options;
  if (Status s = ParseListen(f.listen, options); !s.ok()) return ReportFailure(s);
  options.tls_certificate = f.tls_certificate;
  options.tls_private_key = f.tls_private_key;
  // SIGINT and SIGTERM end the server; they are waited for here, not handled asynchronously.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts (the vault's too)
  auto instance = Instance::Open(f.instance);
  if (!instance.ok()) return ReportFailure(instance.status());
  Instance& s = **instance;
  options.connections = s.config.connections;
  options.login_attempts_per_minute = s.config.sign_in_attempts_per_minute;
  options.demo = s.demo;
  server::UserStoreOptions user_options;
  // A demo instance's staff sign in by password alone, whatever custodian.toml says.
  user_options.require_totp = s.config.require_totp && !s.demo;
  const vault::SecretKey second_factors = DeriveInstanceKey(s.master, InstanceKey::kSecondFactors);
  server::UserStore users(*s.db, second_factors, SystemClock(), user_options);
  // Requesters always enrol a second factor, whatever staff's [auth] says; but on a demo
  // instance, whose mark turns second factors off for everyone.
  server::RequesterStoreOptions requester_options;
  requester_options.sign_in.require_totp = !s.demo;
  server::RequesterStore requesters(*s.db, second_factors, SystemClock(), requester_options);
  // The portal's confirmation links go out through [mail], as alerts do.
  std::unique_ptr<server::MailTransport> portal_mail;
  if (auto settings = MailSettingsOf(s.config); settings.ok()) {
    auto mail = server::MailTransport::Create(std::move(settings).value(), SystemClock());
    if (!mail.ok()) return ReportFailure(mail.status());
    portal_mail = std::move(mail).value();
  } else if (!settings.status().IsNotFound()) {
    return ReportFailure(settings.status());
  }
  // The notice outbox runs beside the API when the configuration names a webhook.
  std::unique_ptr<cases::NoticeTransport> transport;
  std::unique_ptr<cases::NoticeOutbox> outbox;
  if (auto t = NoticeTransportOf(s.config, SystemClock()); t.ok()) {
    transport = std::move(t).value();
    outbox = std::make_unique<cases::NoticeOutbox>(*s.db, *s.standards, SystemClock(), *transport,
                                                  s.pseudonym_key);
  } else if (!t.status().IsNotFound()) {
    return ReportFailure(t.status());
  }

  // Alerts are raised whatever channels there are (the console shows them), and mailed and
  // posted where the configuration says.
  auto channels = AlertChannelsOf(s.config, SystemClock());
  if (!channels.ok()) return ReportFailure(channels.status());
  cases::AlertOutbox alerts(*s.db, SystemClock(), channels->transports());
  // Requesters' messages (cases/requester_mail.h) leave by the same mail server, with links
  // to the portal under the same [alerts] console_url; without [mail] they wait.
  std::unique_ptr<cases::RequesterMailOutbox> requester_mail;
  if (channels->mail) {
    requester_mail = std::make_unique<cases::RequesterMailOutbox>(*s.db, SystemClock(), *channels->mail,
                                                                   s.config.alerts_console_url);
  }

  // Productions asked for over the API run here, each on a thread these jobs own.
  server::ProductionJobs productions(*s.db, *s.workflow, *s.vault, *s.signing_keys, *s.ledgers, SystemClock(),
                                     ProductionSettingsOf(s, f.instance.data_dir));
  auto server = server::ApiServer::Start(
      {*s.workflow, users, *s.vault, *s.ledgers, *s.signing_keys, SystemClock(), *s.packages, &productions,
       &requesters, portal_mail.get()},
      options);
  if (!server.ok()) return ReportFailure(server.status());
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  // Background duties (Instance::RunDuties), at start and every 30 seconds.
  std::thread duties([&] {
    std::unique_lock lock(stop_mu);
    while (!stopping) {
      lock.unlock();
      for (const std::string& problem : s.RunDuties({outbox.get(), requester_mail.get()})) {
        std::cerr << "custodian: " << problem << std::endl;
      }
      lock.lock();
      stop_cv.wait_for(lock, std::chrono::seconds(30), [&] { return stopping; });
    }
  });
  // Alerts, every [alerts] interval_seconds: those due are raised, those pending delivered.
  std::thread alerting([&] {
    std::unique_lock lock(stop_mu);
    while (!stopping) {
      lock.unlock();
      if (auto r = alerts.Run(); !r.ok()) {
        std::cerr << "custodian: alerts: " << r.status().message() << std::endl;
      } else if (r->failed > 0) {
        std::cerr << "custodian: alerts: " << r->failed << " deliveries failed; they are retried" << std::endl;
      }
      lock.lock();
      stop_cv.wait_for(lock, std::chrono::seconds(s.config.alerts_interval_seconds), [&] { return stopping; });
    }
  });
  const std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  const std::string url = std::string(options.tls_certificate.empty() ? "http" : "https") + "://" + host + ":" +
                          std::to_string((*server)->port());
  // One write: whoever reads the log sees the whole line or none of it.
  std::cerr << ("custodian: serving " + url + "/api/v1 (OpenAPI at /api/openapi.json)\n") << std::flush;
  if (f.on_listening) f.on_listening(url);
  int signal = 0;
  sigwait(&signals, &signal);
  std::cerr << "custodian: stopping\n";
  (*server)->Stop();
  {
    std::lock_guard lock(stop_mu);
    stopping = true;
  }
  stop_cv.notify_all();
  duties.join();
  alerting.join();
  return kExitOk;
}

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ServeSettings>();
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API until SIGINT or SIGTERM");
  AddInstanceFlags(serve, f->instance);
  serve->add_option("--listen", f->listen, "HOST:PORT (beyond loopback only with TLS)")
      ->capture_default_str();
  serve->add_option("--tls-cert", f->tls_certificate, "TLS certificate (PEM)");
  serve->add_option("--tls-key", f->tls_private_key, "TLS private key (PEM)");
  serve->callback([f, exit_code] { *exit_code = ServeInstance(*f); });
}

}  // namespace custodian
