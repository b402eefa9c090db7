// Staff users, for admins: the list, a new user (with a password the server makes, told
// once), their roles, where their alerts are mailed, disabling and enabling them, and
// resetting their second factor.
#include "server/routes.h"

#include "server/answers.h"
#include "server/api_bodies.h"
#include "server/passwords.h"
#include "server/user_json.h"

namespace custodian::server {

using json = nlohmann::ordered_json;

namespace {

// The user as changed (or the failure that stopped the change).
void SendUser(httplib::Response& res, UserStore& users, const std::string& name, const Status& change) {
  if (!change.ok()) return Fail(res, change);
  auto user = users.GetUser(name);
  if (!user.ok()) return Fail(res, user.status());
  Send(res, 200, UserToJson(*user));
}

}  // namespace

void AddUserRoutes(Router& router, const ServerServices& api) {
  router.Get("/api/v1/users", Staff({Role::kAdmin}), [api](const httplib::Request&, httplib::Response& res, const Caller&) {
    json out = json::array();
    for (const User& u : api.users.Users()) out.push_back(UserToJson(u));
    Send(res, 200, out);
  });
  // No second factor yet: where one is required, the user enrols it at first sign-in.
  router.Post("/api/v1/users", Staff({Role::kAdmin}), Json(kMaxStepBodyBytes),
              [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
                auto body = ParseNewUserBody(req.body);
                if (!body.ok()) return Fail(res, body.status());
                const std::string password = NewPassword();
                Status s = api.users.AddUser(body->name, body->roles, password, caller.name, body->email);
                if (!s.ok()) return Fail(res, Pointed(Pointed(s, "name", "/name"), "email", "/email"));
                auto user = api.users.GetUser(body->name);
                if (!user.ok()) return Fail(res, user.status());
                Send(res, 201, {{"user", UserToJson(*user)}, {"password", password}});
              });
  router.Put("/api/v1/users/{name}/roles", Staff({Role::kAdmin}), Json(kMaxStepBodyBytes),
             [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
               auto roles = ParseRolesBody(req.body);
               if (!roles.ok()) return Fail(res, roles.status());
               SendUser(res, api.users, req.matches[1], api.users.SetRoles(req.matches[1], *roles, caller.name));
             });
  router.Put("/api/v1/users/{name}/email", Staff({Role::kAdmin}), Json(kMaxStepBodyBytes),
             [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
               auto email = ParseEmailBody(req.body);
               if (!email.ok()) return Fail(res, email.status());
               if (Status s = api.users.SetEmail(req.matches[1], *email, caller.name); !s.ok()) {
                 return Fail(res, Pointed(s, "email", "/email"));
               }
               auto user = api.users.GetUser(req.matches[1]);
               if (!user.ok()) return Fail(res, user.status());
               Send(res, 200, {{"name", user->name}, {"email", user->email ? json(*user->email) : json()}});
             });
  for (const bool disable : {true, false}) {
    router.Post(disable ? "/api/v1/users/{name}/disable" : "/api/v1/users/{name}/enable", Staff({Role::kAdmin}),
                NoBody(), [api, disable](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
                  SendUser(res, api.users, req.matches[1], api.users.SetDisabled(req.matches[1], disable, caller.name));
                });
  }
  router.Post("/api/v1/users/{name}/totp/reset", Staff({Role::kAdmin}), NoBody(),
              [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
                SendUser(res, api.users, req.matches[1], api.users.ResetTotp(req.matches[1], caller.name));
              });
}

}  // namespace custodian::server
