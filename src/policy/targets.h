// Targets compared as the standards compare them: e-mail addresses case-insensitively, IP
// targets in their canonical form. Pure functions: safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/request.h"

namespace custodian {

// The target type that asks which accounts used an address (a reverse lookup).
inline constexpr std::string_view kIpTargetType = "ip";

// The value a target is compared by.
std::string NormalizedTargetValue(const Target& t);

// The distinct targets, in order of first appearance.
std::vector<Target> DistinctTargets(const std::vector<Target>& targets);

}  // namespace custodian
