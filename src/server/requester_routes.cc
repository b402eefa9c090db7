// Requesters' own accounts on the portal (docs/api.md, Who calls): registration with an
// address at a domain the agency registry gives an agency, confirmed by a link mailed to it;
// the second factor's enrolment; sign-in (limited per client address, as staff's), the
// session and sign-out; and, for staff, the accounts' list, suspension and reinstatement.
#include <iostream>
#include <memory>

#include "server/answers.h"
#include "server/api_bodies.h"
#include "server/credentials.h"
#include "server/routes.h"
#include "server/sign_in_answers.h"
#include "server/sign_in_limiter.h"
#include "server/user_json.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

constexpr char kPortalPath[] = "/api/v1/portal";

// The registry's name of an agency (its id when the registry names it no longer).
std::string AgencyName(const ServerServices& api, const std::string& agency_id) {
  auto agencies = api.workflow.Agencies();
  const Agency* agency = agencies.ok() ? agencies->Find(agency_id) : nullptr;
  return agency ? agency->name : agency_id;
}

// The portal's session: its CSRF token and account (with its agency's name); on a demo
// instance, that second factors are off (the portal says so on every page).
json SessionJson(const ServerServices& api, const Session& s, const RequesterAccount& a, bool demo) {
  json account = RequesterToJson(a);
  account["agency"] = AgencyName(api, a.agency_id);
  json out = {{"csrf", s.csrf}, {"account", std::move(account)}};
  if (demo) out["demo"] = true;
  return out;
}

// Refused: one answer whether the address is unknown, the password or code wrong, or the
// account unconfirmed, suspended or locked.
void Refused(httplib::Response& res) {
  SendProblem(res, {401, "invalid-credentials", "Sign-in refused", "The address, password or code is wrong.", ""});
}

// Signed in (a sign-in, or an enrolment confirmed): the portal's cookie and the session.
void SignedIn(httplib::Response& res, const ServerServices& api, const LoginResult& r, bool tls, bool demo) {
  auto account = api.requesters->Get(r.session.user);
  if (!account.ok()) return Fail(res, account.status());
  res.set_header("Set-Cookie",
                 SessionCookie(kPortalCookie, r.session_id, kPortalPath,
                               (r.session.expires_at.micros - api.clock.Now().micros) / kMicrosPerSecond, tls));
  Send(res, 200, SessionJson(api, r.session, *account, demo));
}

// 422: a field the request is well formed in but that cannot be taken (its pointer in the
// message, as the body parsers write it).
void Unprocessable(httplib::Response& res, const Status& s) {
  Problem p = ProblemOf(s);
  p.status = 422;
  p.type = "unprocessable";
  p.title = "The request cannot be taken";
  SendProblem(res, p);
}

// scheme://host[:port] of a URL (what the console's address starts with).
std::string Origin(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t end = url.find_first_of("/?#", scheme + 3);
  return url.substr(0, end);
}

// The message that answers a registration: the link that confirms a new account, or word
// that the address has one (it says nothing else, and changes nothing). ASCII only.
Status MailRegistration(MailTransport& mail, const std::string& email, const Registration& r) {
  const std::string portal = Origin(mail.console_url()) + "/portal/";
  const std::string id = RandomHex(16) + ".portal";  // nothing of the account or its link
  if (r.exists) {
    return mail.Send({{email}, "Your portal account",
                     "Someone, perhaps you, asked to register this address on the portal, but it already has an\r\n"
                     "account. Nothing was changed. Sign in at\r\n\r\n" +
                         portal + "\r\n\r\nIf it was not you, you may ignore this message.\r\n",
                      id, ""});
  }
  return mail.Send({{email}, "Confirm your address for the portal",
                   "Someone, perhaps you, registered this address on the portal. To confirm it, open this link\r\n"
                   "within 24 hours (it works once):\r\n\r\n" +
                       portal + "#/confirm/" + r.token +
                       "\r\n\r\nThen enrol an authenticator app, as the portal asks. If it was not you, ignore this\r\n"
                       "message: no account is usable without it.\r\n",
                    id, ""});
}

}  // namespace

