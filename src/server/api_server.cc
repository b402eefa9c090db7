#include "server/api_server.h"

#include <httplib.h>

#include <charconv>
#include <chrono>
#include <iostream>
#include <deque>
#include <map>
#include <mutex>
#include <regex>
#include <thread>
#include <variant>

#include <nlohmann/json.hpp>

#include "cases/case_json.h"
#include "cases/case_store.h"
#include "cases/ledger_store.h"
#include "cases/package_store.h"
#include "core/base64.h"
#include "core/json_depth.h"
#include "core/ip_address.h"
#include "ledger/proof_json.h"
#include "ledger/tree_head.h"
#include "policy/request_parser.h"
#include "reports/report.h"
#include "reports/report_csv.h"
#include "reports/report_html.h"
#include "reports/report_json.h"
#include "server/api_bodies.h"
#include "server/guarded_http_server.h"
#include "server/problem.h"
#include "server/route_table.h"

namespace custodian::embedded {
extern const std::string_view openapi_json;
}

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;
constexpr char kSessionCookie[] = "custodian_session";
// What each path parameter of the routes (named as the OpenAPI document names them) matches.
// A log name is any word: one other than audit and disclosures answers 404.
constexpr std::pair<std::string_view, std::string_view> kPathParameters[] = {
    {"id", "C-[0-9]{4}-[0-9]{6}"},          {"production", "P-[0-9]{4}-[0-9]{6}"},
    {"grant", "D-[0-9a-f]{32}"},             {"hold", "C-[0-9]{4}-[0-9]{6}-H[0-9]{1,9}"},
    {"sha256", "[0-9a-f]{64}"},              {"log", "[a-z]+"},
    {"period", "[0-9]{4}-H[12]"}};
constexpr char kCaseIdPattern[] = "C-[0-9]{4}-[0-9]{6}";
// Bounds what one answer costs the server: a page of heads, a page of proved audit entries.
constexpr uint64_t kMaxHeadsPerPage = 1000;
constexpr uint64_t kMaxAuditEntriesPerPage = 500;
constexpr uint64_t kDefaultAuditEntriesPerPage = 100;
// Tree sizes and indexes beyond this are not stored (the store's integers are signed).
constexpr uint64_t kMaxTreeSize = uint64_t{1} << 62;

// Who is calling: a signed-in staff member, a service or a requester (by token), or nobody.
struct Caller {
  enum class Kind { kNobody, kStaff, kService, kRequester } kind = Kind::kNobody;
  std::string name;
  std::set<Role> roles;
  std::string csrf;
  std::optional<std::string> agency_id;  // requesters
  std::optional<std::string> email;      // requesters
};

// Who may call an endpoint: nobody in particular, staff with one of some roles (any staff
// when none are listed), a service, or a requester.
struct Access {
  Caller::Kind kind = Caller::Kind::kNobody;
  std::set<Role> roles;
};
Access Public() { return {}; }

// The first day of half-year `half` (1: January, 2: July) of `year`.
Date HalfYearStart(int year, int half) { return Date{DaysFromCivil(year, half == 1 ? 1 : 7, 1)}; }
Access Staff(std::set<Role> roles = {}) { return {Caller::Kind::kStaff, std::move(roles)}; }
Access Service() { return {Caller::Kind::kService, {}}; }
Access Requester() { return {Caller::Kind::kRequester, {}}; }

// What an endpoint takes in its body: at most max_bytes, and as what. A JSON body's depth is
// checked (core/json_depth.h) before its handler sees it.
struct Body {
  enum Kind { kNone, kJson, kLines, kPdf, kToml } kind = kNone;
  size_t max_bytes = 0;
};
// Bodies of a fixed shape: a sign-in (a name, a password of at most 1,024 bytes, a code, each
// perhaps escaped), and a step's few fields (a decision, a note, a narrowed scope).
constexpr size_t kMaxLoginBodyBytes = 8 << 10;
constexpr size_t kMaxStepBodyBytes = 64 << 10;
// Endpoints that take no body accept an empty JSON object or so, nothing more.
constexpr size_t kMaxEmptyBodyBytes = 1 << 10;
Body NoBody() { return {Body::kNone, kMaxEmptyBodyBytes}; }
Body Json(size_t max_bytes) { return {Body::kJson, max_bytes}; }
Body Lines(size_t max_bytes) { return {Body::kLines, max_bytes}; }
Body Toml(size_t max_bytes) { return {Body::kToml, max_bytes}; }
Body Pdf() { return {Body::kPdf, cases::kMaxAttachmentBytes}; }

Problem TooLarge(size_t max_bytes) {
  return {413, "too-large", "The body is too large",
          "At most " + std::to_string(max_bytes) + " bytes for this endpoint.", ""};
}
Problem TimedOut() {
  return {408, "request-timeout", "The request came too slowly",
          "A request's headers and its body must each arrive within the server's time.", ""};
}
Problem Unreadable() {
  return {400, "invalid-request", "The request is not valid", "The body could not be read.", ""};
}

void Send(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(2) + "\n", "application/json");
}

void SendProblem(httplib::Response& res, const Problem& p, json extra = json::object()) {
  json body = p.ToJson();
  for (auto& [k, v] : extra.items()) body[k] = v;
  res.status = p.status;
  res.set_content(body.dump(2) + "\n", "application/problem+json");
}

// A signed tree head as the API sends it (tree_head.h's JSON).
json HeadJson(const ledger::SignedTreeHead& head) { return json(ledger::TreeHeadToJson(head)); }

// A query parameter at fault: the problem's `field` points at it as /query/NAME, a JSON
// pointer into the query read as an object of strings (docs/api.md, Errors).
Problem ParameterProblem(const std::string& name, const std::string& what) {
  const std::string pointer = "/query/" + name;
  return {400, "invalid-request", "The request is not valid", pointer + ": " + what, pointer};
}

