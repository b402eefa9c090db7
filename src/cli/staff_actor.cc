#include "cli/staff_actor.h"

#include "cli/run_with_instance.h"
#include "core/clock.h"
#include "instance/instance_keys.h"

namespace custodian {
namespace {

// "reviewer or approver"; "any staff role" for none.
std::string Needed(const StepRoles& roles) {
  if (roles.empty()) return "any staff role";
  std::string out;
  for (size_t i = 0; i < roles.size(); ++i) {
    if (i > 0) out += i + 1 == roles.size() ? " or " : ", ";
    out += server::kRoleNames[static_cast<size_t>(roles[i])];
  }
  return out;
}

std::string Held(const server::User& user) {
  if (user.roles.empty()) return "no role";
  std::string out;
  for (server::Role r : user.roles) {
    out += (out.empty() ? "" : ", ") + std::string(server::kRoleNames[static_cast<size_t>(r)]);
  }
  return out;
}

}  // namespace

Result<cases::Actor> StaffActor(Instance& instance, const std::string& name, const StepRoles& roles) {
  // The sealing key is for TOTP secrets, which looking a user up never reads.
  server::UserStore users(*instance.db,
                          DeriveInstanceKey(instance.master, InstanceKey::kSecondFactors),
                          SystemClock());
  const std::string needs = "; this step needs a staff user with " + Needed(roles);
  auto user = users.GetUser(name);
  if (user.status().code() == Status::Code::kNotFound) {
    return Status::PermissionDenied("--actor " + name + ": no such staff user" + needs +
                                    " (custodian user add)");
  }
  if (!user.ok()) return user.status();
  if (user->disabled) return Status::PermissionDenied("--actor " + name + ": the user is disabled" + needs);
  bool allowed = roles.empty() && !user->roles.empty();
  for (server::Role r : roles) allowed = allowed || user->roles.count(r) > 0;
  if (!allowed) {
    return Status::PermissionDenied("--actor " + name + ": the user holds " + Held(*user) + needs);
  }
  return cases::Actor{user->name, /*via_cli=*/true};
}

int RunAsStaff(const InstanceOptions& instance, const std::string& actor, const StepRoles& roles,
               const std::function<Result<nlohmann::ordered_json>(Instance&, const cases::Actor&)>& step) {
  return RunWithInstance(instance, [&](Instance& s) -> Result<nlohmann::ordered_json> {
    auto who = StaffActor(s, actor, roles);
    if (!who.ok()) return who.status();
    return step(s, *who);
  });
}

}  // namespace custodian
