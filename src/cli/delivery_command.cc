#include "cli/delivery_command.h"

#include <memory>

#include <nlohmann/json.hpp>

#include "cases/case_json.h"
#include "cli/instance_flags.h"
#include "cli/staff_actor.h"
#include "core/clock.h"
#include "instance/instance.h"

namespace custodian {
namespace {

struct DeliveryFlags {
  InstanceOptions instance;
  std::string actor, case_id, production_id, grant_id;
};

}  // namespace

void AddDeliveryCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<DeliveryFlags>();
  auto* delivery = app.add_subcommand("delivery", "Productions and their download grants");
  delivery->require_subcommand(1);
  const auto common = [&](CLI::App* c) {
    AddInstanceFlags(c, f->instance);
    c->add_option("--actor", f->actor, "The staff user who acts (recorded in the audit log)")->required();
  };

  auto* list = delivery->add_subcommand("list", "A case's productions, with their grants");
  common(list);
  list->add_option("CASE", f->case_id, "The case")->required();
  list->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {}, [&](Instance& s, const cases::Actor& who)
                                -> Result<nlohmann::ordered_json> {
      auto all = s.workflow->Productions(f->case_id, who);
      if (!all.ok()) return all.status();
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& v : *all) out.push_back(cases::ProductionToJson(v, SystemClock().Now()));
      return out;
    });
  });

  auto* grant = delivery->add_subcommand(
      "grant", "A new one-time download of a stored package for the case's agency (any open one is revoked)");
  common(grant);
  grant->add_option("CASE", f->case_id, "The case")->required();
  grant->add_option("PRODUCTION", f->production_id, "The production")->required();
  grant->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {server::Role::kReviewer, server::Role::kApprover},
                            [&](Instance& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      auto g = s.workflow->IssueDownload(f->case_id, f->production_id, who);
      if (!g.ok()) return g.status();
      return cases::GrantToJson(*g, SystemClock().Now());
    });
  });

  auto* revoke = delivery->add_subcommand("revoke", "Revoke an open download grant");
  common(revoke);
  revoke->add_option("GRANT", f->grant_id, "The grant (D-…)")->required();
  revoke->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {server::Role::kReviewer, server::Role::kApprover},
                            [&](Instance& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      auto g = s.workflow->RevokeDownload(f->grant_id, who);
      if (!g.ok()) return g.status();
      return cases::GrantToJson(*g, SystemClock().Now());
    });
  });
}

}  // namespace custodian