// The workflow names a part of a request as the CLI knows it ("note: …"); the API answers with
// its pointer ("/note: …" in the body, "/query/name: …" in the query), which `field` carries.
Status Pointed(const Status& s, std::string_view name, const std::string& pointer) {
  if (s.code() != Status::Code::kInvalidArgument || !s.message().starts_with(std::string(name) + ":")) return s;
  return Status::InvalidArgument(pointer + s.message().substr(name.size()));
}
template <typename T>
Result<T> Pointed(Result<T> r, std::string_view name, const std::string& pointer) {
  if (r.ok()) return r;
  return Pointed(r.status(), name, pointer);
}

// Query parameter `name`: true, false, or `fallback` when absent; otherwise the 400 problem is
// sent and nothing returned.
std::optional<bool> BooleanParameter(const httplib::Request& req, httplib::Response& res,
                                     const std::string& name, bool fallback) {
  if (!req.has_param(name.c_str())) return fallback;
  const std::string text = req.get_param_value(name.c_str());
  if (text == "true" || text == "false") return text == "true";
  SendProblem(res, ParameterProblem(name, "true or false"));
  return std::nullopt;
}

// Query parameter `name` when it matches `pattern` ("" when absent); otherwise the 400 problem
// saying it is not `what` is sent and nothing returned.
std::optional<std::string> PatternParameter(const httplib::Request& req, httplib::Response& res,
                                            const std::string& name, const char* pattern,
                                            const std::string& what) {
  if (!req.has_param(name.c_str())) return std::string();
  std::string text = req.get_param_value(name.c_str());
  if (std::regex_match(text, std::regex(pattern))) return text;
  SendProblem(res, ParameterProblem(name, "not " + what));
  return std::nullopt;
}

// Query parameter `name` as a decimal number in [min, max], or `fallback` when it is absent
// and there is one. Otherwise answers the 400 problem naming it and returns nothing.
std::optional<uint64_t> NumberParameter(const httplib::Request& req, httplib::Response& res,
                                        const std::string& name, std::optional<uint64_t> fallback,
                                        uint64_t min, uint64_t max) {
  if (!req.has_param(name.c_str())) {
    if (!fallback) SendProblem(res, ParameterProblem(name, "required"));
    return fallback;
  }
  const std::string text = req.get_param_value(name.c_str());
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  // from_chars takes no sign and no space; a leading zero would give one number two spellings.
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      (text.size() > 1 && text[0] == '0')) {
    SendProblem(res, ParameterProblem(name, error == std::errc::result_out_of_range
                                                ? "at most " + std::to_string(max)
                                                : "not a whole number in decimal"));
    return std::nullopt;
  }
  if (value < min || value > max) {
    SendProblem(res, ParameterProblem(name, value < min ? "at least " + std::to_string(min)
                                                        : "at most " + std::to_string(max)));
    return std::nullopt;
  }
  return value;
}

// Answers a failed Status as its problem document; a server failure's message, which the
// caller does not see, goes to the server's log (it names no personal data: stores and the
// vault report paths and codes, never values).
void Fail(httplib::Response& res, const Status& s, json extra = json::object()) {
  const Problem p = ProblemOf(s);
  if (p.status >= 500) std::cerr << "custodian: request failed: " << s.message() << std::endl;
  SendProblem(res, p, std::move(extra));
}

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  for (size_t pos = 0; pos < header.size();) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view item = std::string_view(header).substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.starts_with(name) && item.size() > name.size() && item[name.size()] == '=') {
      return std::string(item.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

// Login attempts per client address in the last minute.
class LoginLimiter {
 public:
  explicit LoginLimiter(int per_minute) : per_minute_(per_minute) {}
  bool Allow(const std::string& address, Timestamp now) {
    std::lock_guard lock(mu_);
    auto& times = attempts_[address];
    while (!times.empty() && times.front() <= now.micros - 60 * kMicrosPerSecond) times.pop_front();
    if (static_cast<int>(times.size()) >= per_minute_) return false;
    times.push_back(now.micros);
    return true;
  }

 private:
  const int per_minute_;
  std::mutex mu_;
  std::map<std::string, std::deque<int64_t>> attempts_;
};

json ReportJson(const vault::IngestReport& r) {
  json errors = json::array();
  for (const auto& e : r.errors) errors.push_back({{"line", e.line}, {"error", e.error}});
  return {{"accepted", r.accepted}, {"rejected", r.rejected}, {"duplicates", r.duplicates},
          {"errors", errors}};
}

// What a requester sees of its own agency's cases: where they stand, nothing internal.
json RequesterView(const cases::CaseView& v) {
  const auto decision = nlohmann::json::parse(v.decision.document);
  return {{"id", v.record.id},
          {"state", std::string(cases::CaseStateName(v.record.state))},
          {"process_type", v.record.process_type},
          {"received_at", FormatDateTime(v.record.received_at)},
          {"due_at", v.record.due_at ? json(FormatDateTime(*v.record.due_at)) : json()},
          {"findings", decision["findings"]}};
}

// What a requester sees of a case's productions: the stored packages and their downloads,
// nothing about who made them.
json RequesterProductions(const std::vector<cases::ProductionView>& all, Timestamp now) {
  json out = json::array();
  for (const cases::ProductionView& v : all) {
    const cases::ProductionRecord& p = v.production;
    if (!p.package_sha256) continue;
    json downloads = json::array();
    for (const cases::DownloadGrant& g : v.grants) {
      json d = {{"id", g.id}, {"state", std::string(g.StateAt(now))}, {"expires_at", FormatDateTime(g.expires_at)}};
      if (g.StateAt(now) == "open") d["href"] = "/api/v1/portal/downloads/" + g.id;
      downloads.push_back(std::move(d));
    }
    out.push_back({{"id", p.id},
                   {"produced_at", FormatDateTime(p.at)},
                   {"package_sha256", *p.package_sha256},
                   {"package_bytes", p.package_bytes.value_or(0)},
                   {"downloads", downloads}});
  }
  return out;
}

}  // namespace

bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  auto ip = IpAddress::Parse(host);
  if (!ip) return false;
  const auto& b = ip->bytes();
  if (ip->is_v4()) return b[0] == 127;
  for (size_t i = 0; i < 15; ++i) {
    if (b[i] != 0) return false;
  }
  return b[15] == 1;
}

