#include "cli/user_command.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cases/store/database.h"
#include "cli/exit_codes.h"
#include "cli/instance_flags.h"
#include "core/clock.h"
#include "instance/instance.h"
#include "instance/instance_config.h"
#include "instance/instance_keys.h"
#include "instance/instance_record.h"
#include "server/requester_store.h"
#include "server/totp.h"
#include "server/user_json.h"
#include "server/user_store.h"

namespace custodian {
namespace {

struct UserFlags {
  InstanceOptions instance;
  std::string actor;
  std::string name;
  std::vector<std::string> roles;
  std::string service, requester, external_auditor, account, email, token_id;
  bool remove = false;
};

// Opens the instance's user and requester stores: its case store's database, and the key that
// seals TOTP secrets (derived from the master key).
int Run(const UserFlags& f,
        const std::function<Result<nlohmann::ordered_json>(server::UserStore&, server::RequesterStore&)>& action) {
  vault::SecretKey master;
  auto db = OpenCaseStore(f.instance, &master);
  if (!db.ok()) return ReportFailure(db.status());
  const vault::SecretKey second_factors = DeriveInstanceKey(master, InstanceKey::kSecondFactors);
  server::UserStore users(**db, second_factors, SystemClock());
  server::RequesterStore requesters(**db, second_factors, SystemClock());
  auto out = action(users, requesters);
  if (!out.ok()) return ReportFailure(out.status());
  std::cout << out->dump(2) << "\n";
  return kExitOk;
}

// A password: the first line of standard input (never an argument, which other users of the
// machine could see in the process list).
Result<std::string> ReadPassword() {
  std::string line;
  if (!std::getline(std::cin, line)) {
    return Status::InvalidArgument("password: give it on standard input (one line)");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

void AddUserCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<UserFlags>();
  auto* user = app.add_subcommand("user", "Staff users and API tokens");
  user->require_subcommand(1);
  const auto with_actor = [f](CLI::App* cmd) {
    AddInstanceFlags(cmd, f->instance);
    cmd->add_option("--actor", f->actor, "Who does this (recorded in the audit log)")->required();
  };

  auto* add = user->add_subcommand("add", "Add a staff user; the password on standard input");
  with_actor(add);
  add->add_option("NAME", f->name, "1 to 64 of a-z, 0-9, '.', '_', '-'")->required();
  add->add_option("--role", f->roles, "intake, reviewer, approver, auditor, admin (repeatable)")
      ->required()
      ->check(CLI::IsMember({"intake", "reviewer", "approver", "auditor", "admin"}));
  add->add_option("--email", f->email, "Where the user's alerts are mailed (optional)");
  add->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users, server::RequesterStore&) -> Result<nlohmann::ordered_json> {
      auto password = ReadPassword();
      if (!password.ok()) return password.status();
      std::set<server::Role> roles;
      for (const std::string& r : f->roles) roles.insert(*server::ParseRole(r));
      const auto email = f->email.empty() ? std::nullopt : std::optional(f->email);
      if (Status s = users.AddUser(f->name, roles, *password, f->actor, email); !s.ok()) return s;
      return server::UserToJson(*users.GetUser(f->name));
    });
  });

  auto* email = user->add_subcommand("email", "Set or remove the address a user's alerts are mailed to");
  with_actor(email);
  email->add_option("NAME", f->name, "The user")->required();
  auto* address = email->add_option("ADDRESS", f->email, "The address");
  auto* remove = email->add_flag("--remove", f->remove, "Remove the address: alerts in the console only");
  address->excludes(remove);
  email->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users, server::RequesterStore&) -> Result<nlohmann::ordered_json> {
      if (f->email.empty() != f->remove) {
        return Status::InvalidArgument("email: give the ADDRESS, or --remove");
      }
      const auto email = f->remove ? std::nullopt : std::optional(f->email);
      if (Status s = users.SetEmail(f->name, email, f->actor); !s.ok()) return s;
      return server::UserToJson(*users.GetUser(f->name));
    });
  });

  auto* passwd = user->add_subcommand("passwd", "Set a user's password (standard input); ends "
                                                "their sessions");
  with_actor(passwd);
  passwd->add_option("NAME", f->name, "The user")->required();
  passwd->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users, server::RequesterStore&) -> Result<nlohmann::ordered_json> {
      auto password = ReadPassword();
      if (!password.ok()) return password.status();
      if (Status s = users.SetPassword(f->name, *password, f->actor); !s.ok()) return s;
      return nlohmann::ordered_json{{"name", f->name}, {"password", "changed"}};
    });
  });

  auto* totp = user->add_subcommand("totp", "Enrol (or re-enrol) a user's second factor; prints "
                                            "the otpauth:// URI for their app, once");
  with_actor(totp);
  totp->add_option("NAME", f->name, "The user")->required();
  totp->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users, server::RequesterStore&) -> Result<nlohmann::ordered_json> {
      auto secret = users.EnrollTotp(f->name, f->actor);
      if (!secret.ok()) return secret.status();
      return nlohmann::ordered_json{{"name", f->name},
                                    {"otpauth_uri", server::OtpauthUri(f->name, *secret)}};
    });
  });

  for (const bool disable : {true, false}) {
    auto* cmd = user->add_subcommand(disable ? "disable" : "enable",
                                     disable ? "Disable a user; ends their sessions" : "Enable a user");
    with_actor(cmd);
    cmd->add_option("NAME", f->name, "The user")->required();
    cmd->callback([f, exit_code, disable] {
      *exit_code = Run(*f, [&](server::UserStore& users, server::RequesterStore&) -> Result<nlohmann::ordered_json> {
        if (Status s = users.SetDisabled(f->name, disable, f->actor); !s.ok()) return s;
        return server::UserToJson(*users.GetUser(f->name));
      });
    });
  }

  auto* list = user->add_subcommand("list", "Users (never their secrets)");
  AddInstanceFlags(list, f->instance);
  list->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users, server::RequesterStore&) -> Result<nlohmann::ordered_json> {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const server::User& u : users.Users()) out.push_back(server::UserToJson(u));
      return out;
    });
  });

  auto* requester_cmd = user->add_subcommand("requester", "Requesters' portal accounts");
  requester_cmd->require_subcommand(1);
  auto* add_requester = requester_cmd->add_subcommand(
      "add", "An account the operator vouches for, active at once (no link mailed); the password on standard input");
  with_actor(add_requester);
  add_requester->add_option("EMAIL", f->email, "Its address, at a domain the agency registry lists")->required();
  add_requester->add_option("--name", f->name, "The requester's name")->required();
  add_requester->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore&, server::RequesterStore& requesters) -> Result<nlohmann::ordered_json> {
      auto password = ReadPassword();
      if (!password.ok()) return password.status();
      auto account = requesters.AddConfirmed(f->email, f->name, *password, f->actor);
      if (!account.ok()) return account.status();
      return server::ListedRequesterToJson(*account);
    });
  });

  auto* token = user->add_subcommand("token", "API tokens for services, requesters and outside auditors");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "A new token, printed once");
  with_actor(create);
  auto* service = create->add_option("--service", f->service, "A service's token (ingest)");
  auto* requester = create->add_option("--requester", f->requester, "A requester's token (portal)");
  auto* external_auditor = create->add_option(
      "--external-auditor", f->external_auditor,
      "An outside auditor's token: reads the disclosure log's leaves and proofs, nothing else");
  service->excludes(requester);
  external_auditor->excludes(service)->excludes(requester);
  create->add_option("--account", f->account, "The requester's account (its address): its agency and address")
      ->needs(requester);
  create->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users, server::RequesterStore& requesters) -> Result<nlohmann::ordered_json> {
      const int kinds = !f->service.empty() + !f->requester.empty() + !f->external_auditor.empty();
      if (kinds != 1) {
        return Status::InvalidArgument("give --service NAME, --requester NAME or --external-auditor NAME");
      }
      // A requester's token acts for an active account, whose agency and address it carries.
      std::optional<server::RequesterAccount> account;
      if (!f->requester.empty()) {
        auto found = requesters.FindByEmail(f->account);
        if (f->account.empty() || !found.ok() || found->state != server::RequesterState::kActive) {
          return Status::InvalidArgument("--account: no active requester account has this address "
                                         "(custodian user requester add, or the portal's registration)");
        }
        account = *found;
      }
      const server::TokenKind kind = !f->service.empty()     ? server::TokenKind::kService
                                     : !f->requester.empty() ? server::TokenKind::kRequester
                                                             : server::TokenKind::kExternalAuditor;
      auto secret = users.CreateToken(
          kind, !f->service.empty() ? f->service : !f->requester.empty() ? f->requester : f->external_auditor,
          account ? std::optional(account->agency_id) : std::nullopt,
          account ? std::optional(account->email) : std::nullopt, f->actor,
          account ? std::optional(account->id) : std::nullopt);
      if (!secret.ok()) return secret.status();
      return nlohmann::ordered_json{{"token", *secret},
                                    {"note", "shown once: custodian keeps only its hash"}};
    });
  });
  auto* revoke = token->add_subcommand("revoke", "Revoke a token by its id");
  with_actor(revoke);
  revoke->add_option("ID", f->token_id, "The token's id (the 16 hex digits after cst_)")->required();
  revoke->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users, server::RequesterStore&) -> Result<nlohmann::ordered_json> {
      if (Status s = users.RevokeToken(f->token_id, f->actor); !s.ok()) return s;
      return nlohmann::ordered_json{{"revoked", f->token_id}};
    });
  });
  auto* tokens = token->add_subcommand("list", "Tokens (ids and names, never secrets)");
  AddInstanceFlags(tokens, f->instance);
  tokens->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users, server::RequesterStore&) -> Result<nlohmann::ordered_json> {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const server::Token& t : users.Tokens()) {
        out.push_back(server::TokenToJson(t));
      }
      return out;
    });
  });
}

}  // namespace custodian
