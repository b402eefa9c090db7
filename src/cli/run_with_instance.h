// How a command that answers in JSON runs on an open instance.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "instance/instance.h"

namespace custodian {

// Opens the instance, runs `action` on it and prints what it returns as JSON; returns the
// exit status (a failure printed as ReportFailure does).
int RunWithInstance(const InstanceOptions& options,
                    const std::function<Result<nlohmann::ordered_json>(Instance&)>& action);

}  // namespace custodian