// The services are its members: handlers name them directly (workflow, users, ledgers, …).
struct ApiServer::Impl : ServerServices {
  ServerOptions options;
  std::unique_ptr<GuardedHttpServer> http;
  // Every endpoint, for the admission to find a request's route (405 with the methods a path
  // takes, or 404), and each body-taking route's limit.
  RouteTable routes{{std::begin(kPathParameters), std::end(kPathParameters)}};
  std::map<const Route*, Body> bodies;
  LoginLimiter limiter{options.login_attempts_per_minute};
  int port = 0;
  std::thread thread;
  bool tls = false;

  Impl(const ServerServices& services, ServerOptions o)
      : ServerServices(services), options(std::move(o)) {}

  Caller Authenticate(const httplib::Request& req) {
    Caller caller;
    const std::string authorization = req.get_header_value("Authorization");
    if (authorization.starts_with("Bearer ")) {
      auto token = users.TokenOf(authorization.substr(7));
      if (!token.ok()) return caller;
      caller.kind = token->kind == TokenKind::kService ? Caller::Kind::kService
                                                       : Caller::Kind::kRequester;
      caller.name = (token->kind == TokenKind::kService ? "service:" : "requester:") + token->name;
      caller.agency_id = token->agency_id;
      caller.email = token->email;
      return caller;
    }
    const std::string session_id = CookieValue(req, kSessionCookie);
    if (session_id.empty()) return caller;
    auto session = users.SessionOf(session_id);
    if (!session.ok()) return caller;
    auto user = users.GetUser(session->user);
    if (!user.ok()) return caller;
    caller.kind = Caller::Kind::kStaff;
    caller.name = user->name;
    caller.roles = user->roles;
    caller.csrf = session->csrf;
    return caller;
  }

  using Handler = std::function<void(const httplib::Request&, httplib::Response&, const Caller&)>;

  // Who calls, and whether they may: the caller, or the problem that refuses them (401, 403, or
  // 403 csrf for a staff change without the session's token). Headers only: no body is read.
  std::variant<Caller, Problem> Authorize(const httplib::Request& req, const Access& access, bool change) {
    Caller caller;
    if (access.kind == Caller::Kind::kNobody) return caller;
    caller = Authenticate(req);
    if (caller.kind == Caller::Kind::kNobody) {
      return Problem{401, "unauthenticated", "Sign in first", "No valid session or token.", ""};
    }
    const bool role_ok = access.roles.empty() ||
                         std::any_of(access.roles.begin(), access.roles.end(),
                                     [&](Role r) { return caller.roles.count(r) > 0; });
    if (caller.kind != access.kind || !role_ok) {
      return Problem{403, "forbidden", "Not allowed", "This endpoint is not for this account.", ""};
    }
    if (change && caller.kind == Caller::Kind::kStaff &&
        req.get_header_value("X-CSRF-Token") != caller.csrf) {
      return Problem{403, "csrf", "Missing or wrong CSRF token",
                     "Send the session's token in X-CSRF-Token.", ""};
    }
    return caller;
  }

  // Wraps a reading endpoint's `handler` with authorization and an exception fence; a problem
  // it answers repeats none of the request's values.
  httplib::Server::Handler Guard(const Route& route, Access access, Handler handler) {
    return [this, &route, access, handler](const httplib::Request& req, httplib::Response& res) {
      try {
        auto caller = Authorize(req, access, false);
        if (auto* refused = std::get_if<Problem>(&caller)) return SendProblem(res, *refused);
        handler(req, res, std::get<Caller>(caller));
        WithoutValuesOf(req, route, res);
      } catch (const std::exception&) {
        // Not its message: a library's may quote the values it was given.
        Fail(res, Status::Internal("an unexpected exception in " + req.method + " " + route.path));
      }
    };
  }

  // A problem's detail with the values of the request's path and query named, not repeated
  // (route_table.h): the caller sent them, and docs/api.md promises no detail echoes them.
  static void WithoutValuesOf(const httplib::Request& req, const Route& route, httplib::Response& res) {
    if (res.get_header_value("Content-Type") != "application/problem+json") return;
    std::vector<std::pair<std::string, std::string>> values;
    for (size_t i = 0; i < route.parameters.size() && i + 1 < req.matches.size(); ++i) {
      values.emplace_back(route.parameters[i], req.matches[i + 1].str());
    }
    // A query's words (a state, a format) are no one's: its ids and numbers are named too.
    for (const auto& [name, value] : req.params) {
      if (std::any_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        values.emplace_back(name, value);
      }
    }
    json body = json::parse(res.body);
    const std::string detail = body.value("detail", "");
    const std::string named = WithoutRequestValues(detail, values);
    if (named == detail) return;
    body["detail"] = named;
    res.set_content(body.dump(2) + "\n", "application/problem+json");
  }

  // Wraps a changing endpoint's `handler`: the caller is authorized from the headers before a
  // byte of the body is read (a refused caller's body is never read); then the body is read,
  // up to its limit and no further, whatever Content-Length said or a chunked body turns out
  // to be; a JSON body's depth is measured; then the handler sees it in req.body.
  httplib::Server::HandlerWithContentReader BodyGuard(const Route& route, Access access, Body body,
                                                      Handler handler) {
    return [this, &route, access, body, handler](const httplib::Request& req, httplib::Response& res,
                                                 const httplib::ContentReader& reader) {
      try {
        auto caller = Authorize(req, access, true);
        if (auto* refused = std::get_if<Problem>(&caller)) {
          if (AnnouncesBody(req)) GuardedHttpServer::CloseAfterAnswer(res);
          return SendProblem(res, *refused);
        }
        std::string bytes;
        if (AnnouncesBody(req)) {
          bool too_large = false;
          const bool read = reader([&](const char* data, size_t size) {
            too_large = bytes.size() + size > body.max_bytes;
            if (!too_large) bytes.append(data, size);
            return !too_large;
          });
          if (!read) {
            GuardedHttpServer::CloseAfterAnswer(res);
            if (too_large) return SendProblem(res, TooLarge(body.max_bytes));
            return SendProblem(res, GuardedHttpServer::TimedOut() ? TimedOut() : Unreadable());
          }
        }
        // httplib hands a reading handler its request const and without the body; the request
        // is httplib's own local, so giving it the body is defined, and handlers read req.body.
        const_cast<httplib::Request&>(req).body = std::move(bytes);
        // Before any handler parses it: a JSON library's dump and copy recurse per level.
        if (body.kind == Body::kJson) {
          if (Status s = CheckJsonDepth(req.body); !s.ok()) return Fail(res, s);
        }
        handler(req, res, std::get<Caller>(caller));
        WithoutValuesOf(req, route, res);
      } catch (const std::exception&) {
        Fail(res, Status::Internal("an unexpected exception in " + req.method + " " + route.path));
      }
    };
  }

