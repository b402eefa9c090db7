#include "server/router.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cases/workflow.h"
#include "core/json_depth.h"
#include "server/answers.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

// What each path parameter of the routes (named as the OpenAPI document names them) matches.
// A log name is any word: one other than audit and disclosures answers 404.
constexpr std::pair<std::string_view, std::string_view> kPathParameters[] = {
    {"id", "C-[0-9]{4}-[0-9]{6}"},          {"production", "P-[0-9]{4}-[0-9]{6}"},
    {"grant", "D-[0-9a-f]{32}"},             {"hold", "C-[0-9]{4}-[0-9]{6}-H[0-9]{1,9}"},
    {"sha256", "[0-9a-f]{64}"},              {"log", "[a-z]+"},
    {"period", "[0-9]{4}-H[12]"},            {"name", "[a-z0-9._-]{1,64}"},
    {"token", "[0-9a-f]{16}"},               {"account", "R-[0-9a-f]{16}"}};

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

// A problem's detail with the values of the request's path and query named, not repeated
// (route_table.h): the caller sent them, and docs/api.md promises no detail echoes them.
void WithoutValuesOf(const httplib::Request& req, const Route& route, httplib::Response& res) {
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

}  // namespace

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

Body Pdf() { return {Body::kPdf, cases::kMaxAttachmentBytes}; }

Router::Router(GuardedHttpServer& http, UserStore& users, RequesterStore* requesters)
    : http_(http), users_(users), requesters_(requesters), routes_({std::begin(kPathParameters), std::end(kPathParameters)}) {
  http_.set_admission([this](const httplib::Request& req, httplib::Response& res) { return Admit(req, res); });
  // httplib's own refusals, and anything no handler answered, as problems.
  http_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
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

void Router::Get(const std::string& path, Access access, Handler handler) {
  const Route& route = routes_.Add("GET", path);
  http_.Get(route.pattern, Guard(route, std::move(access), std::move(handler)));
}

void Router::Post(const std::string& path, Access access, Body body, Handler handler) {
  const Route& route = routes_.Add("POST", path);
  bodies_[&route] = body;
  http_.Post(route.pattern, BodyGuard(route, std::move(access), body, std::move(handler)));
}

void Router::Put(const std::string& path, Access access, Body body, Handler handler) {
  const Route& route = routes_.Add("PUT", path);
  bodies_[&route] = body;
  http_.Put(route.pattern, BodyGuard(route, std::move(access), body, std::move(handler)));
}

Caller Router::Authenticate(const httplib::Request& req) {
  Caller caller;
  const std::string authorization = req.get_header_value("Authorization");
  if (authorization.starts_with("Bearer ")) {
    auto token = users_.TokenOf(authorization.substr(7));
    if (!token.ok()) return caller;
    caller.kind = token->kind == TokenKind::kService     ? Caller::Kind::kService
                  : token->kind == TokenKind::kRequester ? Caller::Kind::kRequester
                                                         : Caller::Kind::kExternalAuditor;
    if (token->account_id) {
      // A token acts for its account while the account is active: a suspended one's opens nothing.
      auto account = requesters_ ? requesters_->Get(*token->account_id) : Result<RequesterAccount>(Status::NotFound(""));
      if (!account.ok() || account->state != RequesterState::kActive) return Caller{};
      caller.account_id = account->id;
    }
    caller.name = std::string(TokenKindName(token->kind)) + ":" + token->name;
    caller.agency_id = token->agency_id;
    caller.email = token->email;
    return caller;
  }
  // A requester's session first: its cookie is sent to the portal's paths only, where a staff
  // member's (Path=/) may come too, from the same browser.
  if (const std::string portal = CookieValue(req, kPortalCookie); !portal.empty() && requesters_) {
    auto session = requesters_->SessionOf(portal);
    auto account = session.ok() ? requesters_->Get(session->user) : Result<RequesterAccount>(session.status());
    if (!account.ok()) return caller;
    caller.kind = Caller::Kind::kRequester;
    caller.name = account->id;
    caller.csrf = session->csrf;
    caller.agency_id = account->agency_id;
    caller.email = account->email;
    caller.account_id = account->id;
    return caller;
  }
  const std::string session_id = CookieValue(req, kSessionCookie);
  if (session_id.empty()) return caller;
  auto session = users_.SessionOf(session_id);
  if (!session.ok()) return caller;
  auto user = users_.GetUser(session->user);
  if (!user.ok()) return caller;
  caller.kind = Caller::Kind::kStaff;
  caller.name = user->name;
  caller.roles = user->roles;
  caller.csrf = session->csrf;
  return caller;
}

// Who calls, and whether they may: the caller, or the problem that refuses them (401, 403, or
// 403 csrf for a session's change without the session's token). Headers only: no body is read.
std::variant<Caller, Problem> Router::Authorize(const httplib::Request& req, const Access& access, bool change) {
  Caller caller;
  if (access.kind == Caller::Kind::kNobody) return caller;
  caller = Authenticate(req);
  if (caller.kind == Caller::Kind::kNobody) {
    return Problem{401, "unauthenticated", "Sign in first", "No valid session or token.", ""};
  }
  const bool role_ok = access.roles.empty() ||
                       std::any_of(access.roles.begin(), access.roles.end(),
                                   [&](Role r) { return caller.roles.count(r) > 0; });
  const bool admitted = (caller.kind == access.kind && role_ok) ||
                        (access.external_auditors && caller.kind == Caller::Kind::kExternalAuditor);
  if (!admitted) {
    return Problem{403, "forbidden", "Not allowed", "This endpoint is not for this account.", ""};
  }
  // A session's changes (staff's or a requester's) carry its token; a bearer token's need none.
  if (change && !caller.csrf.empty() && req.get_header_value("X-CSRF-Token") != caller.csrf) {
    return Problem{403, "csrf", "Missing or wrong CSRF token",
                   "Send the session's token in X-CSRF-Token.", ""};
  }
  return caller;
}

// Wraps a reading endpoint's `handler` with authorization and an exception fence; a problem
// it answers repeats none of the request's values.
httplib::Server::Handler Router::Guard(const Route& route, Access access, Handler handler) {
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

// Wraps a changing endpoint's `handler`: the caller is authorized from the headers before a
// byte of the body is read (a refused caller's body is never read); then the body is read,
// up to its limit and no further, whatever Content-Length said or a chunked body turns out
// to be; a JSON body's depth is measured; then the handler sees it in req.body.
httplib::Server::HandlerWithContentReader Router::BodyGuard(const Route& route, Access access, Body body,
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

httplib::Server::HandlerResponse Router::Admit(const httplib::Request& req, httplib::Response& res) {
  using Response = httplib::Server::HandlerResponse;
  // No answer is cut to a byte range: a part of a JSON document is no answer, and a grant is
  // spent on a whole package. (httplib would send the part as 200.)
  const_cast<httplib::Request&>(req).ranges.clear();
  const Route* found = routes_.Find(req.method, req.path);
  if (!found) {
    const std::vector<std::string> allowed = routes_.MethodsAt(req.path);
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
  auto body = bodies_.find(found);
  if (body == bodies_.end()) {
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

}  // namespace custodian::server
