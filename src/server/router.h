// The API's routing: each endpoint is registered by its OpenAPI path template with who may
// call it (Access) and what body it takes (Body); the router authenticates the caller (a
// staff session cookie, or a service's or requester's bearer token), refuses the wrong one
// before a byte of the body is read, reads a body up to its endpoint's limit, and answers a
// path or method no endpoint has (GuardedHttpServer's admission, Admit).
// Built before the server serves; read-only after, so handlers run concurrently.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include <httplib.h>

#include "server/guarded_http_server.h"
#include "server/problem.h"
#include "server/requester_store.h"
#include "server/route_table.h"
#include "server/user_store.h"

namespace custodian::server {

inline constexpr char kSessionCookie[] = "custodian_session";
// A requester's portal session (Path=/api/v1/portal: sent nowhere else).
inline constexpr char kPortalCookie[] = "custodian_portal";

// The value of cookie `name` in the request's Cookie header, or "".
std::string CookieValue(const httplib::Request& req, const std::string& name);

// Who is calling: a signed-in staff member, a signed-in requester, a service, a requester or an
// outside auditor (by token), or nobody.
struct Caller {
  enum class Kind { kNobody, kStaff, kService, kRequester, kExternalAuditor } kind = Kind::kNobody;
  std::string name;
  std::set<Role> roles;
  std::string csrf;  // sessions' (staff and requesters): what their changes carry
  std::optional<std::string> agency_id;  // requesters
  std::optional<std::string> email;      // requesters
  // Requesters: the account signed in, or the one its token acts for (none: a token made
  // before accounts).
  std::optional<std::string> account_id;
};

// Who may call an endpoint: nobody in particular, staff with one of some roles (any staff
// when none are listed), a service, a requester, or an outside auditor (alone, or beside the
// staff roles listed: `external_auditors`).
struct Access {
  Caller::Kind kind = Caller::Kind::kNobody;
  std::set<Role> roles;
  bool external_auditors = false;
};
inline Access Public() { return {}; }
inline Access Staff(std::set<Role> roles = {}) { return {Caller::Kind::kStaff, std::move(roles)}; }
inline Access Service() { return {Caller::Kind::kService, {}}; }
inline Access Requester() { return {Caller::Kind::kRequester, {}}; }
inline Access ExternalAuditor() { return {Caller::Kind::kExternalAuditor, {}}; }
// Staff auditors and outside auditors' tokens alike.
inline Access Auditors() { return {Caller::Kind::kStaff, {Role::kAuditor}, true}; }

// What an endpoint takes in its body: at most max_bytes, and as what. A JSON body's depth is
// checked (core/json_depth.h) before its handler sees it.
struct Body {
  enum Kind { kNone, kJson, kLines, kPdf, kToml } kind = kNone;
  size_t max_bytes = 0;
};
// Bodies of a fixed shape: a sign-in (a name, a password of at most 1,024 bytes, a code, each
// perhaps escaped), and a step's few fields (a decision, a note, a narrowed scope).
inline constexpr size_t kMaxLoginBodyBytes = 8 << 10;
inline constexpr size_t kMaxStepBodyBytes = 64 << 10;
// Endpoints that take no body accept an empty JSON object or so, nothing more.
inline constexpr size_t kMaxEmptyBodyBytes = 1 << 10;
inline Body NoBody() { return {Body::kNone, kMaxEmptyBodyBytes}; }
inline Body Json(size_t max_bytes) { return {Body::kJson, max_bytes}; }
inline Body Lines(size_t max_bytes) { return {Body::kLines, max_bytes}; }
inline Body Toml(size_t max_bytes) { return {Body::kToml, max_bytes}; }
Body Pdf();

class Router {
 public:
  // A handler finds the path's parameters in req.matches, in the template's order, and a
  // body in req.body.
  using Handler = std::function<void(const httplib::Request&, httplib::Response&, const Caller&)>;

  // Registers on `http`; authenticates through `users` and `requesters` (none: no requester
  // sessions, and tokens of accounts open nothing). They must outlive the router.
  Router(GuardedHttpServer& http, UserStore& users, RequesterStore* requesters = nullptr);

  // Routes by the OpenAPI document's path templates ("/api/v1/cases/{id}").
  void Get(const std::string& path, Access access, Handler handler);
  void Post(const std::string& path, Access access, Body body, Handler handler);
  void Put(const std::string& path, Access access, Body body, Handler handler);

  // Decides from a request's headers whether it is served and its body read at all
  // (GuardedHttpServer's admission): a path no endpoint has (404), a method its path does not
  // take (405 with Allow), a multipart body (415), or a Content-Length beyond the endpoint's
  // limit (413) is answered at once, the body unread.
  httplib::Server::HandlerResponse Admit(const httplib::Request& req, httplib::Response& res);

 private:
  Caller Authenticate(const httplib::Request& req);
  std::variant<Caller, Problem> Authorize(const httplib::Request& req, const Access& access, bool change);
  httplib::Server::Handler Guard(const Route& route, Access access, Handler handler);
  httplib::Server::HandlerWithContentReader BodyGuard(const Route& route, Access access, Body body,
                                                      Handler handler);

  GuardedHttpServer& http_;
  UserStore& users_;
  RequesterStore* requesters_;
  // Every endpoint, for the admission to find a request's route (405 with the methods a path
  // takes, or 404), and each body-taking route's limit.
  RouteTable routes_;
  std::map<const Route*, Body> bodies_;
};

}  // namespace custodian::server