  // Routes by the OpenAPI document's path templates ("/api/v1/cases/{id}"): the handler finds
  // the parameters in req.matches, in the template's order.
  void Get(const std::string& path, Access access, Handler h) {
    const Route& route = routes.Add("GET", path);
    http->Get(route.pattern, Guard(route, std::move(access), std::move(h)));
  }
  void Post(const std::string& path, Access access, Body body, Handler h) {
    const Route& route = routes.Add("POST", path);
    bodies[&route] = body;
    http->Post(route.pattern, BodyGuard(route, std::move(access), body, std::move(h)));
  }
  void Put(const std::string& path, Access access, Body body, Handler h) {
    const Route& route = routes.Add("PUT", path);
    bodies[&route] = body;
    http->Put(route.pattern, BodyGuard(route, std::move(access), body, std::move(h)));
  }

  // Decides from a request's headers whether it is served and its body read at all
  // (GuardedHttpServer's admission): a path no endpoint has (404), a method its path does not
  // take (405 with Allow), a multipart body (415), or a Content-Length beyond the endpoint's
  // limit (413) is answered at once, the body unread.
  httplib::Server::HandlerResponse Admit(const httplib::Request& req, httplib::Response& res) {
    using Response = httplib::Server::HandlerResponse;
    // No answer is cut to a byte range: a part of a JSON document is no answer, and a grant is
    // spent on a whole package. (httplib would send the part as 200.)
    const_cast<httplib::Request&>(req).ranges.clear();
    const Route* found = routes.Find(req.method, req.path);
    if (!found) {
      const std::vector<std::string> allowed = routes.MethodsAt(req.path);
      if (allowed.empty()) {
        SendProblem(res, {404, "not-found", "No such resource", "No endpoint at this path.", ""});
        return Response::Handled;
      }
      std::string allow;
      for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
      res.set_header("Allow", allow);
      SendProblem(res, {405, "method-not-allowed", "The method is not allowed here",
                        "This path takes " + allow + ".", ""});
      return Response::Handled;
    }
    auto body = bodies.find(found);
    if (body == bodies.end()) {
      // GET and HEAD take no body: one sent is refused unread (read after the answer, it would
      // be taken for the next request).
      if (!AnnouncesBody(req)) return Response::Unhandled;
      SendProblem(res, TooLarge(0));
      return Response::Handled;
    }
    const Body& limits = body->second;
    if (req.is_multipart_form_data()) {
      SendProblem(res, {415, "unsupported-media-type", "The body's type is not taken",
                        "Send the body itself, not a multipart form.", ""});
      return Response::Handled;
    }
    if (req.has_header("Content-Length")) {
      const std::string text = req.get_header_value("Content-Length");
      uint64_t length = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
      if (text.empty() || error == std::errc::invalid_argument || end != text.data() + text.size()) {
        SendProblem(res, {400, "invalid-request", "The request is not valid", "Content-Length: not a length", ""});
        return Response::Handled;
      }
      if (error == std::errc::result_out_of_range || length > limits.max_bytes) {
        SendProblem(res, TooLarge(limits.max_bytes));
        return Response::Handled;
      }
    }
    return Response::Unhandled;
  }

  static void SendCase(httplib::Response& res, const Result<cases::CaseView>& v, int status = 200) {
    if (!v.ok()) return Fail(res, v.status());
    Send(res, status, cases::CaseToJson(*v, true));
  }

  void Routes() {
    Get("/api/openapi.json", Public(), [](const httplib::Request&, httplib::Response& res, const Caller&) {
      res.set_content(std::string(embedded::openapi_json), "application/json");
    });

    // --- Sessions.
    Post("/api/v1/auth/login", Public(), Json(kMaxLoginBodyBytes), [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
      if (!limiter.Allow(req.remote_addr, clock.Now())) {
        return SendProblem(res, {429, "too-many-attempts", "Too many sign-in attempts",
                                 "Wait a minute before trying again.", ""});
      }
      auto body = ParseLoginBody(req.body);
      if (!body.ok()) return Fail(res, body.status());
      const LoginResult r = users.Login(body->username, body->password, body->totp);
      if (r.outcome == LoginOutcome::kNoSecondFactor) {
        return SendProblem(res, {403, "second-factor-required", "A second factor is required",
                                 "Enrol TOTP first (custodian user totp NAME).", ""});
      }
      // A locked user is answered as an unknown one or a wrong password is: the answer tells
      // a caller nothing of which names exist or which are under attack.
      if (r.outcome != LoginOutcome::kOk) {
        return SendProblem(res, {401, "invalid-credentials", "Sign-in refused",
                                 "The name, password or code is wrong.", ""});
      }
      std::string cookie = std::string(kSessionCookie) + "=" + r.session_id +
                           "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                           std::to_string((r.session.expires_at.micros - clock.Now().micros) /
                                          kMicrosPerSecond);
      if (tls) cookie += "; Secure";
      res.set_header("Set-Cookie", cookie);
      json roles = json::array();
      const auto signed_in = users.GetUser(body->username);
      if (signed_in.ok()) {
        for (Role role : signed_in->roles) roles.push_back(std::string(kRoleNames[static_cast<size_t>(role)]));
      }
      Send(res, 200, {{"user", body->username}, {"roles", roles}, {"csrf", r.session.csrf},
                      {"expires_at", FormatDateTime(r.session.expires_at)}});
    });
    Post("/api/v1/auth/logout", Staff(), NoBody(), [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
      users.Logout(CookieValue(req, kSessionCookie)).IgnoreError();
      res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
      res.status = 204;
    });

