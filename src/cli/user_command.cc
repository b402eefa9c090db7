#include "cli/user_command.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cases/database.h"
#include "cli/case_session.h"
#include "cli/exit_codes.h"
#include "cli/instance.h"
#include "cli/instance_config.h"
#include "cli/instance_flags.h"
#include "core/clock.h"
#include "server/totp.h"
#include "server/user_store.h"

namespace custodian {
namespace {

struct UserFlags {
  InstanceOptions instance;
  std::string actor;
  std::string name;
  std::vector<std::string> roles;
  std::string service, requester, agency, email, token_id;
};

// Opens the instance's user store: its case store's database, and the key that seals TOTP
// secrets (derived from the master key).
int Run(const UserFlags& f,
        const std::function<Result<nlohmann::ordered_json>(server::UserStore&)>& action) {
  vault::SecretKey master;
  auto db = OpenCaseStore(f.instance, &master);
  if (!db.ok()) return ReportFailure(db.status());
  server::UserStore users(**db, vault::DeriveKey(master, "authtotp"), SystemClock());
  auto out = action(users);
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

nlohmann::ordered_json UserJson(const server::User& u) {
  nlohmann::ordered_json roles = nlohmann::ordered_json::array();
  for (server::Role r : u.roles) roles.push_back(std::string(server::kRoleNames[static_cast<size_t>(r)]));
  return {{"name", u.name}, {"roles", roles}, {"totp", u.has_totp}, {"disabled", u.disabled}};
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
  add->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users) -> Result<nlohmann::ordered_json> {
      auto password = ReadPassword();
      if (!password.ok()) return password.status();
      std::set<server::Role> roles;
      for (const std::string& r : f->roles) roles.insert(*server::ParseRole(r));
      if (Status s = users.AddUser(f->name, roles, *password, f->actor); !s.ok()) return s;
      return UserJson(*users.GetUser(f->name));
    });
  });

  auto* passwd = user->add_subcommand("passwd", "Set a user's password (standard input); ends "
                                                "their sessions");
  with_actor(passwd);
  passwd->add_option("NAME", f->name, "The user")->required();
  passwd->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users) -> Result<nlohmann::ordered_json> {
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
    *exit_code = Run(*f, [&](server::UserStore& users) -> Result<nlohmann::ordered_json> {
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
      *exit_code = Run(*f, [&](server::UserStore& users) -> Result<nlohmann::ordered_json> {
        if (Status s = users.SetDisabled(f->name, disable, f->actor); !s.ok()) return s;
        return UserJson(*users.GetUser(f->name));
      });
    });
  }

  auto* list = user->add_subcommand("list", "Users (never their secrets)");
  AddInstanceFlags(list, f->instance);
  list->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users) -> Result<nlohmann::ordered_json> {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const server::User& u : users.Users()) out.push_back(UserJson(u));
      return out;
    });
  });

  auto* token = user->add_subcommand("token", "API tokens for services and requesters");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "A new token, printed once");
  with_actor(create);
  auto* service = create->add_option("--service", f->service, "A service's token (ingest)");
  auto* requester = create->add_option("--requester", f->requester, "A requester's token (portal)");
  service->excludes(requester);
  create->add_option("--agency", f->agency, "The requester's agency (registry id)")->needs(requester);
  create->add_option("--email", f->email, "The requester's verified e-mail address")->needs(requester);
  create->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users) -> Result<nlohmann::ordered_json> {
      if (f->service.empty() == f->requester.empty()) {
        return Status::InvalidArgument("give --service NAME or --requester NAME");
      }
      const bool is_service = !f->service.empty();
      auto secret = users.CreateToken(
          is_service ? server::TokenKind::kService : server::TokenKind::kRequester,
          is_service ? f->service : f->requester,
          f->agency.empty() ? std::nullopt : std::optional(f->agency),
          f->email.empty() ? std::nullopt : std::optional(f->email), f->actor);
      if (!secret.ok()) return secret.status();
      return nlohmann::ordered_json{{"token", *secret},
                                    {"note", "shown once: custodian keeps only its hash"}};
    });
  });
  auto* revoke = token->add_subcommand("revoke", "Revoke a token by its id");
  with_actor(revoke);
  revoke->add_option("ID", f->token_id, "The token's id (the 16 hex digits after cst_)")->required();
  revoke->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users) -> Result<nlohmann::ordered_json> {
      if (Status s = users.RevokeToken(f->token_id, f->actor); !s.ok()) return s;
      return nlohmann::ordered_json{{"revoked", f->token_id}};
    });
  });
  auto* tokens = token->add_subcommand("list", "Tokens (ids and names, never secrets)");
  AddInstanceFlags(tokens, f->instance);
  tokens->callback([f, exit_code] {
    *exit_code = Run(*f, [&](server::UserStore& users) -> Result<nlohmann::ordered_json> {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const server::Token& t : users.Tokens()) {
        out.push_back({{"id", t.id},
                       {"kind", t.kind == server::TokenKind::kService ? "service" : "requester"},
                       {"name", t.name},
                       {"agency_id", t.agency_id ? nlohmann::ordered_json(*t.agency_id) : nullptr},
                       {"revoked", t.revoked}});
      }
      return out;
    });
  });
}

}  // namespace custodian
