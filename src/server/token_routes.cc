// API tokens, for admins: the list (never a secret), a new token (its secret told once), and
// revoking one.
#include "server/routes.h"

#include "server/answers.h"
#include "server/api_bodies.h"
#include "server/user_json.h"

namespace custodian::server {

using json = nlohmann::ordered_json;

namespace {

// The token `id` names, as listed.
Result<Token> TokenById(UserStore& users, const std::string& id) {
  for (const Token& t : users.Tokens()) {
    if (t.id == id) return t;
  }
  return Status::NotFound("no token " + id);
}

}  // namespace

void AddTokenRoutes(Router& router, const ServerServices& api) {
  router.Get("/api/v1/tokens", Staff({Role::kAdmin}), [api](const httplib::Request&, httplib::Response& res, const Caller&) {
    json out = json::array();
    for (const Token& t : api.users.Tokens()) out.push_back(TokenToJson(t));
    Send(res, 200, out);
  });
  router.Post("/api/v1/tokens", Staff({Role::kAdmin}), Json(kMaxStepBodyBytes),
              [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
                auto body = ParseNewTokenBody(req.body);
                if (!body.ok()) return Fail(res, body.status());
                // A requester's token carries its account's agency and address.
                std::optional<RequesterAccount> account;
                if (body->account) {
                  auto found = api.requesters ? api.requesters->Get(*body->account)
                                              : Result<RequesterAccount>(Status::NotFound(""));
                  if (!found.ok() || found->state != RequesterState::kActive) {
                    return Fail(res, Status::InvalidArgument("/account: no active requester account has this id"));
                  }
                  account = *found;
                }
                auto secret = api.users.CreateToken(
                    body->kind, body->name, account ? std::optional(account->agency_id) : std::nullopt,
                    account ? std::optional(account->email) : std::nullopt, caller.name,
                    account ? std::optional(account->id) : std::nullopt);
                if (!secret.ok()) return Fail(res, Pointed(secret.status(), "name", "/name"));
                // "cst_" + the id's 16 hex digits + "_" + the secret (user_store.h).
                auto token = TokenById(api.users, secret->substr(4, 16));
                if (!token.ok()) return Fail(res, token.status());
                json out = TokenToJson(*token);
                out["token"] = *secret;
                Send(res, 201, out);
              });
  router.Post("/api/v1/tokens/{token}/revoke", Staff({Role::kAdmin}), NoBody(),
              [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
                if (Status s = api.users.RevokeToken(req.matches[1], caller.name); !s.ok()) return Fail(res, s);
                auto token = TokenById(api.users, req.matches[1]);
                if (!token.ok()) return Fail(res, token.status());
                Send(res, 200, TokenToJson(*token));
              });
}

}  // namespace custodian::server