    // --- Cases (staff).
    Get("/api/v1/cases", Staff(), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      cases::CaseFilter filter;
      if (req.has_param("state")) {
        filter.state = cases::ParseCaseState(req.get_param_value("state"));
        if (!filter.state) return SendProblem(res, ParameterProblem("state", "not a case state"));
      }
      const std::optional<bool> open = BooleanParameter(req, res, "open", false);
      if (!open) return;
      filter.open_only = *open;
      auto list = workflow.List(filter, {caller.name});
      if (!list.ok()) return Fail(res, list.status());
      json out = json::array();
      for (const auto& v : *list) out.push_back(cases::CaseToJson(v, false));
      Send(res, 200, out);
    });
    Post("/api/v1/cases", Staff({Role::kIntake}), Json(kMaxRequestBytes), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      SendCase(res, workflow.Submit({req.body, cases::Entry::kStaff, {caller.name}}), 201);
    });
    Get("/api/v1/cases/{id}", Staff(), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      SendCase(res, workflow.Show(req.matches[1], {caller.name}));
    });
    Get("/api/v1/cases/{id}/decisions", Staff(), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto all = workflow.Decisions(req.matches[1], {caller.name});
      if (!all.ok()) return Fail(res, all.status());
      json out = json::array();
      for (const cases::DecisionRecord& d : *all) {
        out.push_back({{"seq", d.seq}, {"reason", d.reason}, {"request_version", d.version},
                       {"taken_at", FormatDateTime(d.taken_at)},
                       {"decision", json::parse(d.document)}});
      }
      Send(res, 200, out);
    });
    Post("/api/v1/cases/{id}/decisions", Staff({Role::kReviewer}), NoBody(),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           SendCase(res, workflow.DecideAgain(req.matches[1], {caller.name}), 201);
         });
    Post("/api/v1/cases/{id}/amend", Staff({Role::kIntake}), Json(kMaxRequestBytes),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           SendCase(res, workflow.Amend(req.matches[1], {req.body, cases::Entry::kStaff, {caller.name}}));
         });
    Post("/api/v1/cases/{id}/review", Staff({Role::kReviewer}), Json(kMaxStepBodyBytes),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           auto review = ParseReviewBody(req.body);
           if (!review.ok()) return Fail(res, review.status());
           SendCase(res, Pointed(workflow.ReviewCase(req.matches[1], {caller.name}, *review), "note", "/note"));
         });
    Post("/api/v1/cases/{id}/approve", Staff({Role::kApprover}), NoBody(),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           SendCase(res, workflow.Approve(req.matches[1], {caller.name}));
         });
    Post("/api/v1/cases/{id}/verify-requester",
         Staff({Role::kIntake, Role::kReviewer}), Json(kMaxStepBodyBytes), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           auto callback = ParseCallbackBody(req.body);
           if (!callback.ok()) return Fail(res, callback.status());
           SendCase(res, workflow.VerifyRequester(req.matches[1], {caller.name}, *callback));
         });
    Post("/api/v1/cases/{id}/close", Staff({Role::kReviewer, Role::kApprover}), Json(kMaxStepBodyBytes),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           auto note = ParseCloseBody(req.body);
           if (!note.ok()) return Fail(res, note.status());
           SendCase(res, workflow.Close(req.matches[1], {caller.name}, *note));
         });

    // --- Signed process documents (PDF).
    Post("/api/v1/cases/{id}/documents", Staff({Role::kIntake}), Pdf(),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           SendCase(res, Pointed(workflow.Attach(req.matches[1], {caller.name},
                                                 req.has_param("name") ? req.get_param_value("name") : "process.pdf",
                                                 req.body), "name", "/query/name"), 201);
         });
    Get("/api/v1/cases/{id}/documents/{sha256}", Staff(),
        [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
          auto bytes = workflow.ReadAttachment(req.matches[1], req.matches[2], {caller.name});
          if (!bytes.ok()) return Fail(res, bytes.status());
          res.set_content(*bytes, "application/pdf");
        });

    // --- Notices.
    Get("/api/v1/notices", Staff(), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      const auto kase = PatternParameter(req, res, "case", kCaseIdPattern, "a case id");
      if (!kase) return;
      auto notices = workflow.Notices(*kase, {caller.name});
      if (!notices.ok()) return Fail(res, notices.status());
      json out = json::array();
      for (const auto& n : *notices) out.push_back(cases::NoticeToJson(n));
      Send(res, 200, out);
    });
    Post("/api/v1/cases/{id}/nondisclosure", Staff({Role::kReviewer}), Json(kMaxStepBodyBytes),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           auto until = ParseNondisclosureBody(req.body);
           if (!until.ok()) return Fail(res, until.status());
           SendCase(res, workflow.RecordNondisclosure(req.matches[1], {caller.name}, *until));
         });

    // --- Holds and the registry.
    Get("/api/v1/holds", Staff(), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      const auto kase = PatternParameter(req, res, "case", kCaseIdPattern, "a case id");
      if (!kase) return;
      auto holds = workflow.Holds(*kase, {caller.name});
      if (!holds.ok()) return Fail(res, holds.status());
      json out = json::array();
      for (const auto& h : *holds) out.push_back(cases::HoldToJson(h));
      Send(res, 200, out);
    });
    Post("/api/v1/holds/{hold}/release", Staff({Role::kReviewer}), NoBody(),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           if (Status s = workflow.ReleaseHold(req.matches[1], {caller.name}); !s.ok()) {
             return Fail(res, s);
           }
           Send(res, 200, {{"released", req.matches[1].str()}});
         });
    Get("/api/v1/agencies", Staff(), [this](const httplib::Request&, httplib::Response& res, const Caller&) {
      auto registry = workflow.Registry();
      if (!registry.ok()) return Fail(res, registry.status());
      Send(res, 200, *registry ? json::parse((*registry)->document) : json::array());
    });
    Put("/api/v1/agencies", Staff({Role::kAdmin}), Json(options.max_body_bytes), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      if (Status s = workflow.ImportRegistry(req.body, {caller.name}); !s.ok()) {
        return Fail(res, s);
      }
      Send(res, 200, json::parse(req.body));
    });

    // --- The instance's standards (docs/policy.md): every server decides under the same.
    Get("/api/v1/standards", Staff(), [this](const httplib::Request&, httplib::Response& res, const Caller&) {
      auto overview = workflow.standards().Overview(workflow.database());
      if (!overview.ok()) return Fail(res, overview.status());
      Send(res, 200, json::parse(cases::StandardsToJson(*overview, true).dump()));
    });
    Put("/api/v1/standards", Staff({Role::kAdmin}), Toml(options.max_body_bytes), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto installed = workflow.InstallStandards(req.body, "standards.toml", {caller.name});
      if (!installed.ok()) return Fail(res, installed.status());
      Send(res, 200, json::parse(cases::StandardsInstallToJson(*installed).dump()));
    });

    // --- Ingest (services).
    for (const bool events : {true, false}) {
      Post(events ? "/api/v1/ingest/events" : "/api/v1/ingest/subscribers", Service(), Lines(options.max_ingest_bytes),
           [this, events](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
             vault::IngestReport report;
             Status s = events ? vault.Ingest(req.body, report) : vault.IngestSubscribers(req.body, report);
             // Counts only, in the audit log: the lines themselves are the vault's.
             const Status audited = workflow.RecordAction(
                 {caller.name}, events ? "ingest_events" : "ingest_subscribers",
                 json{{"accepted", report.accepted}, {"rejected", report.rejected},
                      {"duplicates", report.duplicates}}.dump());
             if (!s.ok()) return Fail(res, s, {{"report", ReportJson(report)}});
             if (!audited.ok()) return Fail(res, audited, {{"report", ReportJson(report)}});
             if (report.accepted == 0 && report.rejected > 0) {
               return SendProblem(res, {422, "all-rejected", "Every line was rejected",
                                        "No line of the batch was stored.", ""},
                                  ReportJson(report));
             }
             Send(res, 200, ReportJson(report));
           });
    }

    // --- The requester portal (requester tokens): its own agency's requests only.
    Post("/api/v1/portal/requests", Requester(), Json(kMaxRequestBytes), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto v = workflow.Submit({req.body, cases::Entry::kApi, {caller.name}, caller.agency_id, caller.email});
      if (!v.ok()) return Fail(res, v.status());
      Send(res, 201, RequesterView(*v));
    });
    Get("/api/v1/portal/requests", Requester(), [this](const httplib::Request&, httplib::Response& res, const Caller& caller) {
      cases::CaseFilter filter;
      filter.agency_id = caller.agency_id;
      auto list = workflow.List(filter, {caller.name});
      if (!list.ok()) return Fail(res, list.status());
      json out = json::array();
      for (const auto& v : *list) out.push_back(RequesterView(v));
      Send(res, 200, out);
    });
    Post("/api/v1/portal/requests/{id}/documents", Requester(), Pdf(),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           auto v = workflow.Show(req.matches[1], {caller.name}, caller.agency_id.value_or(""));
           if (!v.ok()) return Fail(res, v.status());
           auto attached = Pointed(workflow.Attach(req.matches[1], {caller.name},
                                                   req.has_param("name") ? req.get_param_value("name") : "process.pdf",
                                                   req.body), "name", "/query/name");
           if (!attached.ok()) return Fail(res, attached.status());
           Send(res, 201, RequesterView(*attached));
         });
    Get("/api/v1/portal/requests/{id}", Requester(), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      // Another agency's case is answered as if it did not exist (and the probe recorded).
      auto v = workflow.Show(req.matches[1], {caller.name}, caller.agency_id.value_or(""));
      if (!v.ok()) return Fail(res, v.status());
      Send(res, 200, RequesterView(*v));
    });

    DeliveryRoutes();
    LedgerRoutes();

    // Anything else, and httplib's own refusals, as problems.
    http->set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (GuardedHttpServer::TimedOut()) return SendProblem(res, TimedOut());
      if (GuardedHttpServer::HeadersTooLarge()) {
        return SendProblem(res, {431, "headers-too-large", "The request's headers are too large",
                                 "At most " + std::to_string(kMaxHeaderBytes) + " bytes of request line and headers.", ""});
      }
      // httplib's own refusals: a request line or headers it cannot read (400), a target too
      // long (414), a range it cannot serve (416). What follows on the connection is not read
      // as a request: the connection ends with the answer.
      GuardedHttpServer::CloseAfterAnswer(res);
      const int status = res.status;
      if (status == 400) {
        return SendProblem(res, {400, "invalid-request", "The request is not valid",
                                 "The request line or its headers could not be read.", ""});
      }
      SendProblem(res, {status, "http-error", "The request failed",
                        "HTTP " + std::to_string(status) + ": the server could not take this request.", ""});
    });
  }

  // Delivery (docs/production.md): staff see a case's productions and issue or revoke
  // download grants; a requester lists its own case's packages and spends a grant on one.
  void DeliveryRoutes() {
    Get("/api/v1/cases/{id}/productions", Staff(),
        [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
          auto all = workflow.Productions(req.matches[1], {caller.name});
          if (!all.ok()) return Fail(res, all.status());
          json out = json::array();
          for (const auto& v : *all) out.push_back(cases::ProductionToJson(v, clock.Now()));
          Send(res, 200, out);
        });
    Post("/api/v1/cases/{id}/productions/{production}/downloads",
         Staff({Role::kReviewer, Role::kApprover}), NoBody(),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           auto grant = workflow.IssueDownload(req.matches[1], req.matches[2], {caller.name});
           if (!grant.ok()) return Fail(res, grant.status());
           Send(res, 201, cases::GrantToJson(*grant, clock.Now()));
         });
    Post("/api/v1/downloads/{grant}/revoke", Staff({Role::kReviewer, Role::kApprover}), NoBody(),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           auto grant = workflow.RevokeDownload(req.matches[1], {caller.name});
           if (!grant.ok()) return Fail(res, grant.status());
           Send(res, 200, cases::GrantToJson(*grant, clock.Now()));
         });
    ProductionRoutes();
    Get("/api/v1/portal/requests/{id}/productions", Requester(),
        [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
          auto all = workflow.Productions(req.matches[1], {caller.name}, caller.agency_id.value_or(""));
          if (!all.ok()) return Fail(res, all.status());
          Send(res, 200, RequesterProductions(*all, clock.Now()));
        });
    Get("/api/v1/portal/downloads/{grant}", Requester(),
        [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
          Download(req.matches[1], caller, res);
        });
  }

  // Productions run by the server (docs/production.md, "From the API"): started in the
  // background, watched, aborted. The same producer as `custodian produce`.
  void ProductionRoutes() {
    Post("/api/v1/cases/{id}/productions", Staff({Role::kReviewer, Role::kApprover}), NoBody(),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           if (!productions) {
             return Fail(res, Status::FailedPrecondition("this server does not run productions"));
           }
           auto job = productions->Start(req.matches[1], caller.name);
           if (!job.ok()) return Fail(res, job.status());
           res.set_header("Location", "/api/v1/cases/" + job->case_id + "/productions/" + job->production_id);
           Send(res, 202, JobJson(*job));
         });
    Get("/api/v1/cases/{id}/productions/{production}", Staff(),
        [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
          auto all = workflow.Productions(req.matches[1], {caller.name});
          if (!all.ok()) return Fail(res, all.status());
          const std::string id = req.matches[2];
          std::optional<ProductionJob> job;
          if (productions) job = productions->Find(id);
          for (const cases::ProductionView& v : *all) {
            if (v.production.id != id) continue;
            json out = cases::ProductionToJson(v, clock.Now());
            const cases::ProductionState state = v.production.state;
            // An abort is final; a production this server runs says where it is until it has
            // ended (its package may be stored a moment before); the store says the rest.
            out["outcome"] = state == cases::ProductionState::kAborted    ? "aborted"
                             : job                                        ? job->outcome
                             : state == cases::ProductionState::kWithheld ? "withheld"
                             : v.production.package_sha256               ? "produced"
                                                                          : "unfinished";
            if (job) {
              out["phase"] = job->phase;
              out["events"] = job->events;
              if (!job->message.empty()) out["message"] = job->message;
            }
            return Send(res, 200, out);
          }
          Fail(res, Status::NotFound("case " + req.matches[1].str() + " has no production " + id));
        });
    Post("/api/v1/cases/{id}/productions/{production}/abort",
         Staff({Role::kReviewer, Role::kApprover}), Json(kMaxStepBodyBytes),
         [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           if (!productions) {
             return Fail(res, Status::FailedPrecondition("this server does not run productions"));
           }
           auto reason = ParseAbortBody(req.body);
           if (!reason.ok()) return Fail(res, reason.status());
           auto aborted = Pointed(productions->Abort(req.matches[1], req.matches[2], *reason, caller.name),
                                  "reason", "/reason");
           if (!aborted.ok()) return Fail(res, aborted.status());
           Send(res, 200, {{"case", req.matches[1].str()},
                           {"production", aborted->production_id},
                           {"state", "aborted"},
                           {"ledger_index", aborted->leaf_index ? json(*aborted->leaf_index) : json(nullptr)}});
         });
  }

  static json JobJson(const ProductionJob& job) {
    json out = {{"case", job.case_id}, {"production", job.production_id}, {"phase", job.phase},
                {"events", job.events}, {"outcome", job.outcome}};
    if (!job.message.empty()) out["message"] = job.message;
    return out;
  }

  // Spends the grant and streams the package: the sealed file is opened first (a package
  // that cannot be read does not cost the requester the grant), then the use is recorded and
  // audited, then the bytes go, a chunk at a time. The grant is used once the answer starts:
  // an interrupted transfer needs a new grant from staff.
  void Download(const std::string& grant_id, const Caller& caller, httplib::Response& res) {
    std::shared_ptr<cases::PackageReader> reader;
    auto download = workflow.BeginDownload(
        grant_id, {caller.name}, caller.agency_id.value_or(""), [&](const cases::ProductionRecord& p) -> Status {
          auto opened = packages.Open(p.id);
          if (!opened.ok()) return opened.status().code() == Status::Code::kNotFound
                                       ? Status::Corruption("the package of " + p.id + " is missing from the instance")
                                       : opened.status();
          reader = std::move(opened).value();
          return Status::Ok();
        });
    if (!download.ok()) {
      if (download.status().code() == Status::Code::kFailedPrecondition) {
        return SendProblem(res, {410, "gone", "This download can no longer be used",
                                 download.status().message() + "; ask the service for a new one", ""});
      }
      return Fail(res, download.status());
    }
    const cases::ProductionRecord& p = download->production;
    auto digest = cases::DigestFromHex(*p.package_sha256);
    if (!digest.ok()) return Fail(res, digest.status());
    res.status = 200;
    res.set_header("Content-Disposition", "attachment; filename=\"" + p.id + ".zip\"");
    res.set_header("Repr-Digest", "sha-256=:" + Base64Encode(std::span<const uint8_t>(*digest)) + ":");  // RFC 9530
    auto chunk = std::make_shared<std::string>();
    const std::string production = p.id;
    res.set_content_provider(
        static_cast<size_t>(p.package_bytes.value_or(0)), "application/zip",
        [reader, chunk, production](size_t, size_t, httplib::DataSink& sink) {
          auto more = reader->Next(*chunk);
          if (!more.ok() || !*more) {
            // The client sees the transfer cut short; the package fails its digest.
            std::cerr << "custodian: download of " << production << " stopped: "
                      << (more.ok() ? "the package ended early" : more.status().message()) << std::endl;
            return false;
          }
          return sink.write(chunk->data(), chunk->size());
        });
  }

  // The ledgers: heads, proofs and keys for anyone (a head is a public commitment, and
  // whoever checks one needs no account); the audit log itself for auditors.
  void LedgerRoutes() {
        Get("/api/v1/ledger/{log}/head", Public(), [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
      const std::string log = req.matches[1];
      if (!KnownLog(res, log)) return;
      auto head = ledgers.LatestHead(log);
      if (!head.ok()) return Fail(res, head.status());
      Send(res, 200, HeadJson(*head));
    });
    Get("/api/v1/ledger/{log}/heads", Public(), [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
      const std::string log = req.matches[1];
      if (!KnownLog(res, log)) return;
      const auto from = NumberParameter(req, res, "from", 0, 0, kMaxTreeSize);
      if (!from) return;
      auto heads = ledgers.Heads(log, *from, kMaxHeadsPerPage);
      if (!heads.ok()) return Fail(res, heads.status());
      json out = json::array();
      for (const ledger::SignedTreeHead& h : *heads) out.push_back(HeadJson(h));
      Send(res, 200, {{"heads", out}});
    });
    Get("/api/v1/ledger/{log}/consistency", Public(), [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
      const std::string log = req.matches[1];
      if (!KnownLog(res, log)) return;
      // A proof from the empty tree proves nothing (merkle.h): sizes start at 1.
      const auto first = NumberParameter(req, res, "first", std::nullopt, 1, kMaxTreeSize);
      if (!first) return;
      const auto second = NumberParameter(req, res, "second", std::nullopt, 1, kMaxTreeSize);
      if (!second) return;
      if (*first > *second) return SendProblem(res, ParameterProblem("first", "larger than second"));
      auto proof = ledgers.Consistency(log, *first, *second);
      if (!proof.ok()) return Fail(res, proof.status());
      Send(res, 200, ledger::ConsistencyToJson({*first, *second, *proof}));
    });
    // --- Published transparency reports: every half-year that has ended, counted from the
    // disclosure log as of its current signed head (docs/reports.md).
    Get("/api/v1/reports", Public(), [this](const httplib::Request&, httplib::Response& res, const Caller&) {
      const Date today = clock.Now().UtcDate();
      const int year = std::stoi(FormatDate(today).substr(0, 4));
      json out = json::array();
      // The last three years' half-years that have ended, newest first.
      for (int y = year; y > year - 3; --y) {
        for (int half : {2, 1}) {
          const Date to = half == 1 ? HalfYearStart(y, 2) : HalfYearStart(y + 1, 1);
          if (today < to) continue;
          const std::string period = std::to_string(y) + "-H" + std::to_string(half);
          out.push_back({{"period", period},
                         {"from", FormatDate(HalfYearStart(y, half))},
                         {"to", FormatDate(to)},
                         {"json", "/api/v1/reports/" + period},
                         {"csv", "/api/v1/reports/" + period + "?format=csv"},
                         {"html", "/api/v1/reports/" + period + "?format=html"}});
        }
      }
      Send(res, 200, {{"reports", out}});
    });
    Get("/api/v1/reports/{period}", Public(), [this](const httplib::Request& req, httplib::Response& res, const Caller&) {
      const std::string period = req.matches[1];
      const int year = std::stoi(period.substr(0, 4));
      const int half = period[6] - '0';
      const Date from = HalfYearStart(year, half);
      const Date to = half == 1 ? HalfYearStart(year, 2) : HalfYearStart(year + 1, 1);
      const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
      if (format != "json" && format != "csv" && format != "html") {
        return SendProblem(res, ParameterProblem("format", "json, csv or html"));
      }
      if (clock.Now().UtcDate() < to) {
        return SendProblem(res, {404, "not-found", "Not published",
                                 "A half-year's report is published once the half-year has ended.", ""});
      }
      auto standards = workflow.standards().Current(workflow.database());
      if (!standards.ok()) return Fail(res, standards.status());
      auto report = reports::MakeReport(workflow.database(), ledgers, **standards, from, to, "server");
      if (!report.ok()) return Fail(res, report.status());
      if (format == "csv") return res.set_content(reports::ReportToCsv(*report), "text/csv; charset=utf-8");
      if (format == "html") return res.set_content(reports::ReportToHtml(*report), "text/html; charset=utf-8");
      Send(res, 200, json::parse(reports::ReportToJson(*report).dump()));
    });

    Get("/api/v1/keys", Public(), [this](const httplib::Request&, httplib::Response& res, const Caller&) {
      json out = json::object();
      for (std::string_view purpose : {cases::kLedgerKey, cases::kProductionKey}) {
        auto keys = signing_keys.Keys(purpose);
        if (!keys.ok()) return Fail(res, keys.status());
        json list = json::array();
        for (const cases::PublicSigningKey& k : *keys) list.push_back(cases::PublicKeyToJson(k));
        out[std::string(purpose)] = list;
      }
      Send(res, 200, out);
    });
    Get("/api/v1/ledger/audit/entries", Staff({Role::kAuditor}), [this](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      const auto start = NumberParameter(req, res, "start", 0, 0, kMaxTreeSize);
      if (!start) return;
      const auto count = NumberParameter(req, res, "count", kDefaultAuditEntriesPerPage, 1,
                                         kMaxAuditEntriesPerPage);
      if (!count) return;
      auto page = ledgers.ProveAuditEntries(*start, *count, caller.name);
      if (!page.ok()) return Fail(res, page.status());
      json entries = json::array();
      for (const cases::ProvenAuditEntry& e : page->entries) {
        // Details are JSON as the workflow wrote them; kept as text if one ever is not.
        json detail;
        if (e.detail) {
          detail = json::parse(*e.detail, nullptr, false);
          if (detail.is_discarded()) detail = *e.detail;
        }
        entries.push_back({{"index", e.index},
                           {"leaf", json::parse(e.leaf)},
                           {"detail", detail},
                           {"proof", ledger::ProofToJson(e.proof)}});
      }
      Send(res, 200, {{"head", HeadJson(page->head)}, {"entries", entries}});
    });
  }

  // False, with the 404 problem sent, for a log other than audit and disclosures.
  static bool KnownLog(httplib::Response& res, const std::string& log) {
    if (cases::CheckLogName(log).ok()) return true;
    SendProblem(res, {404, "not-found", "No such resource",
                      "No such log: the logs are audit and disclosures.", ""});
    return false;
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
  auto impl = std::make_unique<Impl>(services, options);
  impl->tls = tls;
  auto http = GuardedHttpServer::Create(options.connections, options.tls_certificate, options.tls_private_key);
  if (!http.ok()) return http.status();
  impl->http = std::move(http).value();
  impl->http->set_admission([raw = impl.get()](const httplib::Request& req, httplib::Response& res) {
    return raw->Admit(req, res);
  });
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
  impl->Routes();
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
