// Who may take a case step from the CLI: an enabled staff user holding a role the step allows,
// the roles of its API endpoint (docs/api.md), so that the audit log and the two-person rule
// name people, not strings. Operator commands (init, ingest, user, keys, …) record --actor as
// given: whoever holds the master key is the operator. Called on one thread per command.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "instance/instance.h"
#include "server/user_store.h"

namespace custodian {

// The roles a step allows; empty: any staff role (the reads).
using StepRoles = std::vector<server::Role>;

// The user `name` as the step's actor; PermissionDenied (exit 2) naming the user and the roles
// the step needs when there is no such user, it is disabled, or it holds none of `roles`.
Result<cases::Actor> StaffActor(Instance& instance, const std::string& name, const StepRoles& roles);

// Opens the instance, checks the actor as StaffActor does, and only then runs the
// step: a refused actor changes nothing. Prints what the step returns, as RunWithInstance.
int RunAsStaff(const InstanceOptions& instance, const std::string& actor, const StepRoles& roles,
               const std::function<Result<nlohmann::ordered_json>(Instance&, const cases::Actor&)>& step);

}  // namespace custodian
