#include "cli/serve_command.h"

#include <signal.h>

#include <iostream>
#include <memory>

#include "cases/database.h"
#include "cases/workflow.h"
#include "cli/exit_codes.h"
#include "cli/instance.h"
#include "cli/instance_config.h"
#include "cli/instance_flags.h"
#include "core/clock.h"
#include "policy/standards.h"
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
  auto config = LoadInstanceConfig(f.instance.data_dir);
  if (!config.ok()) return ReportFailure(config.status());
  auto master = LoadMasterKey(f.instance);
  if (!master.ok()) return ReportFailure(master.status());
  auto vault = OpenVault(f.instance);
  if (!vault.ok()) return ReportFailure(vault.status());
  auto db = cases::Database::Open(config->case_store);
  if (!db.ok()) return ReportFailure(db.status());
  auto standards = LoadDefaultStandards();
  if (!standards.ok()) return ReportFailure(standards.status());
  cases::Workflow workflow(**db, *standards, **vault, SystemClock(),
                           cases::WorkflowOptions{.cli_decisions = config->cli_decisions});
  server::UserStore users(**db, vault::DeriveKey(*master, "authtotp"), SystemClock());

  // SIGINT and SIGTERM end the server; they are waited for here, not handled asynchronously.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  auto server = server::ApiServer::Start(workflow, users, **vault, SystemClock(), options);
  if (!server.ok()) return ReportFailure(server.status());
  const std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::cerr << "custodian: serving " << (options.tls_certificate.empty() ? "http" : "https")
            << "://" << host << ":" << (*server)->port() << "/api/v1 (OpenAPI at /api/openapi.json)"
            << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  std::cerr << "custodian: stopping\n";
  (*server)->Stop();
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
