#include "server/api_server.h"

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string_view>
#include <thread>

#include "core/loopback.h"
#include "server/guarded_http_server.h"
#include "server/router.h"
#include "server/routes.h"

namespace custodian::embedded {
extern const std::string_view openapi_json;
}

namespace custodian::server {

struct ApiServer::Impl {
  std::unique_ptr<GuardedHttpServer> http;
  std::unique_ptr<Router> router;
  int port = 0;
  std::thread thread;

  // Every endpoint, by resource (routes.h), the API's own document, and the console.
  void Routes(const ServerServices& api, const ServerOptions& options) {
    Router& r = *router;
    r.Get("/api/openapi.json", Public(), [](const httplib::Request&, httplib::Response& res, const Caller&) {
      res.set_content(std::string(embedded::openapi_json), "application/json");
    });
    AddSessionRoutes(r, api, options);
    AddCaseRoutes(r, api);
    AddHoldRoutes(r, api);
    AddAlertRoutes(r, api);
    AddAgencyRoutes(r, api, options);
    AddUserRoutes(r, api);
    AddTokenRoutes(r, api);
    AddVaultRoutes(r, api);
    AddStandardsRoutes(r, api, options);
    AddIngestRoutes(r, api, options);
    AddPortalRoutes(r, api);
    AddRequesterRoutes(r, api, options);
    AddProductionRoutes(r, api);
    AddLedgerRoutes(r, api);
    AddReportRoutes(r, api);
    AddConsoleRoutes(r);
  }
};

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiServer::~ApiServer() { Stop(); }

Result<std::unique_ptr<ApiServer>> ApiServer::Start(const ServerServices& services,
                                                    const ServerOptions& options) {
  const bool tls = !options.tls_certificate.empty() || !options.tls_private_key.empty();
  if (tls && (options.tls_certificate.empty() || options.tls_private_key.empty())) {
    return Status::InvalidArgument("TLS needs both a certificate and a private key");
  }
  if (!tls && !IsLoopback(options.host)) {
    return Status::InvalidArgument("--listen " + options.host +
                                   ": not a loopback address; give a TLS certificate and key to "
                                   "serve beyond this machine");
  }
  auto impl = std::make_unique<Impl>();
  auto http = GuardedHttpServer::Create(options.connections, options.tls_certificate, options.tls_private_key);
  if (!http.ok()) return http.status();
  impl->http = std::move(http).value();
  impl->router = std::make_unique<Router>(*impl->http, services.users, services.requesters);
  // Every answer, problems and refusals before routing included: no type sniffing, no referrer
  // sent on from a link, no copy kept by a cache (answers carry personal data, tokens and
  // heads that a later one replaces); under TLS, browsers keep to HTTPS for a year.
  httplib::Headers headers = {{"X-Content-Type-Options", "nosniff"},
                              {"Referrer-Policy", "no-referrer"},
                              {"Cache-Control", "no-store"}};
  if (tls) headers.emplace("Strict-Transport-Security", "max-age=31536000");
  impl->http->set_answer_headers(std::move(headers));
  // A backstop: every endpoint's own limit is lower, and every body is read through BodyGuard.
  impl->http->set_payload_max_length(
      std::max({options.max_ingest_bytes, options.max_body_bytes, cases::kMaxAttachmentBytes}) + 1);
  impl->Routes(services, options);
  impl->port = options.port == 0 ? impl->http->bind_to_any_port(options.host)
                                 : (impl->http->bind_to_port(options.host, options.port) ? options.port : -1);
  if (impl->port < 0) {
    return Status::IoError(options.host + ":" + std::to_string(options.port) + ": cannot listen there");
  }
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->http->listen_after_bind(); });
  for (int i = 0; i < 5000 && !impl->http->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!impl->http->is_running()) {
    impl->http->stop();
    impl->thread.join();
    return Status::IoError(options.host + ": the server did not start");
  }
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

int ApiServer::port() const { return impl_->port; }

void ApiServer::Wait() {
  if (impl_->thread.joinable()) impl_->thread.join();
}

void ApiServer::Stop() {
  if (!impl_) return;
  impl_->http->Shutdown();
  Wait();
}

size_t ApiServer::ConnectionsFrom(const std::string& address) const {
  return impl_->http->ConnectionsFrom(address);
}

}  // namespace custodian::server
