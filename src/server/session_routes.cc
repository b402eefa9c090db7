// Staff sessions: sign-in with a password and a TOTP code (limited per client address), the
// second factor's enrolment at first sign-in, a user's own password, sign-out.
#include "server/routes.h"

#include <memory>

#include "server/answers.h"
#include "server/api_bodies.h"
#include "server/sign_in_answers.h"
#include "server/sign_in_limiter.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

// A session as its user sees it: who, in which roles, the token its changes carry, and when
// it ends (sessions do not slide: the console warns before); on a demo instance, that second
// factors are off (the console says so on every page).
json SessionJson(UserStore& users, const Session& session, bool demo) {
  json roles = json::array();
  const auto user = users.GetUser(session.user);
  if (user.ok()) {
    for (Role role : user->roles) roles.push_back(std::string(kRoleNames[static_cast<size_t>(role)]));
  }
  json out = {{"user", session.user}, {"roles", roles}, {"csrf", session.csrf},
              {"expires_at", FormatDateTime(session.expires_at)}};
  if (demo) out["demo"] = true;
  return out;
}

// Signed in (a login, or an enrolment confirmed): the session's cookie and the session.
void SignedIn(httplib::Response& res, const ServerServices& api, const LoginResult& r, bool tls, bool demo) {
  res.set_header("Set-Cookie", SessionCookie(kSessionCookie, r.session_id, "/",
                                             (r.session.expires_at.micros - api.clock.Now().micros) / kMicrosPerSecond, tls));
  Send(res, 200, SessionJson(api.users, r.session, demo));
}

// Refused: one answer whether the name, the password, the code is wrong or the user locked.
void Refused(httplib::Response& res) {
  SendProblem(res, {401, "invalid-credentials", "Sign-in refused", "The name, password or code is wrong.", ""});
}

}  // namespace

void AddSessionRoutes(Router& router, const ServerServices& api, const ServerOptions& options) {
  auto limiter = std::make_shared<SignInLimiter>(api.workflow.database(), "staff",
                                                 options.login_attempts_per_minute);
  const bool tls = !options.tls_certificate.empty();
  const bool demo = options.demo;
  // Every attempt at a factor (a password, a code) from an address counts against its limit.
  const auto limited = [api, limiter](const httplib::Request& req, httplib::Response& res) {
    return !limiter->Admit(req, res, api.clock.Now());
  };
  router.Post("/api/v1/auth/login", Public(), Json(kMaxLoginBodyBytes), [api, limited, tls, demo](const httplib::Request& req, httplib::Response& res, const Caller&) {
    if (limited(req, res)) return;
    auto body = ParseLoginBody(req.body);
    if (!body.ok()) return Fail(res, body.status());
    const LoginResult r = api.users.Login(body->username, body->password, body->totp);
    if (r.outcome == LoginOutcome::kNoSecondFactor) {
      // The password was right: the ticket enrols the second factor (first sign-in).
      return SendProblem(res, {403, "second-factor-required", "A second factor is required",
                               "Enrol a TOTP app: POST the enrolment ticket to /api/v1/auth/totp/enrolment.", ""},
                         {{"enrolment_ticket", r.enrolment_ticket},
                          {"enrolment_expires_at", FormatDateTime(r.enrolment_expires_at)}});
    }
    // A locked user is answered as an unknown one or a wrong password is: the answer tells
    // a caller nothing of which names exist or which are under attack.
    if (r.outcome != LoginOutcome::kOk) return Refused(res);
    SignedIn(res, api, r, tls, demo);
  });
  // First sign-in, where a second factor is required: the secret for the user's app.
  router.Post("/api/v1/auth/totp/enrolment", Public(), Json(kMaxLoginBodyBytes), [api, limited](const httplib::Request& req, httplib::Response& res, const Caller&) {
    if (limited(req, res)) return;
    auto ticket = ParseTicketBody(req.body);
    if (!ticket.ok()) return Fail(res, ticket.status());
    auto enrolment = api.users.StartTotpEnrolment(*ticket);
    if (!enrolment.ok()) return BadTicket(res);
    json out = {{"user", enrolment->user}};
    out.update(TotpEnrolmentJson(enrolment->user, enrolment->secret));
    Send(res, 200, out);
  });
  // … and a code from it: enrolled, and signed in.
  router.Post("/api/v1/auth/totp/confirm", Public(), Json(kMaxLoginBodyBytes), [api, limited, tls, demo](const httplib::Request& req, httplib::Response& res, const Caller&) {
    if (limited(req, res)) return;
    auto body = ParseTotpConfirmBody(req.body);
    if (!body.ok()) return Fail(res, body.status());
    auto r = api.users.ConfirmTotpEnrolment(body->ticket, body->totp);
    if (!r.ok() && r.status().code() == Status::Code::kNotFound) return BadTicket(res);
    if (!r.ok()) return Fail(res, r.status());
    if (r->outcome != LoginOutcome::kOk) return Refused(res);
    SignedIn(res, api, *r, tls, demo);
  });
  // The console reloaded: the session its cookie names, with the CSRF token it lost.
  router.Get("/api/v1/auth/session", Staff(), [api, demo](const httplib::Request& req, httplib::Response& res, const Caller&) {
    auto session = api.users.SessionOf(CookieValue(req, kSessionCookie));
    if (!session.ok()) return Fail(res, session.status());
    Send(res, 200, SessionJson(api.users, *session, demo));
  });
  router.Post("/api/v1/auth/logout", Staff(), NoBody(), [api, tls](const httplib::Request& req, httplib::Response& res, const Caller&) {
    api.users.Logout(CookieValue(req, kSessionCookie)).IgnoreError();
    res.set_header("Set-Cookie", SessionCookie(kSessionCookie, "", "/", 0, tls));
    res.status = 204;
  });
  // A user's own password: the current one, and the new; their other sessions end.
  router.Post("/api/v1/auth/password", Staff(), Json(kMaxLoginBodyBytes), [api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    auto body = ParsePasswordChangeBody(req.body);
    if (!body.ok()) return Fail(res, body.status());
    Status s = api.users.ChangePassword(CookieValue(req, kSessionCookie), body->current, body->password);
    if (!s.ok()) return Fail(res, Pointed(Pointed(s, "password", "/new"), "current", "/current"));
    res.status = 204;
  });
}

}  // namespace custodian::server
