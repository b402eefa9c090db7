// The console (docs/console.md) and the requester portal (docs/portal.md): their files,
// compiled into the binary, at / and /console/…, and at /portal/…,
// open to anyone (they hold no data; the API decides what each caller sees). A page of the
// console runs only the console's own scripts and styles, talks only to this server, and is
// never framed: a Content-Security-Policy without inline script or eval.
#include "server/routes.h"

#include "console/console_assets.h"

namespace custodian::server {
namespace {

constexpr char kConsolePolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

}  // namespace

void AddConsoleRoutes(Router& router) {
  for (const console::Asset& asset : console::Assets()) {
    router.Get(std::string(asset.path), Public(),
      [&asset](const httplib::Request&, httplib::Response& res, const Caller&) {
        res.set_header("Content-Security-Policy", kConsolePolicy);
        res.set_header("X-Frame-Options", "DENY");
        res.set_content(std::string(asset.bytes), std::string(asset.media_type));
      });
  }
  router.Get("/portal", Public(), [](const httplib::Request&, httplib::Response& res, const Caller&) {
    res.set_redirect("/portal/", 301);
  });
}

}  // namespace custodian::server
