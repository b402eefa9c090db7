#include "cli/serve_command.h"

#include <signal.h>

#include <iostream>
#include <memory>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "cases/ledger_store.h"
#include "cli/case_session.h"
#include "cli/exit_codes.h"
#include "cli/instance_flags.h"
#include "cli/notice_command.h"
#include "cli/production_command.h"
#include "core/clock.h"
#include "server/api_server.h"
#include "server/user_store.h"

namespace custodian {
namespace {

struct ServeFlags {
  InstanceOptions instance;
  std::string listen = "127.0.0.1:8080";
  std::string tls_certificate, tls_private_key;
};

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

int Serve(const ServeFlags& f) {
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
  auto session = OpenCaseSession(f.instance);
  if (!session.ok()) return ReportFailure(session.status());
  CaseSession& s = **session;
  options.connections = s.config.connections;
  server::UserStoreOptions user_options;
  user_options.require_totp = s.config.require_totp;
  server::UserStore users(*s.db, vault::DeriveKey(s.master, "authtotp"), SystemClock(), user_options);
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

  // Productions asked for over the API run here, each on a thread these jobs own.
  server::ProductionJobs productions(*s.db, *s.workflow, *s.vault, *s.signing_keys, *s.ledgers, SystemClock(),
                                     ProductionSettingsOf(s, f.instance.data_dir));
  auto server = server::ApiServer::Start(
      {*s.workflow, users, *s.vault, *s.ledgers, *s.signing_keys, SystemClock(), *s.packages, &productions},
      options);
  if (!server.ok()) return ReportFailure(server.status());
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  // Background duties, every 30 seconds: the retention of the standards in force (another
  // server may have installed new ones), notices due, holds run out, and fresh tree heads, so
  // that the published heads trail the logs by half a minute at most.
  std::thread duties([&] {
    std::unique_lock lock(stop_mu);
    while (!stopping) {
      lock.unlock();
      if (auto current = s.standards->Current(*s.db); current.ok()) {
        s.vault->SetRetention((*current)->access_log_retention_days,
                              (*current)->subscriber_retention_days);
      } else {
        std::cerr << "custodian: reading the standards: " << current.status().message() << std::endl;
      }
      if (outbox) {
        if (auto r = outbox->DeliverDue(); !r.ok()) {
          std::cerr << "custodian: notice outbox: " << r.status().message() << std::endl;
        }
      }
      if (auto r = s.workflow->ExpireHolds({"custodian"}); !r.ok()) {
        std::cerr << "custodian: hold expiry: " << r.status().message() << std::endl;
      }
      for (std::string_view log : {cases::kAuditLog, cases::kDisclosureLog}) {
        // Nothing appended since the last head: the same head comes back, nothing is stored.
        if (auto head = s.ledgers->SignHead(log, "custodian"); !head.ok()) {
          std::cerr << "custodian: signing the " << log << " log's head: "
                    << head.status().message() << std::endl;
        }
      }
      lock.lock();
      stop_cv.wait_for(lock, std::chrono::seconds(30), [&] { return stopping; });
    }
  });
  const std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  // One write: whoever reads the log sees the whole line or none of it.
  std::cerr << ("custodian: serving " + std::string(options.tls_certificate.empty() ? "http" : "https") +
                "://" + host + ":" + std::to_string((*server)->port()) +
                "/api/v1 (OpenAPI at /api/openapi.json)\n")
            << std::flush;
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
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ServeFlags>();
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API until SIGINT or SIGTERM");
  AddInstanceFlags(serve, f->instance);
  serve->add_option("--listen", f->listen, "HOST:PORT (beyond loopback only with TLS)")
      ->capture_default_str();
  serve->add_option("--tls-cert", f->tls_certificate, "TLS certificate (PEM)");
  serve->add_option("--tls-key", f->tls_private_key, "TLS private key (PEM)");
  serve->callback([f, exit_code] { *exit_code = Serve(*f); });
}

}  // namespace custodian