void AddRequesterRoutes(Router& router, const ServerServices& api, const ServerOptions& options) {
  auto limiter = std::make_shared<SignInLimiter>(api.workflow.database(), "requester",
                                                 options.login_attempts_per_minute);
  const bool tls = !options.tls_certificate.empty(), demo = options.demo;
  const auto limited = [api, limiter](const httplib::Request& req, httplib::Response& res) {
    return !limiter->Admit(req, res, api.clock.Now());
  };
  const auto unavailable = [api](httplib::Response& res) {
    if (api.requesters) return false;
    SendProblem(res, {503, "unavailable", "Requester accounts are not available", "This server keeps none.", ""});
    return true;
  };

  // The same answer whether the address is new or has an account (the mail tells which).
  router.Post("/api/v1/portal/accounts", Public(), Json(kMaxLoginBodyBytes),
              [api, limited, unavailable](const httplib::Request& req, httplib::Response& res, const Caller&) {
                if (limited(req, res) || unavailable(res)) return;
                if (!api.mail || api.mail->console_url().empty()) {
                  return SendProblem(res, {503, "unavailable", "Registration is not available",
                                           "The instance mails no links ([mail], and [alerts] console_url).", ""});
                }
                auto body = ParseRegistrationBody(req.body);
                if (!body.ok()) return Fail(res, body.status());
                auto r = api.requesters->Register(body->email, body->name, body->password);
                if (!r.ok()) {
                  const Status s = Pointed(Pointed(Pointed(r.status(), "password", "/password"), "name", "/name"),
                                           "email", "/email");
                  return s.code() == Status::Code::kInvalidArgument ? Unprocessable(res, s) : Fail(res, s);
                }
                if (Status sent = MailRegistration(*api.mail, body->email, *r); !sent.ok()) {
                  // The link is stored; registering again sends another.
                  std::cerr << "custodian: a requester's confirmation mail: " << sent.message() << std::endl;
                  return SendProblem(res, {503, "mail-unavailable", "The confirmation could not be mailed",
                                           "Try again later.", ""});
                }
                Send(res, 202, {{"status", "confirmation_sent"}});
              });
  // The link's token and the password registered with it; limited as sign-in is.
  router.Post("/api/v1/portal/accounts/confirm", Public(), Json(kMaxLoginBodyBytes),
              [api, limited, unavailable](const httplib::Request& req, httplib::Response& res, const Caller&) {
                if (limited(req, res) || unavailable(res)) return;
                auto body = ParseConfirmationBody(req.body);
                if (!body.ok()) return Fail(res, body.status());
                auto r = api.requesters->Confirm(body->token, body->password);
                if (!r.ok()) return Fail(res, r.status());
                Send(res, 200, {{"enrolment_ticket", r->enrolment_ticket},
                                {"expires_at", FormatDateTime(r->enrolment_expires_at)}});
              });
  router.Post("/api/v1/portal/totp/enrolment", Public(), Json(kMaxLoginBodyBytes),
              [api, limited, unavailable](const httplib::Request& req, httplib::Response& res, const Caller&) {
                if (limited(req, res) || unavailable(res)) return;
                auto ticket = ParseTicketBody(req.body);
                if (!ticket.ok()) return Fail(res, ticket.status());
                auto enrolment = api.requesters->StartTotpEnrolment(*ticket);
                if (!enrolment.ok()) return BadTicket(res);
                auto account = api.requesters->Get(enrolment->user);
                if (!account.ok()) return Fail(res, account.status());
                Send(res, 200, TotpEnrolmentJson(account->email, enrolment->secret));
              });
  router.Post("/api/v1/portal/totp/confirm", Public(), Json(kMaxLoginBodyBytes),
              [api, limited, unavailable, tls, demo](const httplib::Request& req, httplib::Response& res, const Caller&) {
                if (limited(req, res) || unavailable(res)) return;
                auto body = ParsePortalTotpConfirmBody(req.body);
                if (!body.ok()) return Fail(res, body.status());
                auto r = api.requesters->ConfirmTotpEnrolment(body->ticket, body->totp);
                if (!r.ok() && r.status().code() == Status::Code::kNotFound) return BadTicket(res);
                if (!r.ok()) return Fail(res, r.status());
                if (r->outcome != LoginOutcome::kOk) return Refused(res);
                SignedIn(res, api, *r, tls, demo);
              });
  router.Post("/api/v1/portal/session", Public(), Json(kMaxLoginBodyBytes),
              [api, limited, unavailable, tls, demo](const httplib::Request& req, httplib::Response& res, const Caller&) {
                if (limited(req, res) || unavailable(res)) return;
                auto body = ParsePortalSignInBody(req.body);
                if (!body.ok()) return Fail(res, body.status());
                const LoginResult r = api.requesters->Login(body->username, body->password, body->totp);
                if (r.outcome == LoginOutcome::kNoSecondFactor) {
                  // The password was right and the account confirmed: the ticket enrols its factor.
                  return SendProblem(res,
                                     {403, "totp-enrolment-required", "A second factor is to be enrolled",
                                      "Enrol an authenticator app: POST the ticket to /api/v1/portal/totp/enrolment.", ""},
                                     {{"enrolment_ticket", r.enrolment_ticket},
                                      {"enrolment_expires_at", FormatDateTime(r.enrolment_expires_at)}});
                }
                if (r.outcome != LoginOutcome::kOk) return Refused(res);
                SignedIn(res, api, r, tls, demo);
              });
  // The portal reloaded: the session its cookie names, with the CSRF token it lost. A
  // token's caller has none.
  router.Get("/api/v1/portal/session", Requester(),
             [api, demo](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
               const std::string cookie = CookieValue(req, kPortalCookie);
               auto session = api.requesters && !cookie.empty() ? api.requesters->SessionOf(cookie)
                                                                : Result<Session>(Status::NotFound(""));
               auto account = session.ok() ? api.requesters->Get(session->user) : Result<RequesterAccount>(session.status());
               if (!account.ok() || account->id != caller.account_id) {
                 return SendProblem(res, {401, "unauthenticated", "Sign in first", "No portal session.", ""});
               }
               Send(res, 200, SessionJson(api, *session, *account, demo));
             });
  router.Post("/api/v1/portal/session/logout", Requester(), NoBody(),
              [api, tls](const httplib::Request& req, httplib::Response& res, const Caller&) {
                const std::string cookie = CookieValue(req, kPortalCookie);
                if (api.requesters && !cookie.empty()) api.requesters->Logout(cookie).IgnoreError();
                res.set_header("Set-Cookie", SessionCookie(kPortalCookie, "", kPortalPath, 0, tls));
                res.status = 204;
              });

  router.Get("/api/v1/requesters", Staff({Role::kAdmin, Role::kIntake}),
             [api, unavailable](const httplib::Request&, httplib::Response& res, const Caller&) {
               if (unavailable(res)) return;
               json out = json::array();
               for (const RequesterAccount& a : api.requesters->Accounts()) out.push_back(ListedRequesterToJson(a));
               Send(res, 200, out);
             });
  // Suspending ends the account's sessions; its tokens open nothing while it lasts.
  for (const bool suspend : {true, false}) {
    router.Post(std::string("/api/v1/requesters/{account}/") + (suspend ? "suspend" : "reinstate"), Staff({Role::kAdmin}),
                NoBody(), [api, unavailable, suspend](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
                  if (unavailable(res)) return;
                  auto account = api.requesters->SetSuspended(req.matches[1], suspend, caller.name);
                  if (!account.ok()) return Fail(res, account.status());
                  Send(res, 200, ListedRequesterToJson(*account));
                });
  }
}

}  // namespace custodian::server
